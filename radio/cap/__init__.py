"""The Common Alerting Protocol (CAP 1.2): alerts taken in, put on air, and reported."""
