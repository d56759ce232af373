"""``lineage-graph import``: defined in ``lineage_graph.cli.interop`` (the noun's ``app``).

Unreadable files and damaged MLMD stores are one ``error:`` line (``export_cmd.FilesGroup``).
"""

from .export_cmd import FilesGroup
from .interop import import_app as app

app.info.cls = FilesGroup

__all__ = ["app"]
