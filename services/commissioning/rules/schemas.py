"""The API shapes of the rules: reasons, the mode advisor's verdicts, the rules tables and their sources."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from services.commissioning.rules.advisor import Verdict
from services.commissioning.rules.modes import Eligibility, Mode
from shared.schemas import Schema


class ReasonOut(Schema):
    """Why a rule allows, recommends or refuses: in the request's language, both languages beside it."""

    rule: str = Field(description="Stable code of the rule, e.g. `small-grant-max-value`.")
    legal_basis: str = Field(description="The provision, in the request's language.")
    detail: str = Field(description="The reason, in the request's language (Accept-Language).")
    legal_basis_pl: str = Field(description="The provision as Polish officials write it.")
    detail_pl: str = Field(description="The reason in Polish.")
    detail_en: str = Field(description="The reason in English.")
    compared: dict[str, Any] = Field(description="The figures compared: the value and its limit, in grosze or days.")


class ModeAdvice(Schema):
    mode: Mode = Field(description="The commissioning mode.")
    name_pl: str = Field(description="Its Polish name.")
    name_en: str = Field(description="Its English name.")
    legal_basis: str = Field(description="Where the law sets it.")
    verdict: Verdict = Field(description="recommended, allowed, forbidden, or lawful but not a call.")
    reasons: list[ReasonOut] = Field(description="Why.")
    min_publication_days: int | None = Field(description="Days from publication to the deadline, at least.")
    to_verify: list[str] = Field(description="Figures of this mode found in secondary sources only.")


class ModeRulesOut(Schema):
    """One mode's rules in a rule set (`GET /v1/rules`)."""

    mode: Mode
    name_pl: str
    name_en: str
    legal_basis: str
    eligibility: str = Field(description=f"Who may take part: {', '.join(e.value for e in Eligibility)}.")
    by_call: bool = Field(description="Commissioned through a published call with offers.")
    max_value_grosze: int | None
    min_value_grosze: int | None
    max_duration_days: int | None
    max_duration_years: int | None = Field(description="In calendar years, not multiples of 365 days.")
    min_publication_days: int | None
    publication_basis: str | None
    offer_comment_days: int | None = Field(description="The winning offer is public this long before the contract.")
    max_share_of_ngo_grants: float | None
    compares_net: bool = Field(description="Values compared without VAT (Pzp); else what is paid (grants).")
    max_value_per_provider_year_grosze: int | None
    social_services_only: bool
    min_excluded_share: float | None
    repeat_award_lookback_years: int | None
    reaches_pes: bool
    notes: str
    legal_basis_pl: str
    notes_pl: str
    publication_basis_pl: str | None
    verify: list[str] = Field(description="Figures found in secondary sources only.")


class RuleSetOut(Schema):
    version: str = Field(examples=["2026-01"])
    valid_from: str = Field(description="First day of the set (a call follows the set in force when published).")
    valid_to: str | None = Field(description="Last day, or none: until changed.")
    national_threshold_grosze: int = Field(description="Pzp applies from this net value (130 000 zł).")
    eu_social_threshold_eur: int = Field(description="The EU threshold for social services, in euro.")
    eu_social_threshold_grosze: int = Field(description="The same in grosze at the rate of the period's notice.")
    eur_rate: str = Field(description="Złoty for one euro in public procurement in this period.")
    eur_rate_source: str = Field(description="The notice that set the rate.")
    min_days_after_amendment: int
    to_verify: list[str] = Field(description="Figures of the set found in secondary sources only.")
    modes: list[ModeRulesOut]


class SourceOut(Schema):
    code: str = Field(description="How the rules refer to the act.", examples=["UDPP"])
    title_pl: str
    title_en: str
    published: str = Field(description="The original publication.", examples=["Dz.U. 2003 nr 96 poz. 873"])
    consolidated: str | None = Field(description="The consolidated text (tekst jednolity) the citations follow.")
    articles: list[str] = Field(description="The provisions the rules rely on.")
    verify: bool = Field(description="The consolidated text's reference comes from secondary sources only.")
