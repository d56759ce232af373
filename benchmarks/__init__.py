"""Side-by-side benchmarks: lineage-graph (Neo4j) vs MLMD (SQLite) vs networkx in memory.

Run ``python -m benchmarks.run --size full`` (see benchmarks/RESULTS.md for the last run).
"""
