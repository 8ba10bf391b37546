"""Aggregates decide; their events remember. Pure: no I/O and no clock (a new aggregate's id
is the library's random uuid4 unless its class derives one with `create_id`)."""
