"""RFC 9457 problem details: typed errors, and the handlers that turn every failure into problem+json."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.i18n import language

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:cus:problem:"


class FieldIssue(BaseModel):
    field: str = Field(description="Dotted path of the offending field, e.g. `address.terc`.")
    location: str = Field(description="Where the field is: body, query, path or header.")
    reason: str = Field(description="Why the value was refused.")


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(description="Stable URI naming the kind of problem.", examples=["urn:cus:problem:not-found"])
    title: str = Field(description="Short human summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this occurrence.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldIssue] | None = Field(default=None, description="Offending fields, for validation problems.")


class ProblemError(Exception):
    """Raise anywhere below a router; the handler renders it as problem+json."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        pl: str | None = None,
        errors: list[FieldIssue] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        """`detail` in English; `pl`, the same in Polish, is what `Accept-Language: pl` gets (both are kept)."""
        super().__init__(detail)
        self.detail = detail
        self.detail_pl = pl
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions


class ValidationProblem(ProblemError):
    status, slug, title = 422, "validation", "The request has invalid fields"

    @classmethod
    def field(cls, field: str, reason: str, *, location: str = "body") -> ValidationProblem:
        return cls(f"{field}: {reason}", errors=[FieldIssue(field=field, location=location, reason=reason)])


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str, pl: str | None = None) -> None:
        super().__init__(detail, pl=pl, headers={"WWW-Authenticate": 'Bearer realm="cus"'})


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict with the current state"


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The resource has changed"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "If-Match required"


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


def validation_issues(exc: RequestValidationError) -> tuple[bool, list[FieldIssue]]:
    """(is the body malformed JSON?, the field issues)."""
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
        issues.append(FieldIssue(field=field, location=location, reason=reason))
    return malformed, issues


# PostgreSQL SQLSTATEs of constraint violations, as answers.
DATABASE_CONFLICTS = {
    "23505": (409, "conflict", "Conflict"),  # unique_violation: it exists already
    "23P01": (409, "conflict", "Conflict"),  # exclusion_violation
    "23503": (422, "invalid-reference", "A referenced resource does not exist"),  # foreign_key_violation
    "23514": (422, "validation", "Invalid request"),  # check_violation
    "23502": (422, "validation", "Invalid request"),  # not_null_violation
}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        polish = exc.detail_pl is not None and language() == "pl"
        both = {"detail_en": exc.detail, "detail_pl": exc.detail_pl} if exc.detail_pl else {}
        return problem_response(
            exc.status,
            exc.slug,
            exc.title,
            exc.detail_pl if polish and exc.detail_pl else exc.detail,
            instance=request.url.path,
            errors=exc.errors,
            headers=exc.headers,
            extensions={**both, **exc.extensions},
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        malformed, issues = validation_issues(exc)
        if malformed:
            return problem_response(
                400,
                "malformed-json",
                "The body is not valid JSON",
                "The request body could not be parsed as JSON.",
                instance=request.url.path,
                errors=issues,
            )
        detail = "; ".join(f"{i.field}: {i.reason}" for i in issues[:5])
        return problem_response(
            422,
            "validation",
            "The request has invalid fields",
            detail,
            instance=request.url.path,
            errors=issues,
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
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        detail = exc.detail if isinstance(exc.detail, str) else title
        return problem_response(
            exc.status_code, slug, title, detail, instance=request.url.path, headers=dict(exc.headers or {})
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        """A constraint the code did not check first (or a race it lost): the client's request conflicts with
        stored data, so a 409 or 422 naming the constraint, never a 500."""
        state = getattr(exc.orig, "sqlstate", None)
        constraint = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None) or "a constraint"
        status, slug, title = DATABASE_CONFLICTS.get(state or "", (409, "conflict", "Conflict"))
        logger.info("constraint refused a write", extra={"path": request.url.path, "sqlstate": state})
        return problem_response(
            status,
            slug,
            title,
            f"The request conflicts with stored data ({constraint}); read the resource again and retry.",
            instance=request.url.path,
        )

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        return problem_response(
            412,
            "precondition-failed",
            "Precondition failed",
            "The resource changed while this request was changing it: read it again and retry.",
            instance=request.url.path,
        )


def internal_error(path: str) -> JSONResponse:
    return problem_response(
        500, "internal", "Internal error", "The server failed to handle the request; it has been logged.", instance=path
    )


class UnhandledErrorMiddleware:
    """A bug is a logged 500 problem, and the connection stays usable: an exception let out to the server would
    make it close the connection after the answer, and a client (the gateway's pool) reusing it would fail."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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
        response = problem_response(
            413,
            "payload-too-large",
            "Payload too large",
            f"Request bodies are limited to {self.max_bytes} bytes.",
            instance=scope["path"],
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
