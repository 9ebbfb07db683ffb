"""The language of the texts people read: Polish or English, from the request's Accept-Language."""

from __future__ import annotations

import contextvars

from starlette.types import ASGIApp, Receive, Scope, Send

LANGUAGES = ("pl", "en")
_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="en")


def language() -> str:
    """`pl` or `en` for the request being handled (English where none was asked for)."""
    return _language.get()


def preferred(accept_language: str) -> str:
    """The first of our languages the header prefers (q-values honoured), else English."""
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else "en"


class LanguageMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")
        token = _language.set(preferred(header) if header else "en")
        try:
            await self.app(scope, receive, send)
        finally:
            _language.reset(token)
