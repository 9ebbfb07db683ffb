"""The ranking of a lot's offers: price points computed from the prices, merit points averaged over the members
who declared no conflict, ties shown as ties. A plain function over plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OfferFacts:
    offer_id: str
    provider_id: str
    provider_name: str
    total_price_grosze: int
    formal_passed: bool | None  # None: not checked yet
    formal_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    member_id: str
    offer_id: str
    scores: dict[str, Any]  # {criterion code: {"score": 0-100, "justification": str}}


@dataclass
class Ranked:
    offer_id: str
    provider_id: str
    provider_name: str
    total_price_grosze: int
    points: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    rank: int | None = None
    tied: bool = False
    complete: bool = True
    formal_passed: bool | None = None
    formal_reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "offer_id": self.offer_id,
            "provider_id": self.provider_id,
            "provider_name": self.provider_name,
            "total_price_grosze": self.total_price_grosze,
            "points": self.points,
            "total": self.total,
            "rank": self.rank,
            "tied": self.tied,
            "complete": self.complete,
            "formal_passed": self.formal_passed,
            "formal_reasons": list(self.formal_reasons),
        }


def rank(
    criteria: list[dict[str, Any]],
    offers: list[OfferFacts],
    sheets: list[Sheet],
    conflicts: set[tuple[str, str]],  # (member_id, provider_id) pairs excluded by a declared conflict
) -> list[Ranked]:
    eligible = [o for o in offers if o.formal_passed]
    lowest = min((o.total_price_grosze for o in eligible), default=None)
    ranked: list[Ranked] = []
    for offer in offers:
        entry = Ranked(
            offer.offer_id,
            offer.provider_id,
            offer.provider_name,
            offer.total_price_grosze,
            formal_passed=offer.formal_passed,
            formal_reasons=offer.formal_reasons,
        )
        if not offer.formal_passed:
            entry.complete = False
            ranked.append(entry)
            continue
        counted = [
            s for s in sheets if s.offer_id == offer.offer_id and (s.member_id, offer.provider_id) not in conflicts
        ]
        for criterion in criteria:
            code, weight = criterion["code"], criterion["weight"]
            if criterion["kind"] == "price":
                entry.points[code] = round(weight * (lowest or offer.total_price_grosze) / offer.total_price_grosze, 2)
                continue
            given = [s.scores[code]["score"] for s in counted if code in s.scores]
            if not given:
                entry.complete = False
                entry.points[code] = 0.0
                continue
            entry.points[code] = round(weight * (sum(given) / len(given)) / 100, 2)
        entry.total = round(sum(entry.points.values()), 2)
        ranked.append(entry)
    scored = sorted((r for r in ranked if r.formal_passed), key=lambda r: (-r.total, r.total_price_grosze, r.offer_id))
    position = 0
    previous: float | None = None
    for index, entry in enumerate(scored, start=1):
        if entry.total != previous:
            position, previous = index, entry.total
        entry.rank = position
    for entry in scored:
        entry.tied = sum(1 for other in scored if other.rank == entry.rank) > 1
    return scored + [r for r in ranked if not r.formal_passed]
