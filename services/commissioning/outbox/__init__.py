"""Domain events: written with the change (the outbox), read as a feed (GET /v1/events)."""
