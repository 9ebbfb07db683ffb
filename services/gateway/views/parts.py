"""Aggregated views are made of parts fetched concurrently, each under its own timeout: a slow or failing part is
reported missing with the reason, and the view answers with the rest."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import Request

from services.gateway.proxy.state import state_of
from services.gateway.proxy.upstreams import UpstreamUnavailable
from shared.observability import request_id_var


@dataclass(frozen=True)
class Part:
    name: str
    upstream: str
    path: str
    query: str = ""
    forward_token: bool = False
    private: bool = False  # only some callers may read it: for the others it is left out, not missing


async def fetch(request: Request, part: Part) -> tuple[str, Any, str | None]:
    """(name, data or None, why it is missing or None); a private part the caller may not read is (name, None,
    None)."""
    state = state_of(request.app)
    upstream = state.upstreams[part.upstream]
    headers = {"x-request-id": request_id_var.get() or ""}
    if part.forward_token and request.headers.get("authorization"):
        headers["authorization"] = request.headers["authorization"]
    limit = state.settings.part_timeout_seconds
    try:
        result = await asyncio.wait_for(
            upstream.request("GET", part.path, query=part.query, headers=headers, time_limit=limit, route=part.name),
            timeout=limit + 0.5,
        )
    except (UpstreamUnavailable, TimeoutError) as exc:
        detail = exc.detail if isinstance(exc, UpstreamUnavailable) else f"the {part.upstream} service timed out"
        return part.name, None, detail
    if part.private and result.status == 403:
        return part.name, None, None
    if result.status >= 400:
        try:
            detail = orjson.loads(result.body).get("detail", f"HTTP {result.status}")
        except orjson.JSONDecodeError:
            detail = f"HTTP {result.status}"
        return part.name, None, f"{part.upstream} answered {result.status}: {detail}"
    return part.name, orjson.loads(result.body), None


async def gather(request: Request, parts: list[Part]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    # a private part is not asked for without a token: the answer could only be a refusal, and it is left out
    anonymous = not request.headers.get("authorization")
    asked = [p for p in parts if not (p.private and anonymous)]
    results = await asyncio.gather(*(fetch(request, p) for p in asked))
    data = {name: value for name, value, why in results if why is None and value is not None}
    missing = [{"part": name, "reason": why} for name, _, why in results if why is not None]
    return data, missing
