"""Calls as a spreadsheet (GET /v1/calls?format=csv|xlsx)."""

from __future__ import annotations

from shared.exports import Column

CALL_COLUMNS = [
    Column("ocid", lambda c: c.ocid),
    Column("tytuł", lambda c: c.title),
    Column("gmina (TERC)", lambda c: c.municipality_terc),
    Column("tryb", lambda c: c.mode),
    Column("status", lambda c: c.status),
    Column("wartość brutto (zł)", lambda c: c.value_grosze, "money"),
    Column("stawka VAT (%)", lambda c: c.vat_rate_percent, "int"),
    Column("części", lambda c: len(c.lots), "int"),
    Column("termin składania ofert", lambda c: c.deadline, "datetime"),
    Column("opublikowano", lambda c: c.published_at, "datetime"),
    Column("realizacja od", lambda c: c.period_start, "date"),
    Column("realizacja do", lambda c: c.period_end, "date"),
]
