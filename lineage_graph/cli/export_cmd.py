"""``lineage-graph export``: defined in ``lineage_graph.cli.interop`` (the noun's ``app``)."""

from .interop import export_app as app

__all__ = ["app"]
