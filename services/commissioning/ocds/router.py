"""OCDS 1.1 publication: release packages (paged, filterable by date) and records with compiled releases."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from services.commissioning.dependencies import ClockDep, state_of
from services.commissioning.ocds import mapping, repository, sections
from services.commissioning.ocds.data import STAGES
from services.commissioning.ocds.schemas import OcdsRecordPackage, OcdsReleasePackage
from shared.db import ReadSessionDep
from shared.errors import NotFound, problem_responses
from shared.responses import json_response
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
    session: ReadSessionDep,
    clock: ClockDep,
    since: Annotated[Timestamp | None, Query(description="Releases dated on or after (ISO 8601).")] = None,
    until: Annotated[Timestamp | None, Query(description="Releases dated before (ISO 8601).")] = None,
    page: Annotated[int, Query(ge=1, le=100_000, description="Page, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=500, description="Releases per page.")] = 100,
) -> Response:
    now = clock.now()
    releases: list[dict[str, Any]] = []
    for data in await repository.gather(session, await repository.published_calls(session), now):
        releases.extend(mapping.releases(data))
    if since:
        releases = [r for r in releases if r["date"] >= sections.iso(since)]
    if until:
        releases = [r for r in releases if r["date"] < sections.iso(until)]
    releases.sort(key=lambda r: (r["date"], STAGES.index(r["tag"][0]), r["id"]))
    start = (page - 1) * per_page
    chunk = releases[start : start + per_page]
    query = f"?page={page}&per_page={per_page}"
    package: dict[str, Any] = {
        "uri": f"{_base(request)}/ocds/releases{query}",
        **mapping.package_meta(_base(request), now),
        "releases": chunk,
    }
    if start + per_page < len(releases):
        package["links"] = {"next": f"{_base(request)}/ocds/releases?page={page + 1}&per_page={per_page}"}
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
