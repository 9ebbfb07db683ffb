"""Input at the edges is served or refused with a problem naming the field, never a 500."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import STARACHOWICE, provider
from tests.commissioning.factories import ANSWERS, call_body, municipality, need, setup_open_call

EDGE_DATES = ["9999-12-31", "0001-01-01"]
EDGE_TIMES = ["9999-12-31T23:59:59Z", "0001-01-01T00:00+14:00", "0001-01-01T00:00:00Z"]


def not_a_server_error(answer) -> None:
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("number", ["1e400", "-1e400", "100000000000000000000000", "1.5e300"])
async def test_numbers_out_of_range_in_offer_answers_are_refused_and_block_nobody(api, client, clock, number):
    call = await setup_open_call(api, client)
    coop = await verified_provider(client)
    content = json.dumps(
        {"lot_id": call["lots"][0]["id"], "total_price_grosze": 1000, "quantity": 1, "answers": ANSWERS}
    )
    content = content.replace('"social": 40', f'"social": {number}')  # JSON numbers Python would not write
    headers = {**provider(coop["id"]), "content-type": "application/json"}
    answer = await api.post(f"/v1/calls/{call['id']}/offers", content=content.encode(), headers=headers)
    assert answer.status_code == 422, answer.text
    assert any(e["field"].startswith("answers.social") for e in answer.json()["errors"]), answer.json()
    # nothing was stored, so nothing blocks the call's evaluation
    clock.set(datetime.fromisoformat(call["deadline"]))
    assert (await api.get(f"/v1/calls/{call['id']}/offers", headers=STARACHOWICE)).json()["items"] == []


@pytest.mark.parametrize("when", EDGE_TIMES)
async def test_call_deadlines_at_the_edges(api, client, when):
    await municipality(api)
    need_ = await need(api, client)
    answer = await api.post("/v1/calls", json=call_body(need_["id"], deadline=when), headers=STARACHOWICE)
    not_a_server_error(answer)


@pytest.mark.parametrize("start,end", [("0001-01-01", "9999-12-31"), ("9999-12-31", "9999-12-31")])
async def test_need_and_call_periods_at_the_edges(api, client, start, end):
    await municipality(api)
    base = await need(api, client)
    body = {k: base[k] for k in ("title", "service_type_id", "quantity", "estimated_value_grosze")}
    answer = await api.post(
        "/v1/municipalities/2611011/needs",
        json={**body, "period_start": start, "period_end": end},
        headers=STARACHOWICE,
    )
    not_a_server_error(answer)
    if answer.status_code == 201:
        made = await api.post("/v1/calls", json=call_body(answer.json()["id"]), headers=STARACHOWICE)
        not_a_server_error(made)


@pytest.mark.parametrize("when", EDGE_TIMES)
async def test_search_filters_at_the_edges(api, client, when):
    for path, params in (
        ("/hsds/services", {"modified_after": when}),
        ("/hsds/organizations", {"modified_after": when}),
    ):
        not_a_server_error(await client.get(path, params=params))
    for path, params in (("/ocds/releases", {"since": when}), ("/ocds/releases", {"until": when})):
        not_a_server_error(await api.get(path, params=params))


async def test_periods_far_outside_any_service_are_refused_with_their_field(api, client):
    await municipality(api)
    base = await need(api, client)
    body = {k: base[k] for k in ("title", "service_type_id", "quantity", "estimated_value_grosze")}
    answer = await api.post(
        "/v1/municipalities/2611011/needs",
        json={**body, "period_start": "2026-06-01", "period_end": "9999-12-31"},
        headers=STARACHOWICE,
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["period_end"]


async def test_a_nul_in_a_path_parameter_never_reaches_the_database(api):
    for path in ("/ocds/records/abc%00def", "/v1/calls/%00", "/ocds/records/ocds-abc%0D"):
        answer = await api.get(path)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["errors"][0]["field"] == "path" and "control character" in answer.json()["detail"]
