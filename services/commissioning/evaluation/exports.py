"""A call's offers (after the deadline, for the committee) and a lot's ranking as spreadsheets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.commissioning.evaluation.schemas import RankedOut
from services.commissioning.offers.schemas import OfferOut
from shared.exports import Column


def offer_columns(criteria: list[dict[str, Any]]) -> list[Column]:
    """The offer's facts, then one column per criterion of the call with the bidder's answer."""
    answers = [Column(f"{c['name']} ({c['code']})", _answer_of(c["code"])) for c in criteria if c["kind"] != "price"]
    return [
        Column("oferent", lambda o: o.provider_name),
        Column("id oferenta", lambda o: o.provider_id),
        Column("część (id)", lambda o: o.lot_id),
        Column("cena brutto (zł)", lambda o: o.total_price_grosze, "money"),
        Column("liczba jednostek", lambda o: o.quantity, "int"),
        Column("status", lambda o: o.status),
        Column("złożono", lambda o: o.submitted_at, "datetime"),
        Column("skrót treści (SHA-256)", lambda o: o.receipt.content_hash),
        *answers,
    ]


def _answer_of(code: str) -> Callable[[OfferOut], Any]:
    def answer(offer: OfferOut) -> Any:
        value = offer.answers.get(code)
        return None if value is None else str(value)

    return answer


def _points_of(code: str) -> Callable[[RankedOut], float | None]:
    return lambda ranked: ranked.points.get(code)


def ranking_columns(criteria: list[dict[str, Any]]) -> list[Column]:
    points = [Column(f"punkty: {c['name']}", _points_of(c["code"]), "decimal") for c in criteria]
    return [
        Column("miejsce", lambda r: r.rank, "int"),
        Column("oferent", lambda r: r.provider_name),
        Column("cena brutto (zł)", lambda r: r.total_price_grosze, "money"),
        *points,
        Column("suma punktów", lambda r: r.total, "decimal"),
        Column("ex aequo", lambda r: r.tied),
        Column("oceny kompletne", lambda r: r.complete),
        Column("ocena formalna", lambda r: {True: "pozytywna", False: "negatywna"}.get(r.formal_passed, "brak")),
    ]
