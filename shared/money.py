"""Money as people read it: grosze (integers) to `1 023 363,61 zł` (Polish grouping and decimal comma)."""

from __future__ import annotations


def format_pln(grosze: int) -> str:
    sign = "-" if grosze < 0 else ""
    zloty, rest = divmod(abs(grosze), 100)
    grouped = f"{zloty:,}".replace(",", " ")
    return f"{sign}{grouped},{rest:02d} zł"
