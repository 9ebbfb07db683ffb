"""The gateway's own views across both services: a municipality's overview, a provider's profile and its
opportunities (open calls it could answer, and why not when it cannot)."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Request, Response

from services.gateway.views.parts import Part, fetch, gather
from services.gateway.views.schemas import answer
from shared.errors import NotFound, problem_responses
from shared.identifiers import GminaTercStr
from shared.responses import json_response

router = APIRouter(prefix="/v1", tags=["views"])


@router.get(
    "/municipalities/{terc}/overview",
    summary="A municipality at a glance: its plans, open calls, contracts, indicators, and the providers and "
    "offerings available in its area",
    responses={**answer("MunicipalityOverview"), **problem_responses(422)},
    description=(
        "The municipality's programmes, open calls, active contracts and this year's indicators (from "
        "commissioning) with the providers and offerings available in its area (from the catalogue), fetched "
        "concurrently. Its needs are included for the municipality itself. A part that cannot be had in time "
        "is listed in `missing`; the rest still answers."
    ),
)
async def municipality_overview(terc: GminaTercStr, request: Request) -> Response:
    # commissioning answers its public parts in one request (programmes, open calls, contracts, indicators)
    data, missing = await gather(
        request,
        [
            Part("summary", "commissioning", f"/v1/municipalities/{terc}/summary", forward_token=True),
            Part("needs", "commissioning", f"/v1/municipalities/{terc}/needs", forward_token=True, private=True),
            Part("providers", "catalogue", "/v1/providers", f"place={terc}&per_page=100"),
            Part("offerings", "catalogue", "/v1/offerings", f"place={terc}&per_page=100&sort=price"),
        ],
    )
    summary = data.pop("summary", {})
    return json_response({"terc": terc, **summary, **data, "missing": missing})


@router.get(
    "/providers/{provider_id}/profile",
    summary="A provider's catalogue record and offerings with its track record in commissioning",
    responses={**answer("ProviderProfile"), **problem_responses(404)},
    description=(
        "A provider's catalogue record and offerings with its public track record (awards, contracts, "
        "accepted reports). Unverified providers are visible to their members only."
    ),
)
async def provider_profile(provider_id: uuid.UUID, request: Request) -> Response:
    data, missing = await gather(
        request,
        [
            Part("provider", "catalogue", f"/v1/providers/{provider_id}", forward_token=True),
            Part(
                "offerings", "catalogue", f"/v1/providers/{provider_id}/offerings", "per_page=100", forward_token=True
            ),
            Part("track_record", "commissioning", f"/v1/track-records/{provider_id}"),
        ],
    )
    if "provider" not in data and any("catalogue answered 404" in m["reason"] for m in missing):
        raise NotFound(
            f"Provider {provider_id} does not exist or is not public (unverified).",
            pl=f"Podmiot {provider_id} nie istnieje lub nie jest publiczny (niezweryfikowany).",
        )
    return json_response({"provider_id": str(provider_id), **data, "missing": missing})


def _covers(offering_areas: list[str], lot_area: str) -> bool:
    """An offering delivered in a unit containing the lot's area (or the area itself) can serve the lot."""
    return any(lot_area.startswith(area) for area in offering_areas)


@router.get(
    "/providers/{provider_id}/opportunities",
    summary="Open calls whose lots match the provider's offerings (service type and area), with its eligibility",
    responses={**answer("ProviderOpportunities"), **problem_responses(404)},
    description=(
        "Open calls with a lot of a service type the provider offers in the lot's area, each with the "
        "provider's eligibility checked by the same rules as at submission, and the reasons when it is not "
        "eligible."
    ),
)
async def provider_opportunities(provider_id: uuid.UUID, request: Request) -> Response:
    data, missing = await gather(
        request,
        [
            Part(
                "offerings", "catalogue", f"/v1/providers/{provider_id}/offerings", "per_page=100", forward_token=True
            ),
            Part("calls", "commissioning", "/v1/calls", "status=open&per_page=100"),
        ],
    )
    if missing:
        return json_response({"provider_id": str(provider_id), "opportunities": [], "missing": missing})
    offerings = [o for o in data["offerings"]["items"] if o["active"]]
    matches = []
    for call in data["calls"]["items"]:
        lots = [
            lot
            for lot in call["lots"]
            if any(
                o["service_type"]["id"] == lot["service_type_id"] and _covers(o["delivery_areas"], lot["area_terc"])
                for o in offerings
            )
        ]
        if lots:
            matches.append((call, lots))
    checks = await asyncio.gather(
        *(
            fetch(
                request,
                Part(
                    f"eligibility:{call['id']}",
                    "commissioning",
                    f"/v1/calls/{call['id']}/eligibility",
                    f"provider_id={provider_id}",
                ),
            )
            for call, _ in matches
        )
    )
    opportunities = []
    for (call, lots), (_, eligibility, why) in zip(matches, checks, strict=True):
        opportunities.append(
            {
                "call_id": call["id"],
                "ocid": call["ocid"],
                "title": call["title"],
                "mode": call["mode"],
                "municipality_terc": call["municipality_terc"],
                "deadline": call["deadline"],
                "lots": [{"id": lot["id"], "title": lot["title"], "value_grosze": lot["value_grosze"]} for lot in lots],
                "eligible": eligibility["eligible"] if eligibility else None,
                "reasons": eligibility["reasons"] if eligibility else [],  # why not: in `missing`
            }
        )
        if why:
            missing.append({"part": f"eligibility:{call['id']}", "reason": why})
    return json_response({"provider_id": str(provider_id), "opportunities": opportunities, "missing": missing})
