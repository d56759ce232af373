"""The ``lineage-graph`` command line (typer + rich); see ``app`` for how nouns are added."""

from .app import app, main

__all__ = ["app", "main"]
