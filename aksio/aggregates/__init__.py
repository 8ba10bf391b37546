"""Aggregates decide; their events remember. Pure: no I/O, no clock, no randomness."""
