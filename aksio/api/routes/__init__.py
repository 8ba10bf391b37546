"""Routers, one module per context."""
