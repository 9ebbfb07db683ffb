"""Reading the GUS TERC register's CSV export (WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA)."""

from __future__ import annotations

import csv
import io

GMINA_KINDS = {"1", "2", "3"}  # 4, 5, 8, 9 are parts of gminas: not units the catalogue uses


def parse_terc_csv(text: str) -> list[dict[str, str]]:
    """Rows of GUS's TERC CSV as units: voivodeships (WW), powiats (WWPP), gminas (WWPPGGR)."""
    units = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    missing = {"WOJ", "POW", "GMI", "RODZ", "NAZWA", "NAZWA_DOD"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"not a TERC export: missing columns {sorted(missing)}")
    for row in reader:
        woj, pow_, gmi, rodz = (
            (row["WOJ"] or "").strip(),
            (row["POW"] or "").strip(),
            (row["GMI"] or "").strip(),
            (row["RODZ"] or "").strip(),
        )
        if gmi:
            if rodz not in GMINA_KINDS:
                continue
            code = f"{woj}{pow_}{gmi}{rodz}"
        else:
            code = f"{woj}{pow_}"
        if len(code) not in (2, 4, 7) or not code.isdigit():
            raise ValueError(f"malformed TERC row: {row}")
        units.append({"code": code, "name": row["NAZWA"].strip(), "kind": (row["NAZWA_DOD"] or "").strip()})
    return units
