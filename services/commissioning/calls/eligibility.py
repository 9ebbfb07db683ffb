"""Who may answer a call: the mode's rules (with the art. 361 look-back over past awards) and the call's own
requirements, against the catalogue's facts about the provider. Submission and the public check share it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.calls import repository
from services.commissioning.calls.service import RuleViolation
from services.commissioning.catalogue_client import CatalogueClient
from services.commissioning.clock import WARSAW, add_years
from services.commissioning.models.calls import Call
from services.commissioning.models.municipalities import MunicipalityBudget
from services.commissioning.rules.advisor import ProviderFacts, Reason, Requirements, provider_violations
from services.commissioning.rules.modes import Mode, ModeRules, rules_version
from shared.money import format_pln


async def eligibility(
    session: AsyncSession, catalogue: CatalogueClient, *, call: Call, provider_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    """Whether a provider may answer a call, with the reasons it may not."""
    found = await catalogue.verified_provider(provider_id)
    if found is None:
        reasons = [
            Reason(
                "provider-not-verified",
                "catalogue verification",
                "the provider is not verified in the catalogue",
                pl="podmiot nie jest zweryfikowany w katalogu",
                basis_pl="weryfikacja w katalogu",
            )
        ]
    else:
        service_types = [lot.service_type_id for lot in await repository.lots_of(session, [call.id])]
        reasons = await provider_reasons(session, call, found[0], service_types, lambda: now)
    return {
        "call_id": str(call.id),
        "provider_id": str(provider_id),
        "eligible": not reasons,
        "reasons": [r.as_dict() for r in reasons],
    }


async def provider_reasons(
    session: AsyncSession,
    call: Call,
    facts: ProviderFacts,
    service_type_ids: list[uuid.UUID],
    now_of: Callable[[], datetime],
) -> list[Reason]:
    """Why this provider may not answer this call: the mode's rules (with the art. 361 look-back over past
    awards for these service types) and the call's own requirements. Empty: eligible."""
    repeats = await repeat_awards(session, call, uuid.UUID(facts.provider_id), service_type_ids, now_of)
    return reasons_at(call, facts, repeat_awards=repeats)


async def repeat_awards(
    session: AsyncSession,
    call: Call,
    provider_id: uuid.UUID,
    service_type_ids: list[uuid.UUID],
    now_of: Callable[[], datetime],
) -> int:
    """The provider's awards for these service types from this municipality in this mode that the mode looks back
    on (art. 361 Pzp: the last 3 years); 0 where it does not look back (the clock is then not read)."""
    lookback = rules_version(call.rules_version).get(Mode(call.mode)).repeat_award_lookback_years
    if not lookback:
        return 0
    # the same calendar day `lookback` years ago, in Warsaw (not 365-day multiples)
    today = now_of().astimezone(WARSAW).date()
    since = datetime.combine(add_years(today, -lookback), time.min, WARSAW)
    repeats = 0
    for service_type_id in service_type_ids:
        repeats += await repository.repeat_awards(
            session,
            provider_id=provider_id,
            municipality=call.municipality_terc,
            service_type_id=service_type_id,
            mode=call.mode,
            since=since,
        )
    return repeats


def needs_past_awards(call: Call) -> bool:
    """Does deciding on an offer for this call read past awards (`ModeRules.reads_past_awards`)?"""
    return rules_version(call.rules_version).get(Mode(call.mode)).reads_past_awards


def reasons_at(call: Call, facts: ProviderFacts, *, repeat_awards: int) -> list[Reason]:
    """`provider_reasons` once the past awards it looks back on are counted."""
    requirements = Requirements(
        legal_forms=tuple(call.eligibility.get("legal_forms", [])),
        pes_only=bool(call.eligibility.get("pes_only")),
        social_enterprise_only=bool(call.eligibility.get("social_enterprise_only")),
        min_excluded_share=call.eligibility.get("min_excluded_share"),
    )
    rule_set = rules_version(call.rules_version)
    return provider_violations(rule_set, Mode(call.mode), facts, requirements, repeat_awards=repeat_awards)


async def small_grant_cap(
    session: AsyncSession, call: Call, *, provider_id: uuid.UUID, amount_grosze: int, at: datetime, field: str
) -> None:
    """The yearly cap on small grants: one authority grants one organisation at most this much in a calendar year
    in this mode (UDPP art. 19a), counting the grants already awarded that year and this one."""
    rules = rules_version(call.rules_version).get(Mode(call.mode))
    cap = rules.max_value_per_provider_year_grosze
    if cap is None:
        return
    year = at.astimezone(WARSAW).year
    start, end = _year(year)
    granted = await repository.awarded_value(
        session, provider_id=provider_id, municipality=call.municipality_terc, mode=call.mode, start=start, end=end
    )
    await _authority_ceiling(session, call, rules, amount_grosze=amount_grosze, year=year, field=field)
    if granted + amount_grosze > cap:
        raise RuleViolation(
            [
                Reason(
                    f"{call.mode}-yearly-cap",
                    rules.legal_basis,
                    f"{field}: with this one, the organisation's small grants from this municipality in {year} would "
                    f"total {format_pln(granted + amount_grosze)}, above {format_pln(cap)} a year",
                    {"granted_grosze": granted, "this_grosze": amount_grosze, "limit_grosze": cap, "year": year},
                    pl=f"{field}: łącznie z tą kwotą małe granty tej gminy dla tej organizacji w {year} r. wyniosłyby "
                    f"{format_pln(granted + amount_grosze)}, więcej niż {format_pln(cap)} rocznie",
                    basis_pl=rules.legal_basis_pl,
                )
            ]
        )


def _year(year: int) -> tuple[datetime, datetime]:
    return datetime.combine(date(year, 1, 1), time.min, WARSAW), datetime.combine(
        date(year + 1, 1, 1), time.min, WARSAW
    )


async def _authority_ceiling(
    session: AsyncSession, call: Call, rules: ModeRules, *, amount_grosze: int, year: int, field: str
) -> None:
    """All of an authority's small grants in a year: at most 20 % of what its budget plans for NGO grants that
    year (UDPP art. 19a), where the municipality has recorded that plan."""
    share = rules.max_share_of_ngo_grants
    budget = await session.get(MunicipalityBudget, (call.municipality_terc, year)) if share else None
    if budget is None or share is None:
        return
    ceiling = int(budget.ngo_grants_planned_grosze * share)
    start, end = _year(year)
    granted = await repository.awarded_value(
        session, provider_id=None, municipality=call.municipality_terc, mode=call.mode, start=start, end=end
    )
    if granted + amount_grosze > ceiling:
        raise RuleViolation(
            [
                Reason(
                    f"{call.mode}-authority-ceiling",
                    rules.legal_basis,
                    f"{field}: with this one, the municipality's small grants in {year} would total "
                    f"{format_pln(granted + amount_grosze)}, above {share:.0%} of the "
                    f"{format_pln(budget.ngo_grants_planned_grosze)} its budget plans for NGO grants "
                    f"({format_pln(ceiling)})",
                    {"granted_grosze": granted, "this_grosze": amount_grosze, "limit_grosze": ceiling, "year": year},
                    pl=f"{field}: łącznie z tą kwotą małe granty gminy w {year} r. wyniosłyby "
                    f"{format_pln(granted + amount_grosze)}, więcej niż {share:.0%} z "
                    f"{format_pln(budget.ngo_grants_planned_grosze)} zaplanowanych w budżecie na dotacje dla "
                    f"organizacji pozarządowych ({format_pln(ceiling)})",
                    basis_pl=rules.legal_basis_pl,
                )
            ]
        )
