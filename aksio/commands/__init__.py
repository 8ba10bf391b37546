"""Commands: one frozen dataclass and one handler each, dispatched by the bus."""
