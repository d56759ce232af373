"""``lineage-graph export``: defined in ``lineage_graph.cli.interop`` (the noun's ``app``).

``FilesGroup`` (used by ``export`` and ``import``) turns the errors of the files these commands
read and write into the one ``error:`` line every command prints: a missing directory, a
permission, a full disk (``OSError`` with a file name), and an MLMD database that SQLite or
ml-metadata cannot read (``ml_metadata.errors.StatusError``, e.g. a corrupt page).
"""

from __future__ import annotations

import logging
from typing import Any

from typer.core import TyperGroup

from ..errors import InvalidInputError
from .interop import export_app as app

__all__ = ["FilesGroup", "app"]


class FilesGroup(TyperGroup):
    """A noun whose commands read or write the user's files: their errors become ours."""

    def invoke(self, ctx: Any) -> Any:
        # ml-metadata logs each failed call through absl before raising it: the error line
        # below says the same once.
        logging.getLogger("absl").setLevel(logging.ERROR)
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.filename is None:
                raise
            raise InvalidInputError(
                f"cannot use {exc.filename}: {exc.strerror or exc}", field="file",
                value=str(exc.filename),
            ) from exc  # fmt: skip
        except Exception as exc:
            if not type(exc).__module__.startswith("ml_metadata"):
                raise
            # ml-metadata appends the SQL it ran (" query: SELECT ..."): the reason is enough.
            text = str(exc).removeprefix("Error when executing query:")
            reason = text.split(" query:", 1)[0]
            raise InvalidInputError(
                f"the MLMD store cannot be read: {reason.strip() or type(exc).__name__} "
                "(a damaged file? try `sqlite3 FILE 'PRAGMA integrity_check'`)",
                field="file",
            ) from exc


app.info.cls = FilesGroup
