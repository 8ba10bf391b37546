"""Ports and adapters to the outside world, and the reactors that use them."""
