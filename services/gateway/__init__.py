"""Gateway: the one public entry over the catalogue and commissioning services."""
