"""Benchmarks: each prints a table (`radio bench NAME`, `--json` for the figures)."""
