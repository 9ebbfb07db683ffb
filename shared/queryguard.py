"""A query parameter the operation does not know is refused (422 naming it), never silently ignored: a typo
(`?staus=open`) would otherwise return everything, and the client would not know."""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.errors import FieldIssue, ValidationProblem
from shared.i18n import language

CHECKED_PREFIX = "/v1/"  # the standards-shaped APIs (HSDS, OCDS) keep their own conventions
_known: dict[int, frozenset[str]] = {}


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def known_query_parameters(route: APIRoute) -> frozenset[str]:
    if id(route) not in _known:
        _known[id(route)] = frozenset(_query_names(route.dependant))
    return _known[id(route)]


async def refuse_unknown_query(request: Request) -> None:
    if not request.scope.get("query_string"):  # nothing to check (most writes): spare parsing the URL
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.scope["path"].startswith(CHECKED_PREFIX):
        return
    known = known_query_parameters(route)
    unknown = sorted(set(request.query_params) - known)
    if not unknown:
        return
    allowed = ", ".join(sorted(known)) or "none"
    polish = language() == "pl"
    reason_en, reason_pl = (
        f"not a parameter of this operation (known: {allowed})",
        (f"to nie jest parametr tej operacji (dostępne: {', '.join(sorted(known)) or 'brak'})"),
    )
    issues = [FieldIssue(field=name, location="query", reason=reason_pl if polish else reason_en) for name in unknown]
    raise ValidationProblem(
        f"unknown query parameters: {', '.join(unknown)} (known: {allowed})",
        pl=f"nieznane parametry zapytania: {', '.join(unknown)} (dostępne: {', '.join(sorted(known)) or 'brak'})",
        errors=issues,
    )
