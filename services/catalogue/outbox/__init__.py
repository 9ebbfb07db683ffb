"""The catalogue's domain events: written with the change, read at GET /v1/catalogue-events."""
