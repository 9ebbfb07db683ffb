"""The rules table, readable: every mode with its legal basis, limits and validity."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from services.commissioning.rules.modes import RULE_SETS, SOURCES, VERIFY_FLAGS
from services.commissioning.rules.schemas import ModeRulesOut, RuleSetOut, SourceOut
from shared.cache import cached_json

RULES_MAX_AGE = 3600  # the rules change with a release
RULES = "rules"  # their cache topic (shared.cache): built once per process, never invalidated by a request

router = APIRouter(prefix="/v1/rules", tags=["rules"])


async def _kept(request: Request, answer: Callable[[], Sequence[BaseModel]]) -> Response:
    """The answer, built when the cache has it not, and answered from the cache while it is fresh."""

    async def build() -> list[Any]:
        return [item.model_dump(mode="json") for item in answer()]

    return await cached_json(request, RULES, build, max_age=RULES_MAX_AGE)


@router.get(
    "/sources",
    summary="The acts the rules cite: publication, consolidated text, provisions relied on",
    response_model=list[SourceOut],
    description=(
        "The acts the rules cite: their publication in Dziennik Ustaw, the consolidated text followed, the "
        "provisions relied on."
    ),
)
async def list_sources(request: Request) -> Response:
    return await _kept(request, _sources)


@router.get(
    "",
    summary="The commissioning rules tables, by version and validity",
    response_model=list[RuleSetOut],
    description=(
        "Every rule set with its validity dates, the thresholds and the euro rate of its notice, and every "
        "mode's limits and legal basis; figures found in secondary sources only are flagged to verify."
    ),
)
async def list_rules(request: Request) -> Response:
    return await _kept(request, _rule_sets)


def _sources() -> list[SourceOut]:
    return [SourceOut.model_validate({**dataclasses.asdict(s), "articles": list(s.articles)}) for s in SOURCES]


def _rule_sets() -> list[RuleSetOut]:
    return [
        RuleSetOut(
            version=rs.version,
            valid_from=rs.valid_from.isoformat(),
            valid_to=rs.valid_to.isoformat() if rs.valid_to else None,
            national_threshold_grosze=rs.national_threshold_grosze,
            eu_social_threshold_eur=rs.eu_social_threshold_eur,
            eu_social_threshold_grosze=rs.eu_social_threshold_grosze,
            eur_rate=rs.eur_rate,
            eur_rate_source=rs.eur_rate_source,
            min_days_after_amendment=rs.min_days_after_amendment,
            to_verify=list(VERIFY_FLAGS.get(rs.version, ())),
            modes=[
                ModeRulesOut.model_validate({**dataclasses.asdict(m), "verify": list(m.verify)})
                for m in rs.modes.values()
            ],
        )
        for rs in RULE_SETS
    ]
