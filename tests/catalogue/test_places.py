"""The TERC register: seeded, searchable without diacritics, importable from GUS's CSV, and used for area names."""

from __future__ import annotations

from services.catalogue.places.repository import upsert
from services.catalogue.places.service import parse_terc_csv
from tests.catalogue.factories import create_offering, verified_provider
from tests.helpers import problem

SAMPLE = (
    "\ufeffWOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA\n"
    "14;;;;MAZOWIECKIE;województwo;2026-01-01\n"
    "14;65;;;Warszawa;miasto stołeczne, na prawach powiatu;2026-01-01\n"
    "14;65;01;1;Warszawa;gmina miejska, miasto stołeczne;2026-01-01\n"
    "14;65;02;8;Bemowo;dzielnica;2026-01-01\n"
    "26;11;01;1;Starachowice;gmina miejska;2026-01-01\n"
)


async def test_seeded_register_is_searchable(client):
    kielce = (await client.get("/v1/places", params={"q": "kielce"})).json()["items"]
    assert {p["code"] for p in kielce} == {"2661", "2661011"}
    assert [p["name"] for p in (await client.get("/v1/places", params={"q": "swietokrzyskie"})).json()["items"]] == [
        "ŚWIĘTOKRZYSKIE"
    ]
    powiats = (await client.get("/v1/places", params={"parent": "26", "level": "powiat", "per_page": 100})).json()[
        "items"
    ]
    assert len(powiats) == 14 and powiats[-1]["kind"] == "miasto na prawach powiatu"
    voivodeships = (await client.get("/v1/places", params={"level": "voivodeship"})).json()["items"]
    assert len(voivodeships) == 16
    problem(await client.get("/v1/places", params={"parent": "261"}), 422)
    problem(await client.get("/v1/places", params={"level": "county"}), 422)


async def test_gus_export_imports_and_skips_parts_of_gminas(client, db):
    units = parse_terc_csv(SAMPLE)
    assert [u["code"] for u in units] == ["14", "1465", "1465011", "2611011"]  # Bemowo (kind 8) is a part
    assert await upsert(db, units) == 4
    assert await upsert(db, units) == 4  # idempotent: the same units, updated
    found = (await client.get("/v1/places", params={"q": "warszawa", "level": "gmina"})).json()["items"]
    assert found == [{"code": "1465011", "name": "Warszawa", "kind": "gmina miejska, miasto stołeczne"}]
    mazowieckie = (await client.get("/v1/places", params={"q": "mazowieckie"})).json()["items"]
    assert mazowieckie[0]["kind"] == "województwo"


def test_a_file_that_is_not_a_terc_export_is_refused():
    import pytest

    with pytest.raises(ValueError, match="missing columns"):
        parse_terc_csv("a;b\n1;2\n")
    with pytest.raises(ValueError, match="malformed TERC row"):
        parse_terc_csv("WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA\n2x;;;;X;województwo;2026\n")


async def test_hsds_service_areas_carry_place_names(client):
    provider = await verified_provider(client)
    offering = await create_offering(client, provider["id"], delivery_areas=["2611", "2611053"])
    areas = (await client.get(f"/hsds/services/{offering['id']}")).json()["service_areas"]
    assert {a["name"] for a in areas} == {"starachowicki (TERC 2611)", "Wąchock (TERC 2611053)"}


def test_a_missing_file_is_a_clear_message_not_a_traceback(tmp_path, capsys):
    from tools.import_terc import main

    assert main([str(tmp_path / "TERC.csv")]) == 2
    said = capsys.readouterr().err
    assert "is not a file" in said and "make import-terc FILE=" in said and "Traceback" not in said
