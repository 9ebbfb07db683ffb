"""The monitoring indicators as spreadsheets: the summary, by mode, by area (one sheet each; one CSV)."""

from __future__ import annotations

from services.commissioning.monitoring.schemas import IndicatorsOut
from shared.exports import Column, Sheet


def indicator_sheets(figures: IndicatorsOut) -> list[Sheet]:
    summary = [
        ("okres od", figures.period.from_, "text"),
        ("okres do", figures.period.to, "text"),
        ("wartość zleceń brutto (zł)", figures.value_commissioned_grosze, "money"),
        ("w tym dla PES (zł)", figures.value_to_pes_grosze, "money"),
        ("udział PES", figures.pes_share, "decimal"),
        ("osoby objęte usługami", figures.people_served_total, "int"),
        ("zamknięte postępowania", figures.calls_closed, "int"),
        ("postępowania bez ofert", figures.calls_without_offers, "int"),
        ("wypłacono (zł)", figures.paid_grosze, "money"),
        ("pozostało do wypłaty (zł)", figures.outstanding_grosze, "money"),
    ]
    return [
        Sheet(
            "Podsumowanie",
            [Column("wskaźnik", lambda r: r[0]), Column("wartość", lambda r: r[1])],
            [(name, _shown(value, kind)) for name, value, kind in summary],
        ),
        Sheet(
            "Według trybu",
            [
                Column("tryb", lambda m: m.mode),
                Column("liczba wyborów ofert", lambda m: m.awards, "int"),
                Column("wartość (zł)", lambda m: m.value_grosze, "money"),
                Column("dla PES (zł)", lambda m: m.value_to_pes_grosze, "money"),
            ],
            figures.by_mode,
        ),
        Sheet(
            "Według obszaru",
            [
                Column("obszar ustawowy", lambda a: a.area_code),
                Column("rodzaj usługi", lambda a: a.service_type_code),
                Column("liczba wyborów ofert", lambda a: a.awards, "int"),
                Column("wartość (zł)", lambda a: a.value_grosze, "money"),
            ],
            figures.by_area,
        ),
    ]


def _shown(value: object, kind: str) -> object:
    """A summary cell as text in the sheet's one value column (money in złoty with a decimal comma)."""
    if value is None:
        return ""
    if kind == "money" and isinstance(value, int):
        zloty, grosze = divmod(value, 100)
        return f"{zloty},{grosze:02d}"
    if kind == "decimal" and isinstance(value, float):
        return f"{value:.4f}".replace(".", ",")
    return value
