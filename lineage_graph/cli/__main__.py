"""``python -m lineage_graph.cli`` runs the ``lineage-graph`` command."""

from .app import main

main()
