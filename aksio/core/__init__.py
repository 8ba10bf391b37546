"""Shared machinery: the event store, the command bus, errors and the clock."""
