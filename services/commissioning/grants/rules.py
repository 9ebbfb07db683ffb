"""The UDPP offer's figures, computed by the server from its cost lines (never taken from the client), and what the
call's terms of the grant refuse."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.commissioning.grants.schemas import (
    CostCategory,
    CostLine,
    GrantForm,
    GrantOffer,
    GrantTerms,
    SheetElement,
)
from services.commissioning.rules.advisor import Reason
from shared.errors import ValidationProblem
from shared.money import format_pln

SOURCES = ("grant_grosze", "own_financial_grosze", "personal_grosze", "in_kind_grosze", "recipients_grosze")
BASIS = "UDPP art. 13 ust. 2, art. 5 ust. 4"


def line_total(line: CostLine) -> int:
    """A cost line's value: unit cost times units, to the grosz."""
    units = Decimal(str(line.units))  # as sent, to two places: no binary fraction reaches the money
    return int((Decimal(line.unit_cost_grosze) * units).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _pct(share: float) -> str:
    return f"{share * 100:.2f}".replace(".", ",") + "\u00a0%"


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def totals(offer: GrantOffer) -> dict[str, Any]:
    """V.B the sources of funding and V.C the split between the offerors, summed from the lines; each line's sources
    cover its value exactly (field errors name the line)."""
    for i, line in enumerate(offer.costs):
        value, covered = line_total(line), sum(getattr(line, source) for source in SOURCES)
        if covered != value:
            raise ValidationProblem.field(
                f"grant.costs.{i}",
                f"its sources sum to {format_pln(covered)}, not its value {format_pln(value)} (unit cost x units)",
                pl=f"źródła sumują się do {format_pln(covered)}, a nie do wartości {format_pln(value)} "
                "(koszt jednostkowy x liczba jednostek)",
            )
    total = sum(line_total(line) for line in offer.costs)
    sums = {source: sum(getattr(line, source) for line in offer.costs) for source in SOURCES}
    own = sums["own_financial_grosze"] + sums["personal_grosze"] + sums["in_kind_grosze"]
    administrative = sum(line_total(c) for c in offer.costs if c.category is CostCategory.ADMINISTRATIVE)
    return {
        "total_cost_grosze": total,
        "sources": sums,
        "own_contribution_grosze": own,
        "administrative_grosze": administrative,
        "shares": {
            "grant": _share(sums["grant_grosze"], total),
            "own_contribution": _share(own, total),
            "own_financial": _share(sums["own_financial_grosze"], total),
            "non_financial": _share(sums["personal_grosze"] + sums["in_kind_grosze"], total),
            "recipients": _share(sums["recipients_grosze"], total),
            "administrative": _share(administrative, total),
        },
        "by_offeror": [sum(line_total(c) for c in offer.costs if c.offeror == i) for i in range(len(offer.offerors))],
    }


def beyond_terms(terms: GrantTerms, figures: dict[str, Any], asked_grosze: int) -> list[Reason]:
    """The offer against the call's terms: the grant asked is what its lines ask and in-kind is counted only where
    the call reports it (field errors); why the terms refuse it: administrative costs above the ceiling, under
    wspieranie an own contribution below the minimum (empty: within them)."""
    asked = figures["sources"]["grant_grosze"]
    if asked != asked_grosze:
        raise ValidationProblem.field(
            "total_price_grosze",
            f"the grant asked for is what the cost lines ask: {asked} grosze",
            pl=f"wnioskowana dotacja to suma dotacji z pozycji kosztorysu: {asked} groszy",
        )
    if figures["sources"]["in_kind_grosze"] and not terms.in_kind_reported:
        raise ValidationProblem.field(
            "grant.costs",
            "the call does not count in-kind contribution: in_kind_grosze must be 0",
            pl="ogłoszenie nie uwzględnia wkładu rzeczowego: in_kind_grosze musi wynosić 0",
        )
    reasons: list[Reason] = []
    cap = terms.admin_cost_cap
    if cap is not None and figures["shares"]["administrative"] > float(cap):
        reasons.append(
            Reason(
                "grant-administrative-costs",
                BASIS,
                f"administrative costs are {figures['shares']['administrative']:.2%} of the task's costs, above "
                f"the call's ceiling of {float(cap):.2%}",
                {"share": figures["shares"]["administrative"], "limit": float(cap)},
                pl=f"koszty administracyjne stanowią {_pct(figures['shares']['administrative'])} kosztów zadania, "
                f"więcej niż {_pct(float(cap))} określone w ogłoszeniu",
                basis_pl="art. 13 ust. 2 ustawy o działalności pożytku publicznego i o wolontariacie",
            )
        )
    least = terms.min_own_contribution
    if (
        terms.form is GrantForm.SUPPORTING
        and least is not None
        and figures["shares"]["own_contribution"] < float(least)
    ):
        reasons.append(
            Reason(
                "grant-own-contribution",
                BASIS,
                f"the own contribution ({format_pln(figures['own_contribution_grosze'])}, "
                f"{figures['shares']['own_contribution']:.2%} of the task's costs) is below the call's minimum of "
                f"{float(least):.2%} under wspieranie",
                {"share": figures["shares"]["own_contribution"], "limit": float(least)},
                pl=f"wkład własny ({format_pln(figures['own_contribution_grosze'])}, "
                f"{_pct(figures['shares']['own_contribution'])} kosztów zadania) jest niższy niż minimalne "
                f"{_pct(float(least))} określone w ogłoszeniu dla wspierania",
                basis_pl="art. 5 ust. 4 pkt 2 i art. 13 ust. 2 ustawy o działalności pożytku publicznego i o "
                "wolontariacie",
            )
        )
    return reasons


ELEMENT_POINTS = {element: point for point, element in enumerate(SheetElement, start=1)}


def sheet_gaps(terms: GrantTerms, elements: list[SheetElement | None]) -> list[SheetElement]:
    """The elements of art. 15 ust. 1 a UDPP call's criteria do not stand for (the own contribution only under
    wspieranie)."""
    needed = [e for e in SheetElement if e is not SheetElement.OWN_CONTRIBUTION or terms.form is GrantForm.SUPPORTING]
    return [e for e in needed if e not in elements]
