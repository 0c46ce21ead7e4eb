"""Benchmarks of guestrel on a million seeded guests: `make bench` or `python -m bench --help`.

Each measurement prints one JSON line on stdout; progress goes to stderr."""
