"""Routes are matched one by one in the order the routers are included, and commissioning puts the offers' first
(the burst at a deadline pays for every route tried before its own). So no route may take a request meant for
another: every operation's own path, with sample values, reaches that operation."""

from __future__ import annotations

import re

from starlette.routing import Match

from services.commissioning.main import create_app
from tests.helpers import api_routes

SAMPLE = "5e0c7bde-8c1a-4c4e-9d55-3f2b1a6e7c90"  # a value for every path parameter (ids are UUIDs, codes free text)


def test_every_operation_is_reached_by_its_own_path():
    routes = list(api_routes(create_app().routes))
    operations = [(route, method) for route in routes for method in sorted(route.methods)]
    assert len(operations) > 60
    taken = []
    for route, method in operations:
        path = re.sub(r"\{[^}]+\}", SAMPLE, route.path)
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}
        first = next(r for r in routes if r.matches(scope)[0] == Match.FULL)
        if first is not route:
            taken.append(f"{method} {route.path} is taken by {first.path}")
    assert not taken, taken


def test_the_offers_routes_are_tried_first():
    routes = [route.path for route in api_routes(create_app().routes) if route.path.startswith("/v1")]
    assert routes[0] == "/v1/calls/{call_id}/offers"
    assert "/v1/offers/{offer_id}" in routes[:3]
