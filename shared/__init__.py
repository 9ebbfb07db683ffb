"""The small kit every service imports: settings, database, errors, auth, pagination, identifiers, logging, health.

It holds no domain logic and never imports a service.
"""
