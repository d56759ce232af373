"""``lineage-graph serve``: defined in ``lineage_graph.cli.interop`` (the noun's ``app``)."""

from .interop import serve_app as app

__all__ = ["app"]
