"""Aksio: an event-sourced backend for AI-assisted studying."""
