"""Benchmarks: `make bench` (python -m tests.bench) prints a table; see docs/performance.md."""
