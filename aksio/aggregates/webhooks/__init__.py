"""Webhooks: the endpoints users register and the deliveries made to them."""
