"""What every request pays for: FastAPI runs a synchronous dependency or endpoint in its thread pool (about
0.2 ms a request measured, a sixth of an offer's revision), so none may be; and `Prepared`, the statements
compiled once, refuses what it cannot run as compiled."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest
from fastapi.dependencies.models import Dependant
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, select

from shared.db import Prepared
from tests.helpers import api_routes

SERVICES = ("catalogue", "commissioning", "gateway")


def synchronous(dependant: Dependant) -> Iterator[str]:
    for sub in dependant.dependencies:
        call = sub.call
        if call is not None and not any(
            check(candidate)
            for check in (inspect.iscoroutinefunction, inspect.isasyncgenfunction)
            for candidate in (call, getattr(call, "__call__", None))  # noqa: B004 (a security scheme's instance)
        ):
            yield f"{getattr(call, '__module__', '')}.{getattr(call, '__qualname__', call)}"
        yield from synchronous(sub)


@pytest.mark.parametrize("service", SERVICES)
def test_no_dependency_or_endpoint_runs_in_the_thread_pool(service):
    app = __import__(f"services.{service}.main", fromlist=["create_app"]).create_app()
    routes = list(api_routes(app.routes))
    assert len(routes) > 15, "the walk found the service's routes"
    found = {f"{route.path}: {name}" for route in routes for name in synchronous(route.dependant)}
    found |= {f"{route.path}: the endpoint" for route in routes if not inspect.iscoroutinefunction(route.endpoint)}
    assert not found, f"synchronous, so run in the thread pool on every request: {sorted(found)}"


TABLE = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer))


def test_a_prepared_statement_names_missing_parameters_and_binds_its_literals():
    prepared = Prepared(select(TABLE.c.n).where(TABLE.c.id == bindparam("of"), TABLE.c.n > 3))
    with pytest.raises(TypeError, match="of"):
        prepared.arguments({})
    assert prepared.arguments({"of": 7}) == [7, 3]
    assert "$1" in prepared.sql and "$2" in prepared.sql


def test_a_statement_that_expands_its_parameters_cannot_be_prepared():
    with pytest.raises(ValueError, match="expand"):
        Prepared(select(TABLE.c.n).where(TABLE.c.id.in_(bindparam("ids", expanding=True))))
