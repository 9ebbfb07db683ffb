"""Public pages, in Polish, rendered on the server from what the public API serves (never a token, never a private
field): the catalogue of social services, a provider's page, and the calls for offers."""
