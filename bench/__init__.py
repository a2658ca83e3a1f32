"""Benchmarks that print figures. Run with `make bench` (or `python -m bench --help`)."""
