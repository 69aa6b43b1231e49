"""Benchmarks: the real app under gunicorn, timed from loopback (see bench/README.md)."""
