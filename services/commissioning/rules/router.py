"""The rules table, readable: every mode with its legal basis, limits and validity."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter

from services.commissioning.rules.modes import RULE_SETS, SOURCES, VERIFY_FLAGS

router = APIRouter(prefix="/v1/rules", tags=["rules"])


@router.get("/sources", summary="The acts the rules cite: publication, consolidated text, provisions relied on")
async def list_sources() -> list[dict[str, Any]]:
    return [{**dataclasses.asdict(s), "articles": list(s.articles)} for s in SOURCES]


@router.get("", summary="The commissioning rules tables, by version and validity")
async def list_rules() -> list[dict[str, Any]]:
    return [
        {
            "version": rs.version,
            "valid_from": rs.valid_from.isoformat(),
            "valid_to": rs.valid_to.isoformat() if rs.valid_to else None,
            "national_threshold_grosze": rs.national_threshold_grosze,
            "eu_social_threshold_eur": rs.eu_social_threshold_eur,
            "eu_social_threshold_grosze": rs.eu_social_threshold_grosze,
            "eur_rate": rs.eur_rate,
            "eur_rate_source": rs.eur_rate_source,
            "min_days_after_amendment": rs.min_days_after_amendment,
            "to_verify": list(VERIFY_FLAGS.get(rs.version, ())),
            "modes": [
                {
                    **{k: (v.value if hasattr(v, "value") else v) for k, v in dataclasses.asdict(m).items()},
                    "verify": list(m.verify),
                }
                for m in rs.modes.values()
            ],
        }
        for rs in RULE_SETS
    ]
