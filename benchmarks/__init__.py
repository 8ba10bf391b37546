"""Benchmarks of Aksio: HTTP commands and projection rebuilds (`make bench`)."""
