"""Outbound events: the stream function, webhooks, EventBridge (docs/events.md)."""
