"""OCDS 1.1 publication: release packages (paged, filterable by date) and records with compiled releases."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from services.commissioning.dependencies import ClockDep, state_of
from services.commissioning.ocds import mapping, repository
from services.commissioning.ocds.data import CallData
from services.commissioning.ocds.schemas import OcdsRecordPackage, OcdsReleasePackage
from shared.db import ReadSessionDep, database_of
from shared.errors import NotFound, ValidationProblem, problem_responses
from shared.responses import json_bytes, json_response
from shared.schemas import Timestamp

router = APIRouter(prefix="/ocds", tags=["ocds"])


def _base(request: Request) -> str:
    return str(state_of(request.app).settings.public_base_url).rstrip("/")


@router.get(
    "/releases",
    summary="OCDS release package of published calls (paged, by release date)",
    responses={200: {"model": OcdsReleasePackage}, **problem_responses(422)},
    description=(
        "OCDS 1.1 releases of published calls (planning, tender, amendments, bids after the deadline, awards,"
        " contracts, implementation), with the lots and bids extensions; `since` for what changed, paged with"
        " `links.next`."
    ),
)
async def release_package(
    request: Request,
    clock: ClockDep,
    since: Annotated[Timestamp | None, Query(description="Releases dated on or after (ISO 8601).")] = None,
    until: Annotated[Timestamp | None, Query(description="Releases dated before (ISO 8601).")] = None,
    after: Annotated[
        str | None,
        Query(max_length=400, description="Continue after this point (the cursor `links.next` carries)."),
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000, description="Page, from 1 (counted from `after` if given).")] = 1,
    per_page: Annotated[int, Query(ge=1, le=500, description="Releases per page.")] = 100,
) -> Response:
    now = clock.now()
    start = (page - 1) * per_page
    try:
        from_release = repository.after_cursor(after) if after is not None else None
    except ValueError:
        raise ValidationProblem.field(
            "after",
            "not a cursor this service gave (take it from links.next)",
            pl="to nie jest kursor wydany przez tę usługę (należy go wziąć z links.next)",
            location="query",
        ) from None
    # the page's releases from the index (one more tells whether a next page exists), then only their calls;
    # both on one snapshot, so the index and the calls agree
    async with database_of(request.app).snapshot() as session:
        index = await repository.release_index(
            session, now, since=since, until=until, limit=per_page + 1, offset=start, after=from_release
        )
        wanted = index[:per_page]
        calls = await repository.published_calls(session, ids=list({entry.call_id for entry in wanted}))
        ids = {entry.release_id for entry in wanted}
        gathered = await repository.gather(session, calls, now)
        built = {r["id"]: r for data in gathered for r in mapping.releases(data, only=ids)}
    chunk = [built[entry.release_id] for entry in wanted]
    filters = {k: v.isoformat() for k, v in (("since", since), ("until", until)) if v is not None}
    asked = {**filters, **({"after": after} if after else {}), "page": page, "per_page": per_page}
    package: dict[str, Any] = {
        "uri": f"{_base(request)}/ocds/releases?{urlencode(asked)}",
        **mapping.package_meta(_base(request), now),
        "releases": chunk,
    }
    if len(index) > per_page:  # the next page starts after this one's last release, however far in
        following = urlencode({**filters, "after": wanted[-1].cursor(), "per_page": per_page})
        package["links"] = {"next": f"{_base(request)}/ocds/releases?{following}"}
    return json_response(package)


@router.get(
    "/records/{ocid}",
    summary="OCDS record package: a call's releases and its compiled release",
    responses={200: {"model": OcdsRecordPackage}, **problem_responses(404)},
    description="A contracting process's releases and its compiled release.",
)
async def record_package(request: Request, ocid: str, session: ReadSessionDep, clock: ClockDep) -> Response:
    now = clock.now()
    calls = await repository.published_calls(session, ocid=ocid)
    if not calls:
        raise NotFound(
            f"No published contracting process has the ocid {ocid}.",
            pl=f"Żadne opublikowane postępowanie nie ma identyfikatora ocid {ocid}.",
        )
    (data,) = await repository.gather(session, calls, now)
    record = {"ocid": ocid, "releases": mapping.releases(data), "compiledRelease": mapping.compiled_release(data)}
    return json_response(
        {
            "uri": f"{_base(request)}/ocds/records/{ocid}",
            **mapping.package_meta(_base(request), now),
            "records": [record],
        }
    )


# Bulk files: every published call, read in batches on one snapshot of the database and written as it is read.
BULK_BATCH = 200
JSON_LINES = "application/x-ndjson"
Lines = Callable[[CallData], list[bytes]]  # a call's lines of a bulk file


def _bulk_doc(what: str, media_type: str) -> dict[str, Any]:
    return {
        "summary": f"Bulk download: {what}",
        "response_class": StreamingResponse,
        "responses": {200: {"content": {media_type: {"schema": {"type": "string"}}}, "description": what}},
        "description": (
            f"{what}, streamed: built while it is sent, from one consistent snapshot of the data, however many"
            " contracting processes there are (calls in publication order, each call's releases oldest first)."
            " For harvesting everything; `/ocds/releases` pages by release date."
        ),
    }


def _streamed(
    request: Request,
    now: datetime,
    lines: Lines,
    *,
    head: bytes,
    separator: bytes,
    tail: bytes,
    media_type: str,
    filename: str,
) -> StreamingResponse:
    async def body() -> AsyncIterator[bytes]:
        buffer, first = bytearray(head), True
        async with database_of(request.app).snapshot() as session:
            async for data in repository.every_call(session, now, batch=BULK_BATCH):
                for line in lines(data):
                    if not first:
                        buffer += separator
                    buffer += line
                    first = False
                if len(buffer) >= 64 * 1024:
                    yield bytes(buffer)
                    buffer.clear()
        buffer += tail
        yield bytes(buffer)

    return StreamingResponse(
        body(), media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _package_head(request: Request, now: datetime, key: str, filename: str) -> bytes:
    meta = {"uri": f"{_base(request)}/ocds/bulk/{filename}", **mapping.package_meta(_base(request), now)}
    return json_bytes(meta)[:-1] + f',"{key}":['.encode()


def _release_lines(data: CallData) -> list[bytes]:
    return [json_bytes(release) for release in mapping.releases(data)]


def _record_lines(data: CallData) -> list[bytes]:
    releases = mapping.releases(data)
    return [
        json_bytes({"ocid": data.call.ocid, "releases": releases, "compiledRelease": mapping.compiled_release(data)})
    ]


def _json_lines(request: Request, now: datetime, lines: Lines, filename: str) -> StreamingResponse:
    """One JSON object a line, each ended by a newline (none at all when nothing is published)."""

    def ended(data: CallData) -> list[bytes]:
        return [line + b"\n" for line in lines(data)]

    return _streamed(request, now, ended, head=b"", separator=b"", tail=b"", media_type=JSON_LINES, filename=filename)


def _package(request: Request, now: datetime, lines: Lines, key: str, filename: str) -> StreamingResponse:
    """One OCDS package: its metadata, then `key`'s array of every line."""
    head = _package_head(request, now, key, filename)
    return _streamed(
        request, now, lines, head=head, separator=b",", tail=b"]}", media_type="application/json", filename=filename
    )


@router.get("/bulk/releases.jsonl", **_bulk_doc("every release, one JSON object a line (JSON Lines)", JSON_LINES))
async def bulk_releases(request: Request, clock: ClockDep) -> StreamingResponse:
    return _json_lines(request, clock.now(), _release_lines, "releases.jsonl")


@router.get("/bulk/release-package.json", **_bulk_doc("every release in one OCDS release package", "application/json"))
async def bulk_release_package(request: Request, clock: ClockDep) -> StreamingResponse:
    return _package(request, clock.now(), _release_lines, "releases", "release-package.json")


@router.get(
    "/bulk/records.jsonl",
    **_bulk_doc("every contracting process's record (its releases and compiled release), one a line", JSON_LINES),
)
async def bulk_records(request: Request, clock: ClockDep) -> StreamingResponse:
    return _json_lines(request, clock.now(), _record_lines, "records.jsonl")


@router.get(
    "/bulk/record-package.json",
    **_bulk_doc("every contracting process's record in one OCDS record package", "application/json"),
)
async def bulk_record_package(request: Request, clock: ClockDep) -> StreamingResponse:
    return _package(request, clock.now(), _record_lines, "records", "record-package.json")
