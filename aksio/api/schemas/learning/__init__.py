"""Schemas of the learning context: plan, goal and session records, and the reports."""
