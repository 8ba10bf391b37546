"""Billing: each user's subscription plan and the AI tokens metered against it."""
