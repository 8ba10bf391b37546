"""Pydantic schemas, one module per context."""
