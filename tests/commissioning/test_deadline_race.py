"""Many providers submitting at once around the deadline, on real PostgreSQL with real commits: exactly the
offers the server's clock accepted before the deadline are kept, and the opening counts exactly those."""

from __future__ import annotations

import asyncio
import functools
import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from services.commissioning.clock import Clock
from services.commissioning.offers import router as offers_router
from services.commissioning.worker import run_due_events
from shared.db import database_of
from tests.catalogue.conftest import REGIONAL_26
from tests.commissioning.conftest import provider
from tests.commissioning.factories import ANSWERS, call_body, committed_call, read_standing
from tests.conftest import asgi_client

BRODY = "2611022"
SUBMITTERS = 24


class SteppingClock(Clock):
    """Every reading is one step later than the one before, whoever reads it: the order in which concurrent
    writers reach the clock decides who was before the deadline, with no sleeping."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.start, self.step, self.ticks = start, step, itertools.count()

    def now(self) -> datetime:
        return self.start + next(self.ticks) * self.step


def assert_before_and_after(accepted: list[Any], refused: list[Any]) -> None:
    """Each write, settled at once, reads the clock once as it is taken: exactly half came before the deadline."""
    assert len(accepted) == SUBMITTERS // 2, [r.text for r in refused][:3]


@pytest.fixture(params=["asked", "told"])
def brody(request, commissioning_app, commissioning_engine, catalogue_app, catalogue_engine):
    """A published call of Gmina Brody and `providers` verified bidders, committed for real; commissioning either
    asks the catalogue about the bidders, or was told of them by its events (then a first offer is settled at once,
    `offers.service.submit_at_once`): every race runs both ways."""
    apps = (commissioning_app, commissioning_engine, catalogue_app, catalogue_engine)
    return functools.partial(committed_call, *apps, terc=BRODY, name="Gmina Brody", told=request.param == "told")


async def test_concurrent_submissions_around_the_deadline(brody, commissioning_app, commissioning_engine):
    async with brody(providers=SUBMITTERS) as setup:
        api, call = setup.api, setup.call
        deadline = datetime.fromisoformat(call["deadline"])

        # A submission settled at once reads the clock once, as it is taken (then asks the catalogue for a standing
        # it does not hold fresh): half of them fall before the deadline.
        step = timedelta(milliseconds=10)
        start = deadline - step * (SUBMITTERS // 2)
        if setup.told:
            await setup.hold_fresh_standings(start)
        setup.use_clock(SteppingClock(start, step))
        body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": 4_000_000, "quantity": 1000, "answers": ANSWERS}
        responses = await asyncio.gather(
            *(api.post(f"/v1/calls/{call['id']}/offers", json=body, headers=provider(p)) for p in setup.providers)
        )
        accepted = [r.json() for r in responses if r.status_code == 201]
        refused = [r for r in responses if r.status_code != 201]
        assert_before_and_after(accepted, refused)
        assert all(r.status_code == 409 and r.json()["type"] == "urn:cus:problem:deadline-passed" for r in refused)
        assert all(datetime.fromisoformat(o["receipt"]["submitted_at"]) < deadline for o in accepted)

        setup.clock.set(deadline)
        setup.use_clock(setup.clock)
        assert await run_due_events(database_of(commissioning_app).write, setup.clock) == 1
        async with commissioning_engine.connect() as conn:
            stored = (await conn.execute(text("SELECT id FROM offers WHERE call_id = :c"), {"c": call["id"]})).all()
            opened = await conn.scalar(
                text("SELECT detail->>'offers' FROM call_history WHERE call_id = :c AND kind = 'offers-opened'"),
                {"c": call["id"]},
            )
        assert {str(r[0]) for r in stored} == {o["id"] for o in accepted}
        assert int(opened) == len(accepted)


async def test_concurrent_revisions_around_the_deadline(brody, commissioning_app, commissioning_engine):
    """Revisions, most of the burst, take one statement each: exactly those the clock put before the deadline
    change the offer; the others are refused and leave it as it was, and the opening counts every offer."""
    async with brody(providers=SUBMITTERS) as setup:
        api, call = setup.api, setup.call
        deadline = datetime.fromisoformat(call["deadline"])
        body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": 4_000_000, "quantity": 1000, "answers": ANSWERS}
        first = {}
        for p in setup.providers:
            made = await api.post(f"/v1/calls/{call['id']}/offers", json=body, headers=provider(p))
            assert made.status_code == 201, made.text
            first[p] = made.json()

        step = timedelta(milliseconds=10)
        start = deadline - step * (SUBMITTERS // 2)
        if setup.told:
            await setup.hold_fresh_standings(start)
        setup.use_clock(SteppingClock(start, step))
        revision = {"total_price_grosze": 3_900_000, "quantity": 1000, "answers": ANSWERS}
        responses = await asyncio.gather(
            *(
                api.put(f"/v1/offers/{first[p]['id']}", json=revision, headers={**provider(p), "If-Match": '"1"'})
                for p in setup.providers
            )
        )
        by_provider = dict(zip(setup.providers, responses, strict=True))
        accepted = {p: r.json() for p, r in by_provider.items() if r.status_code == 200}
        refused = [r for r in responses if r.status_code != 200]
        assert_before_and_after(list(accepted.values()), refused)
        assert all(r.status_code == 409 and r.json()["type"] == "urn:cus:problem:deadline-passed" for r in refused)
        assert all(datetime.fromisoformat(o["receipt"]["submitted_at"]) < deadline for o in accepted.values())
        assert all(o["version"] == 2 and o["total_price_grosze"] == 3_900_000 for o in accepted.values())

        setup.clock.set(deadline)
        setup.use_clock(setup.clock)
        assert await run_due_events(database_of(commissioning_app).write, setup.clock) == 1
        async with commissioning_engine.connect() as conn:
            stored = dict(
                (
                    await conn.execute(
                        text("SELECT provider_id::text, content_hash FROM offers WHERE call_id = :c"), {"c": call["id"]}
                    )
                ).all()
            )
            opened = await conn.scalar(
                text("SELECT detail->>'offers' FROM call_history WHERE call_id = :c AND kind = 'offers-opened'"),
                {"c": call["id"]},
            )
        expected = {p: (accepted.get(p) or first[p])["receipt"]["content_hash"] for p in setup.providers}
        assert stored == expected
        assert int(opened) == SUBMITTERS


async def test_one_provider_submitting_twice_at_once_gets_one_offer(brody):
    """Two submissions of one provider for one lot at the same moment (no Idempotency-Key): one offer, the other
    told to revise it; withdrawn, it is submitted again under the same id at its next version."""
    async with brody(providers=1) as setup:
        api, call, [coop] = setup.api, setup.call, setup.providers
        body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": 4_000_000, "quantity": 1000, "answers": ANSWERS}
        url = f"/v1/calls/{call['id']}/offers"
        both = await asyncio.gather(*(api.post(url, json=body, headers=provider(coop)) for _ in range(2)))
        assert sorted(r.status_code for r in both) == [201, 409], [r.text for r in both]
        made = next(r.json() for r in both if r.status_code == 201)
        told = next(r.json() for r in both if r.status_code == 409)
        assert told["offer_id"] == made["id"]
        withdrawn = await api.delete(f"/v1/offers/{made['id']}", headers={**provider(coop), "If-Match": '"1"'})
        assert withdrawn.status_code == 200, withdrawn.text
        keyed = {**provider(coop), "Idempotency-Key": "ponownie-brody"}
        again = await api.post(url, json={**body, "total_price_grosze": 3_500_000}, headers=keyed)
        assert again.status_code == 201 and again.json()["id"] == made["id"]
        assert again.headers["ETag"] == '"3"' and again.json()["total_price_grosze"] == 3_500_000
        retried = await api.post(url, json={**body, "total_price_grosze": 3_500_000}, headers=keyed)
        assert retried.headers["Idempotent-Replayed"] == "true" and retried.json() == again.json()
        assert retried.headers["ETag"] == '"3"' and retried.headers["Location"] == f"/v1/offers/{made['id']}"


async def test_one_submission_sent_five_times_at_once_with_its_key_is_one_offer(brody, commissioning_engine):
    """A client retrying an offer with its Idempotency-Key while the first attempt still runs: the first use
    claims the key, the others wait for it and get its receipt; the key with another body is refused."""
    async with brody(providers=1) as setup:
        api, call, [coop] = setup.api, setup.call, setup.providers
        body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": 4_000_000, "quantity": 1000, "answers": ANSWERS}
        url, headers = f"/v1/calls/{call['id']}/offers", {**provider(coop), "Idempotency-Key": "oferta-brody-1"}
        answers = await asyncio.gather(*(api.post(url, json=body, headers=headers) for _ in range(5)))
        assert [r.status_code for r in answers] == [201] * 5, [r.text for r in answers]
        assert len({r.json()["receipt"]["content_hash"] for r in answers}) == 1
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in answers) == 4
        async with commissioning_engine.connect() as conn:
            stored = await conn.scalar(text("SELECT count(*) FROM offers WHERE call_id = :c"), {"c": call["id"]})
        assert stored == 1
        other = await api.post(url, json={**body, "quantity": 999}, headers=headers)
        assert other.status_code == 422 and other.json()["type"] == "urn:cus:problem:idempotency-key-reused"


async def test_a_first_offer_of_a_provider_told_of_is_settled_at_once(
    commissioning_app, commissioning_engine, catalogue_app, catalogue_engine, monkeypatch
):
    """The burst's first offers: a provider the catalogue's events told of, a call whose mode reads no past awards.
    The offer is written in one transaction of prepared statements before the routing (OffersFirst; the route,
    which would also do, is not needed: here it fails), its retry with the Idempotency-Key is replayed, and another
    body under it refused; what the facts at hand do not settle reaches the route with its body as it came."""
    apps = (commissioning_app, commissioning_engine, catalogue_app, catalogue_engine)
    async with committed_call(*apps, terc=BRODY, name="Gmina Brody", providers=1, told=True) as setup:
        api, call, [coop] = setup.api, setup.call, setup.providers

        def not_routed(*_: object) -> None:
            raise AssertionError("the route was taken")

        monkeypatch.setattr(offers_router, "acting_provider", not_routed)  # the route's first step
        body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": 4_000_000, "quantity": 1000, "answers": ANSWERS}
        url, headers = f"/v1/calls/{call['id']}/offers", {**provider(coop), "Idempotency-Key": "oferta-brody-2"}
        made = await api.post(url, json=body, headers=headers)
        assert made.status_code == 201, made.text
        offer = made.json()
        assert made.headers["Location"] == f"/v1/offers/{offer['id']}" and made.headers["ETag"] == '"1"'
        assert made.headers["content-type"] == "application/json"
        assert offer["provider_name"].startswith("Spółdzielnia Socjalna") and offer["version"] == 1
        assert offer["receipt"]["submitted_at"] == setup.clock.now().isoformat().replace("+00:00", "Z")
        monkeypatch.undo()

        again = await api.post(url, json=body, headers=headers)  # replayed by the route, as it was answered
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == offer and again.headers["Location"] == made.headers["Location"]
        assert again.headers["ETag"] == '"1"'
        other = await api.post(url, json={**body, "quantity": 999}, headers=headers)
        assert other.status_code == 422 and other.json()["type"] == "urn:cus:problem:idempotency-key-reused"

        # whatever the facts at hand do not settle goes the full way and is refused as it says
        unknown_lot = await api.post(url, json={**body, "lot_id": call["id"]}, headers=provider(coop))
        assert unknown_lot.status_code == 422 and unknown_lot.json()["errors"][0]["field"] == "lot_id"
        short_key = await api.post(url, json=body, headers={**provider(coop), "Idempotency-Key": "krotki"})
        assert short_key.status_code == 422 and short_key.json()["errors"][0]["field"] == "Idempotency-Key"
        twice = await api.post(url, json=body, headers=provider(coop))
        assert twice.status_code == 409 and twice.json()["offer_id"] == offer["id"]
        setup.clock.set(datetime.fromisoformat(call["deadline"]))
        late = await api.post(url, json=body, headers={**provider(coop), "Idempotency-Key": "oferta-brody-3"})
        assert late.status_code == 409 and late.json()["type"] == "urn:cus:problem:deadline-passed"


async def test_what_a_process_read_to_decide_offers_is_checked_by_the_write(
    commissioning_app, commissioning_engine, catalogue_app, catalogue_engine
):
    """A process keeps the calls and the providers' standing it read to decide first offers, and decides the next
    ones on them without reading again; the write checks that they still hold. A provider suspended since, or a
    call amended since, is decided afresh: refused, not accepted on what the process last read."""
    apps = (commissioning_app, commissioning_engine, catalogue_app, catalogue_engine)
    async with committed_call(*apps, terc=BRODY, name="Gmina Brody", providers=4, told=True) as setup:
        api, call = setup.api, setup.call
        a, b, suspended, d = setup.providers
        lots = [{"title": f"Część {n}", "quantity": 4000, "value_grosze": 10_000_000} for n in (1, 2, 3)]
        other = await api.post("/v1/calls", json=call_body(call["need_id"], lots=lots), headers=setup.municipality)
        other = await api.post(f"/v1/calls/{other.json()['id']}/publication", headers=setup.municipality)
        assert other.status_code == 200, other.text

        async def first_offer(to: dict[str, Any], provider_id: str, lot: int = 0, key: str | None = None) -> Any:
            body = {"lot_id": to["lots"][lot]["id"], "total_price_grosze": 4_000_000, "quantity": 1000}
            headers = provider(provider_id) | ({"Idempotency-Key": key} if key else {})
            return await api.post(f"/v1/calls/{to['id']}/offers", json={**body, "answers": ANSWERS}, headers=headers)

        for bidder in setup.providers:  # their standing, and the other call, as this process read them
            assert (await first_offer(other.json(), bidder)).status_code == 201
        assert (await first_offer(call, a)).status_code == 201  # and this call

        # a key used before fails the write, and leaves nothing of it: the full path says the key was reused
        assert (await first_offer(other.json(), a, lot=1, key="klucz-oferty-a")).status_code == 201
        reused = await first_offer(other.json(), a, lot=2, key="klucz-oferty-a")
        assert reused.status_code == 422 and reused.json()["type"] == "urn:cus:problem:idempotency-key-reused"
        assert (await first_offer(other.json(), a, lot=2)).status_code == 201

        suspension = {"action": "suspend", "reason": "kontrola ROPS w toku"}
        async with asgi_client(catalogue_app, "http://catalogue") as catalogue:
            changed = await catalogue.post(
                f"/v1/providers/{suspended}/status-changes", json=suspension, headers=REGIONAL_26
            )
        assert changed.status_code == 201, changed.text
        await read_standing(commissioning_engine, catalogue_app)
        refused = await first_offer(call, suspended)
        assert refused.status_code == 403 and refused.json()["type"] == "urn:cus:problem:provider-not-verified"

        assert (await first_offer(call, d)).status_code == 201  # the call as this process read it again
        amendment = {"description": "Tylko fundacje", "eligibility": {"legal_forms": ["foundation"]}}
        amended = await api.post(f"/v1/calls/{call['id']}/amendments", json=amendment, headers=setup.municipality)
        assert amended.status_code == 201, amended.text
        ineligible = await first_offer(call, b)
        assert ineligible.status_code == 422, ineligible.text
        assert ineligible.json()["violations"][0]["rule"] == "requirement-legal-form"
