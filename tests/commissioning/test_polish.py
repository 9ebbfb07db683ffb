"""Every refusal speaks Polish to whoever asks (`Accept-Language: pl`), in both services: the problem's title and
detail, each refused field's reason (pydantic's own and ours), the framework's 404 and 405; English otherwise, and
both texts are kept in `detail_en` / `detail_pl`."""

from __future__ import annotations

import uuid

import pytest

from shared.errors import ProblemError
from tests.catalogue.conftest import new_provider_user
from tests.catalogue.factories import provider_payload
from tests.commissioning.conftest import STARACHOWICE
from tests.commissioning.factories import municipality, need
from tests.helpers import problem

PL = {"Accept-Language": "pl"}


async def test_a_refusal_in_polish_and_in_english(api):
    missing = uuid.uuid4()
    polish = problem(await api.get(f"/v1/contracts/{missing}", headers=PL), 404)
    assert polish["title"] == "Nie znaleziono" and polish["detail"] == f"Umowa {missing} nie istnieje."
    assert polish["detail_en"] == f"Contract {missing} does not exist."
    english = problem(await api.get(f"/v1/contracts/{missing}"), 404)
    assert english["title"] == "Not found" and english["detail"] == f"Contract {missing} does not exist."
    assert english["detail_pl"] == polish["detail"]


async def test_refused_fields_say_why_in_polish(api, client):
    await municipality(api)
    body = {"title": "", "quantity": -5, "estimated_value_grosze": "dużo", "period_start": "2027-02-30"}
    refused = problem(
        await api.post("/v1/municipalities/2611011/needs", json=body, headers={**STARACHOWICE, **PL}), 422
    )
    reasons = {e["field"]: e["reason"] for e in refused["errors"]}
    assert refused["title"] == "Żądanie zawiera nieprawidłowe pola"
    assert reasons["title"] == "za krótkie (minimalna długość: 2)"
    assert reasons["quantity"] == "musi być większe niż 0"
    assert reasons["estimated_value_grosze"] == "oczekiwano liczby całkowitej"
    assert reasons["period_start"] == "oczekiwano daty (RRRR-MM-DD)"
    assert reasons["period_end"] == "pole wymagane"
    assert "title: za krótkie" in refused["detail"] and "title: String should" in refused["detail_en"]
    english = problem(await api.post("/v1/municipalities/2611011/needs", json=body, headers=STARACHOWICE), 422)
    assert {e["field"]: e["reason"] for e in english["errors"]}["period_end"] == "Field required"


async def test_our_own_validators_speak_polish(api, client):
    bad_terc = problem(await api.get("/v1/calls", params={"municipality": "2600011"}, headers=PL), 422)
    assert bad_terc["errors"][0]["reason"] == "część powiatowa kodu TERC to 01–99"  # 2600011: powiat 00
    bad_terc = problem(await api.get("/v1/calls", params={"municipality": "3311011"}, headers=PL), 422)
    assert bad_terc["errors"][0]["reason"] == "województwo 33 nie istnieje w TERC (liczby parzyste od 02 do 32)"
    account = {**new_provider_user(), **PL}
    nip = problem(await client.post("/v1/providers", json=provider_payload(nip="1234567890"), headers=account), 422)
    assert {e["field"]: e["reason"] for e in nip["errors"]}["nip"] == "NIP: nieprawidłowa suma kontrolna"
    await municipality(api)
    needed = await need(api, client)
    period = {"title": "Konkurs", "mode": "open-competition", "need_id": needed["id"], "lots": [], "criteria": []}
    weights = problem(
        await api.post(
            "/v1/calls",
            json={**period, "criteria": [{"code": "price", "name": "cena", "kind": "price", "weight": 60}]},
            headers={**STARACHOWICE, **PL},
        ),
        422,
    )
    assert "wagi kryteriów muszą sumować się do 100, nie do 60" in {e["reason"] for e in weights["errors"]}


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [("GET", "/v1/nowhere", 404, "Nie znaleziono"), ("DELETE", "/v1/rules", 405, "Niedozwolona metoda")],
)
async def test_the_frameworks_refusals_too(api, method, path, status, title):
    refused = problem(await api.request(method, path, headers=PL), status)
    assert refused["title"] == title and refused["detail_pl"] != refused["detail_en"]


def test_a_refusal_cannot_be_raised_without_its_polish():
    with pytest.raises(TypeError):
        ProblemError("English only")  # type: ignore[call-arg]
