"""RFC 9457 problem details: typed errors, and the handlers that turn every failure into problem+json."""

from __future__ import annotations

import logging
from typing import Any, ClassVar, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.i18n import language, pydantic_reason_pl
from shared.middleware import HttpMiddleware
from shared.schemas import examples

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:cus:problem:"


class FieldIssue(BaseModel):
    field: str = Field(description="Dotted path of the offending field, e.g. `address.terc`.")
    location: str = Field(description="Where the field is: body, query, path or header.")
    reason: str = Field(description="Why the value was refused.")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    model_config = examples(
        {
            "type": "urn:cus:problem:validation",
            "title": "Żądanie zawiera nieprawidłowe pola",
            "status": 422,
            "detail": "nip: NIP: nieprawidłowa suma kontrolna",
            "instance": "/v1/providers",
            "errors": [{"field": "nip", "location": "body", "reason": "NIP: nieprawidłowa suma kontrolna"}],
            "detail_en": "nip: NIP checksum is invalid",
            "detail_pl": "nip: NIP: nieprawidłowa suma kontrolna",
        }
    )

    type: str = Field(description="Stable URI naming the kind of problem.", examples=["urn:cus:problem:not-found"])
    title: str = Field(description="Short human summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this occurrence.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldIssue] | None = Field(default=None, description="Offending fields, for validation problems.")
    detail_en: str | None = Field(default=None, description="`detail` in English (`detail` follows Accept-Language).")
    detail_pl: str | None = Field(default=None, description="`detail` in Polish (what `Accept-Language: pl` gets).")


class ProblemError(Exception):
    """Raise anywhere below a router; the handler renders it as problem+json. Every refusal is said in English
    and in Polish: `Accept-Language: pl` gets the Polish text as `detail`, and both are kept."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"
    title_pl: ClassVar[str] = "Nieprawidłowe żądanie"

    def __init__(
        self,
        detail: str,
        *,
        pl: str,
        errors: list[FieldIssue] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.detail_pl = pl
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions


class ValidationProblem(ProblemError):
    status, slug, title = 422, "validation", "The request has invalid fields"
    title_pl = "Żądanie zawiera nieprawidłowe pola"

    @classmethod
    def field(cls, field: str, reason: str, *, pl: str, location: str = "body") -> ValidationProblem:
        """One refused field: `reason` in English, `pl` in Polish (the field issue speaks the caller's language)."""
        polish = language() == "pl"
        issue = FieldIssue(field=field, location=location, reason=pl if polish else reason)
        return cls(f"{field}: {reason}", pl=f"{field}: {pl}", errors=[issue])


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Authentication required"
    title_pl = "Wymagane uwierzytelnienie"

    def __init__(self, detail: str, pl: str) -> None:
        super().__init__(detail, pl=pl, headers={"WWW-Authenticate": 'Bearer realm="cus"'})


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed"
    title_pl = "Brak uprawnień"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"
    title_pl = "Nie znaleziono"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict with the current state"
    title_pl = "Konflikt z bieżącym stanem"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The resource has changed"
    title_pl = "Zasób został zmieniony"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "If-Match required"
    title_pl = "Wymagany nagłówek If-Match"


T = TypeVar("T")


def found(value: T | None, detail: str, *, pl: str) -> T:
    """`value`, or a 404 saying `detail` (`pl` in Polish) where there is none."""
    if value is None:
        raise NotFound(detail, pl=pl)
    return value


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[FieldIssue] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [e.model_dump() for e in errors]
    body.update(extensions or {})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _field_path(loc: tuple[Any, ...]) -> tuple[str, str]:
    location = str(loc[0]) if loc else "body"
    parts = [str(p) for p in loc[1:]]
    return ".".join(parts) or location, location


def validation_issues(exc: RequestValidationError, *, polish: bool = False) -> tuple[bool, list[FieldIssue]]:
    """(is the body malformed JSON?, the field issues, their reasons in Polish if asked and known)."""
    issues: list[FieldIssue] = []
    malformed = False
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            malformed = True
        field, location = _field_path(tuple(err.get("loc", ())))
        reason = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        ctx = err.get("ctx") or {}
        if err.get("type") == "json_invalid" and ctx.get("error"):
            reason = f"malformed JSON: {ctx['error']}"
        if polish:
            reason = pydantic_reason_pl(err) or reason
        issues.append(FieldIssue(field=field, location=location, reason=reason))
    return malformed, issues


def _said(english: str, polish: str) -> tuple[str, dict[str, str]]:
    """The text in the request's language, and both texts for the body."""
    return (polish if language() == "pl" else english), {"detail_en": english, "detail_pl": polish}


# PostgreSQL SQLSTATEs of constraint violations, as answers.
DATABASE_CONFLICTS = {
    "23505": (409, "conflict", "Conflict"),  # unique_violation: it exists already
    "23P01": (409, "conflict", "Conflict"),  # exclusion_violation
    "23503": (422, "invalid-reference", "A referenced resource does not exist"),  # foreign_key_violation
    "23514": (422, "validation", "Invalid request"),  # check_violation
    "23502": (422, "validation", "Invalid request"),  # not_null_violation
}


def problem_of(exc: ProblemError, path: str) -> JSONResponse:
    """A refusal's problem+json answer, in the caller's language (and the other one's words beside)."""
    polish = language() == "pl"
    detail, both = _said(exc.detail, exc.detail_pl)
    return problem_response(
        exc.status,
        exc.slug,
        exc.title_pl if polish else exc.title,
        detail,
        instance=path,
        errors=exc.errors,
        headers=exc.headers,
        extensions={**both, **exc.extensions},
    )


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_of(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        polish = language() == "pl"
        malformed, issues = validation_issues(exc, polish=polish)
        if malformed:
            detail, both = _said(
                "The request body could not be parsed as JSON.", "Treści żądania nie da się odczytać jako JSON."
            )
            return problem_response(
                400,
                "malformed-json",
                "Treść nie jest poprawnym JSON" if polish else "The body is not valid JSON",
                detail,
                instance=request.url.path,
                errors=issues,
                extensions=both,
            )
        english = "; ".join(f"{i.field}: {i.reason}" for i in validation_issues(exc)[1][:5])
        detail, both = _said(english, "; ".join(f"{i.field}: {i.reason}" for i in issues[:5]) if polish else english)
        return problem_response(
            422,
            "validation",
            ValidationProblem.title_pl if polish else ValidationProblem.title,
            detail,
            instance=request.url.path,
            errors=issues,
            extensions=both if polish else None,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slugs = {
            404: "not-found",
            405: "method-not-allowed",
            413: "payload-too-large",
            415: "unsupported-media-type",
        }
        slug = slugs.get(exc.status_code, f"http-{exc.status_code}")
        titles = {
            404: ("Not found", "Nie znaleziono"),
            405: ("Method not allowed", "Niedozwolona metoda"),
            413: ("Payload too large", "Treść żądania jest zbyt duża"),
            415: ("Unsupported media type", "Nieobsługiwany typ treści"),
        }
        title, title_pl = titles.get(exc.status_code, ("HTTP error", "Błąd HTTP"))
        english = exc.detail if isinstance(exc.detail, str) and exc.detail != title else title
        polish = {"Not Found": "Nie ma takiego zasobu.", "Method Not Allowed": "Ta metoda nie jest tu dozwolona."}
        detail, both = _said(english, polish.get(english, title_pl))
        return problem_response(
            exc.status_code,
            slug,
            title_pl if language() == "pl" else title,
            detail,
            instance=request.url.path,
            headers=dict(exc.headers or {}),
            extensions=both,
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        """A constraint the code did not check first (or a race it lost): the client's request conflicts with
        stored data, so a 409 or 422 naming the constraint, never a 500."""
        state = getattr(exc.orig, "sqlstate", None)
        constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None) or "a constraint"
        status, slug, title = DATABASE_CONFLICTS.get(state or "", (409, "conflict", "Conflict"))
        logger.info("constraint refused a write", extra={"path": request.url.path, "sqlstate": state})
        detail, both = _said(
            f"The request conflicts with stored data ({constraint}); read the resource again and retry.",
            f"Żądanie jest sprzeczne z zapisanymi danymi ({constraint}); odczytaj zasób ponownie i ponów.",
        )
        return problem_response(status, slug, title, detail, instance=request.url.path, extensions=both)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        detail, both = _said(
            "The resource changed while this request was changing it: read it again and retry.",
            "Zasób zmienił się w trakcie tego żądania: odczytaj go ponownie i ponów.",
        )
        return problem_response(
            412, "precondition-failed", "Precondition failed", detail, instance=request.url.path, extensions=both
        )


def internal_error(path: str) -> JSONResponse:
    detail, both = _said(
        "The server failed to handle the request; it has been logged.",
        "Serwer nie obsłużył żądania; błąd został zapisany w dzienniku.",
    )
    return problem_response(500, "internal", "Internal error", detail, instance=path, extensions=both)


class UnhandledErrorMiddleware(HttpMiddleware):
    """A bug is a logged 500 problem, and the connection stays usable: an exception let out to the server would
    make it close the connection after the answer, and a client (the gateway's pool) reusing it would fail."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            logger.exception("unhandled error", extra={"path": scope["path"]})
            if started:  # nothing better can be said once the answer has begun
                raise
            await internal_error(scope["path"])(scope, receive, send)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json answers."""
    descriptions = {
        400: "Malformed request (e.g. invalid JSON)",
        401: "Missing, malformed or expired token",
        403: "The caller's role or tenancy does not allow this",
        404: "Not found (or not visible to the caller)",
        409: "Conflicts with existing data",
        412: "If-Match does not match the current version",
        422: "Invalid fields",
        428: "If-Match header required",
    }
    return {
        s: {
            "model": Problem,
            "description": descriptions.get(s, "Problem"),
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for s in statuses
    }


class BodyLimitMiddleware:
    """Refuses request bodies over `max_bytes` with a 413 problem before any of it is parsed (the services' own
    ports, not only the gateway). The body is read here, up to the limit, and handed on whole."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail, both = _said(
            f"Request bodies are limited to {self.max_bytes} bytes.",
            f"Treść żądania może mieć najwyżej {self.max_bytes} bajtów.",
        )
        response = problem_response(
            413, "payload-too-large", "Payload too large", detail, instance=scope["path"], extensions=both
        )
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, receive, send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        whole: Message | None = {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        async def replay() -> Message:
            nonlocal whole
            if whole is not None:
                message, whole = whole, None
                return message
            return await receive()

        await self.app(scope, replay, send)
