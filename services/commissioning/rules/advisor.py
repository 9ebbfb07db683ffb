"""The rules applied: which modes a need allows, recommends or forbids, and why; what a call or an offer breaks.

Plain functions over plain values (no database, no HTTP): the mode advisor, publishing a call and submitting an
offer all go through them, so the reasons a client reads are the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from services.commissioning.clock import add_years, within_years
from services.commissioning.rules.modes import NGO_FORMS, RESERVED_94_FORMS, Eligibility, Mode, ModeRules, RuleSet
from shared.i18n import language
from shared.money import format_pln


class Verdict(StrEnum):
    RECOMMENDED = "recommended"  # allowed, and a way to reach social-economy entities
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"
    NOT_A_CALL = "not-a-call"  # lawful, but not commissioned through a call (in-house, inter-municipal...)


@dataclass(frozen=True)
class Reason:
    """Why: a stable code, the provision (as English readers cite it, and in the form Polish officials write it),
    the sentence in English and in Polish, and the figures compared."""

    rule: str  # stable code, e.g. "small-grant-max-value"
    legal_basis: str
    detail: str
    compared: dict[str, Any] = field(default_factory=dict)  # the figures compared: value and limit
    pl: str = ""  # the detail in Polish
    basis_pl: str = ""  # the provision in the form officials write it

    def as_dict(self) -> dict[str, Any]:
        """`detail` and `legal_basis` in the request's language (Accept-Language), both languages beside them."""
        polish = language() == "pl" and bool(self.pl)
        return {
            "rule": self.rule,
            "legal_basis": (self.basis_pl or self.legal_basis) if polish else self.legal_basis,
            "detail": self.pl if polish else self.detail,
            "legal_basis_pl": self.basis_pl or self.legal_basis,
            "detail_pl": self.pl or self.detail,
            "detail_en": self.detail,
            "compared": self.compared,
        }


def net_of(gross_grosze: int, vat_rate_percent: int | None) -> int:
    """The value without VAT (None: exempt, as social services usually are)."""
    return gross_grosze * 100 // (100 + (vat_rate_percent or 0))


@dataclass(frozen=True)
class NeedFacts:
    value_grosze: int  # gross: what the municipality pays
    period_start: date
    period_end: date
    local_pes_offerings: int | None = None  # verified PES offering the service in the area (catalogue)
    vat_rate_percent: int | None = None  # None: exempt


@dataclass(frozen=True)
class ProviderFacts:
    provider_id: str
    legal_form: str
    is_pes: bool
    social_enterprise: bool
    excluded_share: float | None


@dataclass(frozen=True)
class Requirements:
    """A call's own eligibility requirements, on top of the mode's."""

    legal_forms: tuple[str, ...] = ()
    pes_only: bool = False
    social_enterprise_only: bool = False
    min_excluded_share: float | None = None


PZP_SCOPE = "Pzp art. 2 ust. 1 pkt 1"  # the act applies from the national threshold
PZP_SCOPE_PL = "art. 2 ust. 1 pkt 1 ustawy – Prawo zamówień publicznych"
CALL_REQUIREMENTS_PL = "wymagania ogłoszenia"


def years_pl(n: int) -> str:
    """`3 lata`, `5 lat`, `1 rok`: Polish counts years in three forms."""
    if n == 1:
        return "1 rok"
    few = n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14)
    return f"{n} lata" if few else f"{n} lat"


def pln(grosze: int) -> str:
    return format_pln(grosze)


def _value_and_duration(
    rules: ModeRules, gross: int, start: date, end: date, vat_rate_percent: int | None = None
) -> list[Reason]:
    """The mode's value limits (compared net for Pzp, gross for grants) and duration limits."""
    value = net_of(gross, vat_rate_percent) if rules.compares_net else gross
    reasons = []
    if rules.max_value_grosze is not None and value > rules.max_value_grosze:
        reasons.append(
            Reason(
                f"{rules.mode}-max-value",
                rules.legal_basis,
                f"value {pln(value)}{' net' if rules.compares_net else ''} exceeds the limit of "
                f"{pln(rules.max_value_grosze)}",
                {"value_grosze": value, "limit_grosze": rules.max_value_grosze},
                pl=f"wartość {pln(value)}{' netto' if rules.compares_net else ''} przekracza limit "
                f"{pln(rules.max_value_grosze)}",
                basis_pl=rules.legal_basis_pl,
            )
        )
    if rules.min_value_grosze is not None and value < rules.min_value_grosze:
        reasons.append(
            Reason(
                f"{rules.mode}-min-value",
                PZP_SCOPE,
                f"value {pln(value)} is below {pln(rules.min_value_grosze)} net: Pzp does not apply, so neither do "
                f"its procedures ({rules.legal_basis}); the municipality's own rules do, which may reserve the "
                "contract for social-economy entities by analogy",
                {"value_grosze": value, "limit_grosze": rules.min_value_grosze},
                pl=f"wartość {pln(value)} netto jest niższa niż {pln(rules.min_value_grosze)}: ustawy Prawo zamówień "
                f"publicznych nie stosuje się, a więc i jej trybów ({rules.legal_basis_pl}); stosuje się zasady "
                "własne gminy, które mogą zastrzec zamówienie dla podmiotów ekonomii społecznej na zasadzie analogii",
                basis_pl=PZP_SCOPE_PL,
            )
        )
    days = (end - start).days + 1
    if rules.max_duration_days is not None and days > rules.max_duration_days:
        reasons.append(
            Reason(
                f"{rules.mode}-max-duration",
                rules.legal_basis,
                f"duration of {days} days exceeds the limit of {rules.max_duration_days} days",
                {"duration_days": days, "limit_days": rules.max_duration_days},
                pl=f"czas realizacji {days} dni przekracza limit {rules.max_duration_days} dni",
                basis_pl=rules.legal_basis_pl,
            )
        )
    years = rules.max_duration_years
    if years is not None and not within_years(start, end, years):
        last_day = add_years(start, years) - timedelta(days=1)
        reasons.append(
            Reason(
                f"{rules.mode}-max-duration",
                rules.legal_basis,
                f"the period {start.isoformat()} to {end.isoformat()} exceeds {years} years: it may end on "
                f"{last_day.isoformat()} at the latest",
                {"period_end": end.isoformat(), "latest_end": last_day.isoformat(), "limit_years": years},
                pl=f"okres od {start.isoformat()} do {end.isoformat()} przekracza {years_pl(years)}: może się "
                f"zakończyć najpóźniej {last_day.isoformat()}",
                basis_pl=rules.legal_basis_pl,
            )
        )
    return reasons


# Procedures of the Pzp act, which the EU threshold for social services changes.
PZP_MODES = (Mode.LIGHT_REGIME, Mode.RESERVED_94, Mode.RESERVED_361)
EU_SOCIAL_SERVICES = "dyrektywa 2014/24/UE, art. 4 lit. d i art. 74-75; Pzp art. 359-360"
EU_SOCIAL_SERVICES_PL = (
    "art. 4 lit. d i art. 74–75 dyrektywy 2014/24/UE; art. 359–360 ustawy – Prawo zamówień publicznych"
)


def _eu_threshold(rule_set: RuleSet, value: int) -> list[Reason]:
    """At or above the EU threshold for social services the procedure becomes a European one."""
    threshold = rule_set.eu_social_threshold_grosze
    if value < threshold:
        return []
    euros = f"{rule_set.eu_social_threshold_eur:,}".replace(",", " ")
    return [
        Reason(
            "eu-threshold",
            EU_SOCIAL_SERVICES,
            f"value {pln(value)} reaches the EU threshold for social services ({euros} EUR, {pln(threshold)} by "
            "the notice in force): the contract notice (or a prior information notice) and the contract award "
            "notice are published in the Official Journal of the EU, and the periods for offers are set for a "
            "European procedure (to verify against the act in force)",
            {"value_grosze": value, "threshold_grosze": threshold, "threshold_eur": rule_set.eu_social_threshold_eur},
            pl=f"wartość {pln(value)} osiąga próg unijny dla usług społecznych ({euros} EUR, {pln(threshold)} według "
            "obwieszczenia w mocy): ogłoszenie o zamówieniu (lub wstępne ogłoszenie informacyjne) i ogłoszenie o "
            "udzieleniu zamówienia publikuje się w Dzienniku Urzędowym Unii Europejskiej, a terminy składania ofert "
            "ustala się jak w postępowaniu unijnym (do sprawdzenia z ustawą w mocy)",
            basis_pl=EU_SOCIAL_SERVICES_PL,
        )
    ]


def advise(rule_set: RuleSet, need: NeedFacts) -> list[dict[str, Any]]:
    """Every mode with its verdict and reasons, recommended first."""
    advice = []
    for rules in rule_set.modes.values():
        forbidden = _value_and_duration(
            rules, need.value_grosze, need.period_start, need.period_end, need.vat_rate_percent
        )
        reasons: list[Reason] = []
        if forbidden:
            verdict = Verdict.FORBIDDEN
            reasons = forbidden
        elif not rules.by_call:
            verdict = Verdict.NOT_A_CALL
            reasons = [
                Reason(
                    f"{rules.mode}-not-a-call",
                    rules.legal_basis,
                    rules.notes,
                    pl=rules.notes_pl,
                    basis_pl=rules.legal_basis_pl,
                )
            ]
        elif rules.reaches_pes:
            verdict = Verdict.RECOMMENDED
            detail = "reaches social-economy entities" + (
                f" ({rules.notes})" if rules.mode is Mode.BELOW_THRESHOLD else ""
            )
            detail_pl = "dociera do podmiotów ekonomii społecznej"
            if rules.mode is Mode.BELOW_THRESHOLD:
                detail_pl += f" ({rules.notes_pl})"
            if need.local_pes_offerings is not None:
                detail += f"; {need.local_pes_offerings} offerings of this service by verified PES in the area"
                detail_pl += f"; zweryfikowane PES na tym obszarze oferują tę usługę: {need.local_pes_offerings}"
            reasons = [
                Reason(
                    f"{rules.mode}-reaches-pes",
                    rules.legal_basis,
                    detail,
                    {"local_pes_offerings": need.local_pes_offerings},
                    pl=detail_pl,
                    basis_pl=rules.legal_basis_pl,
                )
            ]
        else:
            verdict = Verdict.ALLOWED
            reasons = [
                Reason(
                    f"{rules.mode}-allowed",
                    rules.legal_basis,
                    "within the mode's limits",
                    pl="w granicach limitów trybu",
                    basis_pl=rules.legal_basis_pl,
                )
            ]
        if (
            verdict is Verdict.RECOMMENDED
            and need.local_pes_offerings == 0
            and rules.eligibility in (Eligibility.RESERVED_94, Eligibility.RESERVED_361)
        ):
            verdict = Verdict.ALLOWED
            reasons.append(
                Reason(
                    f"{rules.mode}-no-local-pes",
                    rules.legal_basis,
                    "no verified PES offers this service in the area: a reserved call may get no offers",
                    pl="żaden zweryfikowany PES nie oferuje tej usługi na tym obszarze: zamówienie zastrzeżone może "
                    "nie otrzymać ofert",
                    basis_pl=rules.legal_basis_pl,
                )
            )
        if verdict is not Verdict.FORBIDDEN and rules.mode in PZP_MODES:
            reasons += _eu_threshold(rule_set, net_of(need.value_grosze, need.vat_rate_percent))
        advice.append(
            {
                "mode": rules.mode.value,
                "name_pl": rules.name_pl,
                "name_en": rules.name_en,
                "legal_basis": rules.legal_basis,
                "verdict": verdict.value,
                "reasons": [r.as_dict() for r in reasons],
                "min_publication_days": rules.min_publication_days,
                "to_verify": list(rules.verify),
            }
        )
    order = {Verdict.RECOMMENDED: 0, Verdict.ALLOWED: 1, Verdict.NOT_A_CALL: 2, Verdict.FORBIDDEN: 3}
    return sorted(advice, key=lambda a: order[Verdict(a["verdict"])])


def contract_violations(
    rule_set: RuleSet,
    mode: Mode,
    *,
    value_grosze: int,
    period_start: date,
    period_end: date,
    vat_rate_percent: int | None = None,
) -> list[Reason]:
    """What a contract in this mode, as amended, breaks: the mode's value and duration limits hold for the
    contract's whole life, not only for the call."""
    return _value_and_duration(rule_set.get(mode), value_grosze, period_start, period_end, vat_rate_percent)


PZP_CHANGES = "Pzp art. 455"
PZP_CHANGES_PL = "art. 455 ustawy – Prawo zamówień publicznych"


def pzp_change_violations(
    rule_set: RuleSet, *, basis: str | None, original_grosze: int, new_grosze: int, vat_rate_percent: int | None
) -> list[Reason]:
    """A change of a Pzp contract's value needs a basis in art. 455, within its limits (compared net)."""
    if new_grosze == original_grosze:
        return []
    change = abs(net_of(new_grosze, vat_rate_percent) - net_of(original_grosze, vat_rate_percent))
    original = net_of(original_grosze, vat_rate_percent)
    compared = {"change_grosze": change, "original_grosze": original, "basis": basis}
    if basis is None:
        return [
            Reason(
                "pzp-change-basis",
                PZP_CHANGES,
                "a change of a Pzp contract's value needs its basis in art. 455 (change_basis)",
                compared,
                pl="zmiana wartości umowy zawartej na podstawie ustawy Prawo zamówień publicznych wymaga podstawy "
                "z art. 455 (change_basis)",
                basis_pl=PZP_CHANGES_PL,
            )
        ]
    if basis == "de-minimis":
        limit = min(original * 10 // 100, rule_set.eu_social_threshold_grosze)
        if change >= limit:
            return [
                Reason(
                    "pzp-change-de-minimis",
                    f"{PZP_CHANGES} ust. 2",
                    f"a change of {pln(change)} net is not below 10 % of the original {pln(original)} (and the EU "
                    "threshold)",
                    {**compared, "limit_grosze": limit},
                    pl=f"zmiana o {pln(change)} netto nie jest niższa niż 10% pierwotnej wartości {pln(original)} "
                    "(i niż próg unijny)",
                    basis_pl="art. 455 ust. 2 ustawy – Prawo zamówień publicznych",
                )
            ]
        return []
    if basis in ("additional-services", "unforeseeable") and change > original // 2:
        point = "pkt 3" if basis == "additional-services" else "pkt 4"
        return [
            Reason(
                f"pzp-change-{basis}",
                f"{PZP_CHANGES} ust. 1 {point}",
                f"a change of {pln(change)} net exceeds 50 % of the original {pln(original)}",
                {**compared, "limit_grosze": original // 2},
                pl=f"zmiana o {pln(change)} netto przekracza 50% pierwotnej wartości {pln(original)}",
                basis_pl=f"art. 455 ust. 1 {point} ustawy – Prawo zamówień publicznych",
            )
        ]
    return []  # a review clause: as the procurement documents foresaw it (the municipality answers for it)


GRANT_FUNDS = "UDPP art. 13 ust. 2 pkt 2"
GRANT_FUNDS_PL = "art. 13 ust. 2 pkt 2 ustawy o działalności pożytku publicznego i o wolontariacie"


def grant_change_violations(*, new_grosze: int, others_grosze: int, funds_grosze: int) -> list[Reason]:
    """A grant contract (UDPP) is amended within the public funds its call announced for the task: this grant
    and the lot's other grants together, at most the announced amount."""
    if new_grosze + others_grosze <= funds_grosze:
        return []
    total = new_grosze + others_grosze
    return [
        Reason(
            "grant-over-announced-funds",
            GRANT_FUNDS,
            f"the lot's grants would total {pln(total)}, above the {pln(funds_grosze)} of public funds the call "
            "announced for the task",
            {"value_grosze": new_grosze, "others_grosze": others_grosze, "limit_grosze": funds_grosze},
            pl=f"dotacje w tej części wyniosłyby łącznie {pln(total)}, więcej niż {pln(funds_grosze)} środków "
            "publicznych przeznaczonych na realizację zadania w ogłoszeniu",
            basis_pl=GRANT_FUNDS_PL,
        )
    ]


def call_violations(
    rule_set: RuleSet,
    mode: Mode,
    *,
    value_grosze: int,
    period_start: date,
    period_end: date,
    published_at: datetime | None = None,
    vat_rate_percent: int | None = None,
    deadline: datetime | None = None,
) -> list[Reason]:
    """What a call in this mode breaks; checked when it is created, changed and published."""
    rules = rule_set.get(mode)
    if not rules.by_call:
        return [
            Reason(
                f"{mode}-not-a-call",
                rules.legal_basis,
                f"{rules.name_en} is not commissioned by a call",
                pl=f"{rules.name_pl}: nie zleca się w drodze ogłoszenia",
                basis_pl=rules.legal_basis_pl,
            )
        ]
    reasons = _value_and_duration(rules, value_grosze, period_start, period_end, vat_rate_percent)
    if published_at and deadline and rules.min_publication_days is not None:
        days = (deadline - published_at).total_seconds() / 86_400
        if days < rules.min_publication_days:
            reasons.append(
                Reason(
                    f"{mode}-min-publication",
                    rules.publication_basis or rules.legal_basis,
                    f"the deadline is {days:.1f} days after publication; at least {rules.min_publication_days} needed",
                    {"days": round(days, 2), "limit_days": rules.min_publication_days},
                    pl=f"termin składania ofert przypada {days:.1f} dni po ogłoszeniu".replace(".", ",")
                    + f"; wymagane co najmniej {rules.min_publication_days} dni",
                    basis_pl=rules.publication_basis_pl or rules.legal_basis_pl,
                )
            )
    return reasons


def provider_violations(
    rule_set: RuleSet,
    mode: Mode,
    provider: ProviderFacts,
    requirements: Requirements,
    *,
    repeat_awards: int = 0,
) -> list[Reason]:
    """Why a provider may not answer a call in this mode with these requirements (empty: eligible)."""
    rules = rule_set.get(mode)
    reasons = []
    basis, basis_pl = rules.legal_basis, rules.legal_basis_pl
    if rules.eligibility is Eligibility.NGO and provider.legal_form not in NGO_FORMS:
        reasons.append(
            Reason(
                "eligibility-ngo",
                basis,
                f"legal form {provider.legal_form} is not an NGO or an art. 3 ust. 3 UDPP entity",
                pl=f"forma prawna {provider.legal_form} nie jest organizacją pozarządową ani podmiotem z art. 3 "
                "ust. 3 ustawy o działalności pożytku publicznego i o wolontariacie",
                basis_pl=basis_pl,
            )
        )
    if rules.eligibility is Eligibility.RESERVED_94:
        if provider.legal_form not in RESERVED_94_FORMS and not provider.social_enterprise:
            reasons.append(
                Reason(
                    "eligibility-reserved-94-form",
                    basis,
                    f"legal form {provider.legal_form} is not admitted to an art. 94 reservation",
                    pl=f"forma prawna {provider.legal_form} nie jest dopuszczona do zamówienia zastrzeżonego "
                    "na podstawie art. 94",
                    basis_pl=basis_pl,
                )
            )
        share = provider.excluded_share or 0.0
        if rules.min_excluded_share is not None and share < rules.min_excluded_share:
            reasons.append(
                Reason(
                    "eligibility-reserved-94-share",
                    basis,
                    f"{share:.0%} of employees from excluded groups; at least {rules.min_excluded_share:.0%} required",
                    {"share": share, "limit": rules.min_excluded_share},
                    pl=f"{share:.0%} pracowników z grup zagrożonych wykluczeniem społecznym; wymagane co najmniej "
                    f"{rules.min_excluded_share:.0%}",
                    basis_pl=basis_pl,
                )
            )
    if rules.eligibility is Eligibility.RESERVED_361:
        if not provider.is_pes:
            reasons.append(
                Reason(
                    "eligibility-reserved-361-mission",
                    basis,
                    "not a social-economy entity (public-service mission, reinvested profits, "
                    "participatory governance)",
                    pl="nie jest podmiotem ekonomii społecznej (misja publiczna, reinwestowanie zysków, "
                    "partycypacyjne zarządzanie)",
                    basis_pl=basis_pl,
                )
            )
        if repeat_awards:
            reasons.append(
                Reason(
                    "eligibility-reserved-361-repeat",
                    basis,
                    f"won an art. 361 contract for this service from this municipality in the last "
                    f"{rules.repeat_award_lookback_years} years",
                    {"awards": repeat_awards, "lookback_years": rules.repeat_award_lookback_years},
                    pl=f"w ciągu ostatnich {rules.repeat_award_lookback_years} lat uzyskał od tej gminy zamówienie "
                    "zastrzeżone na podstawie art. 361 na tę usługę",
                    basis_pl=basis_pl,
                )
            )
    if requirements.legal_forms and provider.legal_form not in requirements.legal_forms:
        reasons.append(
            Reason(
                "requirement-legal-form",
                "call requirements",
                f"legal form {provider.legal_form} is not among {list(requirements.legal_forms)}",
                pl=f"forma prawna {provider.legal_form} nie należy do {list(requirements.legal_forms)}",
                basis_pl=CALL_REQUIREMENTS_PL,
            )
        )
    if requirements.pes_only and not provider.is_pes:
        reasons.append(
            Reason(
                "requirement-pes",
                "call requirements",
                "the call is for PES only",
                pl="ogłoszenie jest skierowane wyłącznie do podmiotów ekonomii społecznej",
                basis_pl=CALL_REQUIREMENTS_PL,
            )
        )
    if requirements.social_enterprise_only and not provider.social_enterprise:
        reasons.append(
            Reason(
                "requirement-social-enterprise",
                "call requirements",
                "the call is for social enterprises (PS) only",
                pl="ogłoszenie jest skierowane wyłącznie do przedsiębiorstw społecznych (PS)",
                basis_pl=CALL_REQUIREMENTS_PL,
            )
        )
    if (
        requirements.min_excluded_share is not None
        and (provider.excluded_share or 0.0) < requirements.min_excluded_share
    ):
        reasons.append(
            Reason(
                "requirement-excluded-share",
                "call requirements",
                f"{(provider.excluded_share or 0.0):.0%} of employees from excluded groups; the call "
                f"asks for {requirements.min_excluded_share:.0%}",
                {"share": provider.excluded_share, "limit": requirements.min_excluded_share},
                pl=f"{(provider.excluded_share or 0.0):.0%} pracowników z grup zagrożonych wykluczeniem społecznym; "
                f"ogłoszenie wymaga {requirements.min_excluded_share:.0%}",
                basis_pl=CALL_REQUIREMENTS_PL,
            )
        )
    return reasons
