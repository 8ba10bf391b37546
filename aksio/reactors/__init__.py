"""Followers of the event log that act on the world and answer with commands."""
