"""Refuse text PostgreSQL cannot store: a NUL character (\\u0000 in JSON, %00 in a query) anywhere in a request is a
422 naming the field, instead of a database error after validation."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.i18n import language

REASON = "contains a NUL character (\\u0000), which cannot be stored"
REASON_PL = "zawiera znak NUL (\\u0000), którego nie da się zapisać"


def _paths_with_nul(value: Any, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths_with_nul(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths_with_nul(v, f"{path}.{i}" if path else str(i))]
    return []


class NulGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        issues: list[dict[str, str]] = []
        query = scope.get("query_string", b"")
        if b"%00" in query:
            pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            issues += [{"field": k, "location": "query", "reason": REASON} for k, v in pairs if "\x00" in v]
        if scope["method"] in ("POST", "PUT", "PATCH"):
            body, more = b"", True
            messages: list[Message] = []
            while more:
                message = await receive()
                messages.append(message)
                body += message.get("body", b"")
                more = message.get("more_body", False) and message["type"] == "http.request"
            if b"\\u0000" in body:
                with contextlib.suppress(ValueError):  # not JSON: the route's own validation answers
                    parsed = json.loads(body)
                    issues += [{"field": p, "location": "body", "reason": REASON} for p in _paths_with_nul(parsed)]

            original = receive

            async def replay() -> Message:  # the buffered body first, then whatever comes (a disconnect)
                return messages.pop(0) if messages else await original()

            receive = replay
        if not issues:
            await self.app(scope, receive, send)
            return
        polish = language() == "pl"
        for issue in issues:
            issue["reason"] = REASON_PL if polish else REASON
        payload = orjson.dumps(
            {
                "type": "urn:cus:problem:validation",
                "title": "Żądanie zawiera nieprawidłowe pola" if polish else "The request has invalid fields",
                "status": 422,
                "detail": "; ".join(f"{i['field']}: {i['reason']}" for i in issues),
                "instance": scope["path"],
                "errors": issues,
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
