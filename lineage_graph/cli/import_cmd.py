"""``lineage-graph import``: defined in ``lineage_graph.cli.interop`` (the noun's ``app``)."""

from .interop import import_app as app

__all__ = ["app"]
