"""UDPP art. 13 ust. 2 pkt 7: an open competition's announcement states the tasks of the same kind the municipality
commissioned in the call's year and the year before, their costs and the grants to organisations; the same for
everyone who reads it, on the call, in the list and on its public page."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import text

from services.commissioning.clock import Clock
from services.gateway.pages.router import templates
from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import KIELCE, STARACHOWICE, provider
from tests.commissioning.factories import (
    award_the_only_offer,
    committed_call,
    municipality,
    need,
    offer,
    open_call,
)


async def awarded(api, client, clock, *, mode, value_pln, published, start, terc="2611011", service="care-services"):
    """A call in `mode` published at `published` (delivery from `start`, 200 days), its one offer awarded at its
    deadline; the call."""
    clock.set(published)
    ngo = await verified_provider(client)
    need_ = await need(api, client, terc=terc, value_pln=value_pln, days=200, service=service, start=start)
    deadline = (published + timedelta(days=30)).isoformat()
    call = await open_call(api, need_, mode=mode, value_pln=value_pln, deadline=deadline)
    assert (await offer(api, call, ngo["id"], value_pln)).status_code == 201
    clock.set(published + timedelta(days=30))
    decided, _ = await award_the_only_offer(api, call)
    assert decided.status_code == 201, decided.text
    return call


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


async def test_an_open_competition_states_the_same_kind_of_tasks_of_its_year_and_the_year_before(api, client, clock):
    await municipality(api)
    await municipality(api, "2661011")
    this_year, last_year = date(2026, 6, 1), date(2025, 3, 1)
    earlier = [  # (mode, value, published, delivery from, elsewhere): awarded a month after publication
        ("open-competition", 300_000, date(2025, 1, 10), last_year, {}),
        ("open-competition", 80_000, date(2024, 1, 10), date(2024, 3, 1), {}),  # two years before: not stated
        ("open-competition", 500_000, date(2026, 3, 2), this_year, {}),
        ("reserved-361", 200_000, date(2026, 3, 3), this_year, {}),  # Pzp: a cost, not a grant
        ("open-competition", 400_000, date(2026, 3, 4), this_year, {"terc": "2661011"}),  # another municipality's
        ("open-competition", 100_000, date(2026, 3, 5), this_year, {"service": "specialised-care"}),  # another kind
    ]
    calls = [
        await awarded(api, client, clock, mode=mode, value_pln=value, published=at(day), start=start, **elsewhere)
        for mode, value, day, start, elsewhere in earlier
    ]
    pzp = calls[3]

    clock.set(at(date(2026, 4, 10)))
    call = await open_call(api, await need(api, client), deadline=at(date(2026, 5, 20)).isoformat())
    await awarded(
        api, client, clock, mode="open-competition", value_pln=60_000, published=at(date(2026, 4, 11)), start=this_year
    )  # awarded after the call was published: not in its announcement

    expected = {
        "legal_basis": "art. 13 ust. 2 pkt 7 ustawy o działalności pożytku publicznego i o wolontariacie",
        "as_of": "2026-04-10T09:00:00Z",
        "years": [
            {
                "year": 2026,
                "contracts": 2,
                "value_grosze": 70_000_000,
                "grants": 1,
                "grants_value_grosze": 50_000_000,
                "complete": False,
            },
            {
                "year": 2025,
                "contracts": 1,
                "value_grosze": 30_000_000,
                "grants": 1,
                "grants_value_grosze": 30_000_000,
                "complete": True,
            },
        ],
    }
    for headers in ({}, STARACHOWICE, KIELCE, provider(str(uuid.uuid4()))):  # whoever reads it
        answer = await api.get(f"/v1/calls/{call['id']}", headers=headers)
        assert answer.status_code == 200 and answer.json()["prior_tasks"] == expected, answer.text
        listed = (await api.get("/v1/calls?municipality=2611011&per_page=100", headers=headers)).json()["items"]
        assert next(c for c in listed if c["id"] == call["id"])["prior_tasks"] == expected
        assert next(c for c in listed if c["id"] == pzp["id"])["prior_tasks"] is None  # a Pzp mode: no art. 13
    assert (await api.get(f"/v1/calls/{pzp['id']}")).json()["prior_tasks"] is None

    shown = (await api.get(f"/v1/calls/{call['id']}")).json()
    request = SimpleNamespace(url=SimpleNamespace(path=f"/zamowienia/{call['id']}"))
    page = templates.get_template("postepowanie.html").render(
        request=request, title=shown["title"], call=shown, time_left="", criteria=[], decisions=[], names={}
    )
    table = page[page.index('<h2 id="wczesniej">') :][:2500]
    assert "art. 13 ust. 2 pkt 7 ustawy o działalności pożytku publicznego" in table
    assert '<th scope="row">2026 (do dnia ogłoszenia)</th>' in table and '<th scope="row">2025</th>' in table
    assert "700\u00a0000,00\u00a0zł" in table and "500\u00a0000,00\u00a0zł" in table
    assert table.count("300\u00a0000,00\u00a0zł") == 2  # last year: all of it grants
    assert "10.04.2026, 11:00" in table  # as of the publication, Warsaw time


async def test_a_contract_written_elsewhere_drops_the_publics_kept_lists(
    commissioning_app, commissioning_engine, catalogue_app, catalogue_engine
):
    """The public's lists of calls are kept (shared.cache); a contract committed by the worker, another replica or
    a script changes an open competition's prior tasks, so it drops them too (migration 0022)."""
    apps = (commissioning_app, commissioning_engine, catalogue_app, catalogue_engine)
    async with committed_call(*apps, terc="2611022", name="Gmina Brody", providers=0) as setup:
        setup.use_clock(Clock())
        url = "/v1/calls?municipality=2611022"

        def counted(page: dict) -> int:
            return int(page["items"][0]["prior_tasks"]["years"][0]["contracts"])

        assert counted((await setup.api.get(url)).json()) == 0
        lot = setup.call["lots"][0]
        earlier = datetime.fromisoformat(setup.call["published_at"]) - timedelta(days=1)
        async with commissioning_engine.begin() as conn:  # an earlier award of the same kind and its contract
            award = await conn.scalar(
                text(
                    "INSERT INTO awards (id, call_id, lot_id, provider_id, municipality_terc, mode, service_type_id,"
                    " value_grosze, awarded_at) VALUES (gen_random_uuid(), :call, :lot, gen_random_uuid(),"
                    " '2611022', 'open-competition', :kind, 100, :at) RETURNING id"
                ),
                {"call": setup.call["id"], "lot": lot["id"], "kind": lot["service_type_id"], "at": earlier},
            )
            await conn.execute(
                text(
                    "INSERT INTO contracts (id, award_id, call_id, lot_id, provider_id, provider_name,"
                    " municipality_terc, value_grosze, period_start, period_end, status, payment_schedule,"
                    " reporting_schedule, created_at, updated_at, version) SELECT gen_random_uuid(), id, call_id,"
                    " lot_id, provider_id, 'Fundacja', municipality_terc, 100, :start, :end, 'active', '[]', '[]',"
                    " :at, :at, 1 FROM awards WHERE id = :award"
                ),
                {"award": award, "start": earlier.date(), "end": earlier.date(), "at": earlier},
            )
        for _ in range(100):  # the NOTIFY comes at the commit, through the service's listener
            if counted((await setup.api.get(url)).json()) == 1:
                break
            await asyncio.sleep(0.02)
        assert counted((await setup.api.get(url)).json()) == 1
