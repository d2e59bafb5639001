"""Benchmarks: each module has run(texts) -> figures and report(figures), a table;
`radio bench NAME` runs one (`--json` prints the figures instead)."""
