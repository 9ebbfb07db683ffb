"""The views' answers as JSON Schema for the merged OpenAPI document. The views compose the services' own
answers, so their schemas point at the services' components (`ProviderOut`, `Page_OfferingOut_`...), which the
merged document holds; SDKs then type every part."""

from __future__ import annotations

from typing import Any


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


MISSING_PART = {
    "title": "MissingPart",
    "type": "object",
    "required": ["part", "reason"],
    "properties": {"part": {"type": "string"}, "reason": {"type": "string"}},
}
MISSING = {
    **array(ref("MissingPart")),
    "description": "The parts that could not be had (a service down or slow), with the reason; the rest is whole.",
}

OVERVIEW = {
    "title": "MunicipalityOverview",
    "type": "object",
    "required": ["terc", "missing"],
    "properties": {
        "terc": {"type": "string", "description": "The municipality (TERC)."},
        "municipality": ref("MunicipalityOut"),
        "programmes": array(ref("ProgrammeOut")),
        "open_calls": ref("OpenCalls"),
        "active_contracts": array(ref("ContractOut")),
        "indicators": ref("IndicatorsOut"),
        "needs": {**ref("Page_NeedOut_"), "description": "Only for the municipality itself (and admins)."},
        "providers": ref("Page_ProviderOut_"),
        "offerings": ref("Page_OfferingOut_"),
        "missing": MISSING,
    },
}

PROFILE = {
    "title": "ProviderProfile",
    "type": "object",
    "required": ["provider_id", "missing"],
    "properties": {
        "provider_id": {"type": "string", "format": "uuid"},
        "provider": ref("ProviderOut"),
        "offerings": ref("Page_OfferingOut_"),
        "track_record": ref("TrackRecordOut"),
        "missing": MISSING,
    },
}

OPPORTUNITIES = {
    "title": "ProviderOpportunities",
    "type": "object",
    "required": ["provider_id", "opportunities", "missing"],
    "properties": {
        "provider_id": {"type": "string", "format": "uuid"},
        "opportunities": array(ref("Opportunity")),
        "missing": MISSING,
    },
}

OPPORTUNITY = {
    "title": "Opportunity",
    "type": "object",
    "required": ["call_id", "ocid", "title", "mode", "municipality_terc", "deadline", "lots", "reasons"],
    "properties": {
        "call_id": {"type": "string", "format": "uuid"},
        "ocid": {"type": "string"},
        "title": {"type": "string"},
        "mode": {"type": "string"},
        "municipality_terc": {"type": "string"},
        "deadline": {"type": "string", "format": "date-time"},
        "lots": array(ref("OpportunityLot")),
        "eligible": {
            "anyOf": [{"type": "boolean"}, {"type": "null"}],
            "description": "None when the check could not be made (see `missing`).",
        },
        "reasons": array(ref("ReasonOut")),
    },
}

OPPORTUNITY_LOT = {
    "title": "OpportunityLot",
    "type": "object",
    "required": ["id", "title", "value_grosze"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "title": {"type": "string"},
        "value_grosze": {"type": "integer"},
    },
}

GATEWAY_EVENT_PAGE = {
    "title": "GatewayEventPage",
    "type": "object",
    "required": ["items", "next_cursor", "missing"],
    "properties": {
        "items": {**array(ref("CloudEvent")), "description": "Both services' events, each service's in its order."},
        "next_cursor": {"type": "string", "description": "Pass as `after`: both services' cursors."},
        "missing": MISSING,
    },
}

# The components the views add to the gateway's own document (merged with the services' ones).
COMPONENTS = {
    "GatewayEventPage": GATEWAY_EVENT_PAGE,
    "MunicipalityOverview": OVERVIEW,
    "ProviderProfile": PROFILE,
    "ProviderOpportunities": OPPORTUNITIES,
    "Opportunity": OPPORTUNITY,
    "OpportunityLot": OPPORTUNITY_LOT,
    "MissingPart": MISSING_PART,
}


def answer(component: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": "The view", "content": {"application/json": {"schema": ref(component)}}}}
