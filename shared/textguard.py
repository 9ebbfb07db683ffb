"""Refuse what no route can handle before any route sees it: a NUL character (\\u0000 in JSON, %00 in a query),
which PostgreSQL cannot store, is a 422 naming the field instead of a database error after validation; a control
character in the path (no address holds one, and a path parameter would reach the database with it) and a JSON
body nested deeper than `MAX_JSON_DEPTH` (a parser that recurses would exhaust the stack) are 422s too."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.i18n import language

REASON = "contains a NUL character (\\u0000), which cannot be stored"
REASON_PL = "zawiera znak NUL (\\u0000), którego nie da się zapisać"
CONTROL = re.compile("[\x00-\x1f\x7f]")
PATH_REASON = "contains a control character (U+0000 to U+001F or U+007F), which no address holds"
PATH_REASON_PL = "zawiera znak sterujący (od U+0000 do U+001F albo U+007F), którego nie ma w żadnym adresie"
MAX_JSON_DEPTH = 32  # no body of the API nests half as deep
DEPTH_REASON = f"is JSON nested deeper than {MAX_JSON_DEPTH} levels"
DEPTH_REASON_PL = f"to JSON zagnieżdżony głębiej niż na {MAX_JSON_DEPTH} poziomów"
NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))

Issue = tuple[str, str, str, str]  # field, location, reason in English, in Polish


def _paths_with_nul(value: Any, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths_with_nul(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths_with_nul(v, f"{path}.{i}" if path else str(i))]
    return []


def _deeper_than(value: Any, limit: int) -> bool:
    """Does the parsed JSON nest more than `limit` containers deep? (Level by level, without recursion.)"""
    level = [value] if isinstance(value, dict | list) else []
    for _ in range(limit):
        level = [c for v in level for c in (v.values() if isinstance(v, dict) else v) if isinstance(c, dict | list)]
        if not level:
            return False
    return True


def _brackets_deeper_than(body: bytes, limit: int) -> bool:
    """For a body orjson refused (past its own limit of 1024 levels, or not JSON): do its brackets alone nest more
    than `limit` deep? Each pass drops the innermost pairs."""
    shape = body.translate(None, NOT_BRACKETS)
    for _ in range(limit):
        shape = shape.replace(b"[]", b"").replace(b"{}", b"")
        if not shape:
            return False
    return True


def _body_issues(body: bytes) -> list[Issue]:
    parsed: Any = None
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH:  # else it cannot nest that deep
        try:
            parsed = orjson.loads(body)
            deep = _deeper_than(parsed, MAX_JSON_DEPTH)
        except orjson.JSONDecodeError:
            deep = _brackets_deeper_than(body, MAX_JSON_DEPTH)
        if deep:
            return [("body", "body", DEPTH_REASON, DEPTH_REASON_PL)]
    if b"\\u0000" not in body:
        return []
    if parsed is None:
        try:  # the stdlib's parser (numbers past 64 bits too): the body nests too shallow to exhaust the stack
            parsed = json.loads(body)
        except ValueError:  # not JSON: the route's own validation answers
            return []
    return [(p, "body", REASON, REASON_PL) for p in _paths_with_nul(parsed)]


class NulGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        issues: list[Issue] = []
        if CONTROL.search(scope["path"]):
            issues.append(("path", "path", PATH_REASON, PATH_REASON_PL))
        query = scope.get("query_string", b"")
        if b"%00" in query:
            pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            issues += [(k, "query", REASON, REASON_PL) for k, v in pairs if "\x00" in v]
        if scope["method"] in ("POST", "PUT", "PATCH") and not issues:
            body, more = b"", True
            messages: list[Message] = []
            while more:
                message = await receive()
                messages.append(message)
                body += message.get("body", b"")
                more = message.get("more_body", False) and message["type"] == "http.request"
            issues += _body_issues(body)

            original = receive

            async def replay() -> Message:  # the buffered body first, then whatever comes (a disconnect)
                return messages.pop(0) if messages else await original()

            receive = replay
        if not issues:
            await self.app(scope, receive, send)
            return
        await _refuse(scope, issues, send)


async def _refuse(scope: Scope, issues: list[Issue], send: Send) -> None:
    polish = language() == "pl"
    english = "; ".join(f"{field}: {reason}" for field, _, reason, _ in issues)
    in_polish = "; ".join(f"{field}: {reason}" for field, _, _, reason in issues)
    payload = orjson.dumps(
        {
            "type": "urn:cus:problem:validation",
            "title": "Żądanie zawiera nieprawidłowe pola" if polish else "The request has invalid fields",
            "status": 422,
            "detail": in_polish if polish else english,
            "instance": scope["path"],
            "errors": [
                {"field": field, "location": location, "reason": pl if polish else en}
                for field, location, en, pl in issues
            ],
            "detail_en": english,
            "detail_pl": in_polish,
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
