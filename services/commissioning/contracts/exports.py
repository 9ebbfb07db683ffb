"""Contracts and payments as spreadsheets (?format=csv|xlsx)."""

from __future__ import annotations

from shared.exports import Column

CONTRACT_COLUMNS = [
    Column("numer umowy", lambda c: c.number),
    Column("gmina (TERC)", lambda c: c.municipality_terc),
    Column("wykonawca", lambda c: c.provider_name),
    Column("status", lambda c: c.status),
    Column("wartość brutto (zł)", lambda c: c.value_grosze, "money"),
    Column("liczba jednostek", lambda c: c.quantity, "int"),
    Column("realizacja od", lambda c: c.period_start, "date"),
    Column("realizacja do", lambda c: c.period_end, "date"),
    Column("data podpisania", lambda c: c.signed_on, "date"),
    Column("id umowy", lambda c: c.id),
    Column("id ogłoszenia", lambda c: c.call_id),
]

PAYMENT_COLUMNS = [
    Column("rata harmonogramu", lambda p: None if p.schedule_index is None else p.schedule_index + 1, "int"),
    Column("kwota (zł)", lambda p: p.amount_grosze, "money"),
    Column("data płatności", lambda p: p.paid_on, "date"),
    Column("uwagi", lambda p: p.note),
    Column("zapisano", lambda p: p.recorded_at, "datetime"),
]
