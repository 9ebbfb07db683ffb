"""Webhooks: a subscriber's URL receives the events it may read, signed as Standard Webhooks say, at least once,
retried, logged, redelivered on demand, disabled after persistent failure (and its owner told why); a URL that
points inside the network is refused; replicas make each attempt once."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from standardwebhooks.webhooks import Webhook

from services.commissioning.models.outbox import EventType
from services.commissioning.outbox.service import record
from services.commissioning.settings import CommissioningSettings
from services.commissioning.standing import service as standing
from shared.auth import Principal, Role
from shared.db import create_sessionmaker, database_of
from shared.plumbing import webhook_relay
from shared.webhooks import WebhookPolicy, WebhookRelay, woken_tasks
from tests.commissioning.conftest import auth
from tests.conftest import asgi_client
from tests.webhook_receiver import receiver  # noqa: F401  (a fixture)

TERC = "3202011"  # a gmina no other test uses
OTHER_TERC = "3203011"
OWNER = auth(Role.MUNICIPALITY, subject="webhook-owner", terc=TERC)
NEIGHBOUR = auth(Role.MUNICIPALITY, subject="webhook-neighbour", terc=OTHER_TERC)
PROVIDER_ID = uuid.uuid4()
PROVIDER = auth(Role.PROVIDER, subject="webhook-provider", provider_id=str(PROVIDER_ID))
TEST_POLICY = WebhookPolicy(allowed_hosts=frozenset({"127.0.0.1"}), timeout_seconds=2, first_retry_seconds=0.01)


@pytest.fixture
async def hooks(commissioning_app: Any, commissioning_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """The app on its own sessions (what is committed is what the relay reads), loopback allowed; this file's
    subscriptions and events are deleted afterwards."""
    kept = commissioning_app.state.webhook_policy
    commissioning_app.state.webhook_policy = TEST_POLICY
    async with asgi_client(commissioning_app, "http://commissioning") as http:
        yield http
    commissioning_app.state.webhook_policy = kept
    async with commissioning_engine.begin() as conn:
        await conn.execute(text("DELETE FROM webhook_subscriptions WHERE owner_subject LIKE 'webhook-%'"))
        await conn.execute(
            text("DELETE FROM outbox_events WHERE municipality_terc IN (:a, :b) OR provider_id = :p"),
            {"a": TERC, "b": OTHER_TERC, "p": PROVIDER_ID},
        )


def relay(app: Any, policy: WebhookPolicy = TEST_POLICY) -> WebhookRelay:
    """A replica's relay, as the app starts it (what an owner may read looked up as its feed does)."""
    return webhook_relay(app.state.plumbing, database_of(app), policy)


async def commit_events(engine: AsyncEngine, n: int, *, terc: str = TERC, **options: Any) -> None:
    kind = options.pop("type", EventType.CALL_AMENDED)
    async with create_sessionmaker(engine)() as session, session.begin():
        for i in range(n):
            record(
                session,
                type=kind,
                subject=f"calls/hook-{i}",
                time=datetime.now(UTC),
                data={"n": i},
                municipality=terc,
                **options,
            )


async def subscribe(http: httpx.AsyncClient, url: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await http.post("/v1/webhooks", json={"url": url, **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def pass_until(worker: WebhookRelay, done: Callable[[], Awaitable[bool]], passes: int = 100) -> None:
    """Relay passes until `done`: events are fanned out once no transaction on the server holds the feed back."""
    for _ in range(passes):
        await worker.pass_once()
        if await done():
            return
        await asyncio.sleep(0.05)


def got(receiver: Any, n: int) -> Callable[[], Awaitable[bool]]:
    async def done() -> bool:
        return len(receiver.received) >= n

    return done


async def until_delivered(worker: WebhookRelay, passes: int = 50) -> None:
    for _ in range(passes):
        await worker.pass_once()
        await asyncio.sleep(0.02)


async def test_a_subscriber_receives_its_events_signed_and_the_log_shows_them(
    hooks, commissioning_app, receiver, commissioning_engine
):
    sub = await subscribe(hooks, receiver.url, OWNER, types=["call.amended"], municipality=TERC)
    assert sub["secret"].startswith("whsec_") and sub["status"] == "active"
    await commit_events(commissioning_engine, 3)
    await commit_events(commissioning_engine, 2, terc=OTHER_TERC)  # not its municipality
    worker = relay(commissioning_app)
    await pass_until(worker, got(receiver, 3))
    await worker.close()
    assert len(receiver.received) == 3
    for headers, body in receiver.received:
        event = Webhook(sub["secret"]).verify(body, headers)  # raises unless the signature is right
        assert event["type"] == "pl.cus.call.amended" and event["municipality"] == TERC
        assert headers["webhook-id"] == event["id"]
    log = (await hooks.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=OWNER)).json()
    assert log["total"] == 3
    assert {d["status"] for d in log["items"]} == {"delivered"}
    assert log["items"][0]["log"][0]["status_code"] == 204
    assert "secret" not in (await hooks.get(f"/v1/webhooks/{sub['id']}", headers=OWNER)).json()


async def test_private_events_go_only_to_whom_may_read_them(hooks, commissioning_app, receiver, commissioning_engine):
    await subscribe(hooks, receiver.url, NEIGHBOUR)  # every type, no filter: public ones only, and its own
    await subscribe(hooks, receiver.url + "?provider", PROVIDER)
    await commit_events(commissioning_engine, 1, type=EventType.PAYMENT_RECORDED, provider=PROVIDER_ID, public=False)
    await commit_events(commissioning_engine, 1)  # public
    worker = relay(commissioning_app)
    await pass_until(worker, got(receiver, 3))
    await worker.pass_once()
    await worker.close()
    kinds = sorted(json.loads(body)["type"] for _, body in receiver.received)
    # the neighbour gets the public one only; the provider the public one and its own payment
    assert kinds == ["pl.cus.call.amended", "pl.cus.call.amended", "pl.cus.payment.recorded"]


async def test_a_member_removed_from_the_provider_is_sent_none_of_its_private_events(
    hooks, commissioning_app, receiver, commissioning_engine
):
    """Commissioning learns who acts for a provider from the catalogue's member events: once it is told a member
    was removed, their subscription is sent none of the provider's private events, not even the retry of one
    due before; a current member is still sent every one."""
    sessions = create_sessionmaker(commissioning_engine)
    removed, kept = "webhook-member-removed", "webhook-member-kept"

    async def told(kind: str, subject: str) -> None:
        event = {"id": str(uuid.uuid4()), "type": f"pl.cus.member.{kind}", "time": datetime.now(UTC).isoformat()}
        async with sessions() as session, session.begin():
            data = {"provider_id": str(PROVIDER_ID), "subject": subject}
            await standing.apply(session, {**event, "data": data}, datetime.now(UTC))

    try:
        for subject in (removed, kept):
            await told("added", subject)
            await subscribe(hooks, f"{receiver.url}?{subject}", auth(Role.PROVIDER, subject=subject))
        private = {"type": EventType.PAYMENT_RECORDED, "provider": PROVIDER_ID, "public": False}
        await commit_events(commissioning_engine, 1, **private)
        worker = relay(commissioning_app, replace(TEST_POLICY, first_retry_seconds=60))
        receiver.answers = [503, 503]  # both first attempts fail: each is due again later
        await pass_until(worker, got(receiver, 2))
        await told("removed", removed)
        for _ in range(50):  # the commit's notification reaches the app's listener in a moment
            owner = await commissioning_app.state.webhook_owner_scope(None, Principal(removed, Role.PROVIDER))
            if not owner.providers:
                break
            await asyncio.sleep(0.05)
        await commit_events(commissioning_engine, 1, **private)
        async with sessions() as session, session.begin():  # the retries are due now
            await session.execute(text("UPDATE webhook_deliveries SET next_attempt_at = now()"))
        await pass_until(worker, got(receiver, 4))
        await worker.pass_once()
        await worker.close()
        assert Counter(receiver.queries) == {removed: 1, kept: 3}  # the removed member: the first failed attempt only
        subscriptions = (await hooks.get("/v1/webhooks", headers=auth(Role.PROVIDER, subject=removed))).json()
        log = await hooks.get(
            f"/v1/webhooks/{subscriptions['items'][0]['id']}/deliveries", headers=auth(Role.PROVIDER, subject=removed)
        )
        assert [d["status"] for d in log.json()["items"]] == ["skipped"]
    finally:
        async with commissioning_engine.begin() as conn:
            await conn.execute(text("DELETE FROM provider_memberships WHERE subject LIKE 'webhook-member-%'"))


async def test_failures_are_retried_with_the_same_id_until_delivered(
    hooks, commissioning_app, receiver, commissioning_engine
):
    sub = await subscribe(hooks, receiver.url, OWNER, municipality=TERC)
    receiver.answers = [500, 503]
    await commit_events(commissioning_engine, 1)
    worker = relay(commissioning_app)
    await until_delivered(worker, passes=30)
    await worker.close()
    assert len(receiver.received) == 3 and len(set(receiver.ids())) == 1
    for headers, body in receiver.received:
        Webhook(sub["secret"]).verify(body, headers)
    delivery = (await hooks.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=OWNER)).json()["items"][0]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3
    assert [a["status_code"] for a in delivery["log"]] == [500, 503, 204]


async def test_persistent_failure_disables_the_subscription_and_tells_its_owner(
    hooks, commissioning_app, receiver, commissioning_engine
):
    sub = await subscribe(hooks, receiver.url, OWNER, municipality=TERC, types=["call.amended"])
    receiver.answers = [500] * 100
    await commit_events(commissioning_engine, 2)
    worker = relay(commissioning_app, replace(TEST_POLICY, disable_after=4, max_attempts=2))
    await until_delivered(worker, passes=20)
    attempts = len(receiver.received)
    assert attempts == 4  # then no more: disabled
    now = (await hooks.get(f"/v1/webhooks/{sub['id']}", headers=OWNER)).json()
    assert now["status"] == "disabled" and "4 delivery attempts in a row failed" in now["disabled_reason"]
    feed = (await hooks.get("/v1/events", params={"type": "webhook.disabled"}, headers=OWNER)).json()
    told = [e for e in feed["items"] if e["data"]["subscription_id"] == sub["id"]]
    assert told and told[0]["data"]["reason"] == now["disabled_reason"]
    anonymous = (await hooks.get("/v1/events", params={"type": "webhook.disabled"})).json()
    assert all(e["data"]["subscription_id"] != sub["id"] for e in anonymous["items"])
    # redelivery is refused while disabled; enabled again, what was not delivered is delivered
    delivery = (await hooks.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=OWNER)).json()["items"][0]
    refused = await hooks.post(f"/v1/webhooks/{sub['id']}/deliveries/{delivery['id']}/redeliver", headers=OWNER)
    assert refused.status_code == 409
    receiver.answers = []
    await commit_events(commissioning_engine, 1)  # while it is disabled
    await until_delivered(worker, passes=3)
    assert len(receiver.received) == attempts
    enabled = await hooks.patch(f"/v1/webhooks/{sub['id']}", json={"active": True}, headers=OWNER)
    assert enabled.json()["status"] == "active" and enabled.json()["failures_in_row"] == 0
    await until_delivered(worker, passes=20)
    await worker.close()
    log = (await hooks.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=OWNER)).json()["items"]
    # both first deliveries used their 2 attempts (given up); the event of the disabled time is delivered now
    assert sorted(d["status"] for d in log) == ["delivered", "failed", "failed"]
    failed = next(d for d in log if d["status"] == "failed")
    again = await hooks.post(f"/v1/webhooks/{sub['id']}/deliveries/{failed['id']}/redeliver", headers=OWNER)
    assert again.status_code == 202 and again.json()["status"] == "pending"
    worker = relay(commissioning_app)
    await worker.pass_once()
    await worker.close()
    log = (await hooks.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=OWNER)).json()["items"]
    assert sorted(d["status"] for d in log) == ["delivered", "delivered", "failed"]
    assert len(receiver.received) == attempts + 2


async def test_redirects_are_not_followed(hooks, commissioning_app, receiver, commissioning_engine):
    sub = await subscribe(hooks, receiver.url, OWNER, municipality=TERC)
    receiver.redirect_to = "http://169.254.169.254/latest/meta-data"
    await commit_events(commissioning_engine, 1)
    worker = relay(commissioning_app, replace(TEST_POLICY, first_retry_seconds=60))
    await pass_until(worker, got(receiver, 1))
    await worker.close()
    assert len(receiver.received) == 1
    delivery = (await hooks.get(f"/v1/webhooks/{sub['id']}/deliveries", headers=OWNER)).json()["items"][0]
    assert delivery["status"] == "pending" and delivery["last_status_code"] == 302


async def test_two_replicas_make_each_delivery_once(hooks, commissioning_app, receiver, commissioning_engine):
    await subscribe(hooks, receiver.url, OWNER, municipality=TERC)
    await subscribe(hooks, receiver.url + "?second", OWNER, municipality=TERC)
    await commit_events(commissioning_engine, 40)
    one, two = relay(commissioning_app), relay(commissioning_app)
    for _ in range(3):
        await asyncio.gather(one.pass_once(), two.pass_once())
    await one.close()
    await two.close()
    per_subscription = Counter(zip(receiver.ids(), receiver.queries, strict=True))
    assert len(per_subscription) == 80  # 40 events to each of 2 subscriptions
    assert set(per_subscription.values()) == {1}  # each made once, though both replicas ran every pass


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("http://10.0.0.7/hook", False),
        ("https://10.0.0.7/hook", False),  # private
        ("https://192.168.1.20/hook", False),
        ("https://100.64.0.1/hook", False),  # shared address space (carrier-grade NAT)
        ("https://[fc00::1]/hook", False),  # unique local
        ("https://169.254.169.254/latest", False),  # link-local (cloud metadata)
        ("https://[fe80::1]/hook", False),
        ("https://localhost/hook", False),  # loopback
        ("https://127.0.0.2/hook", False),
        ("https://[::1]/hook", False),
        ("https://[::ffff:127.0.0.1]/hook", False),  # IPv4-mapped
        ("https://[::7f00:1]/hook", False),  # IPv4-compatible, in hex
        ("https://[::127.0.0.1]/hook", False),  # IPv4-compatible
        ("https://[2002:7f00:1::1]/hook", False),  # 6to4 of 127.0.0.1
        ("https://[2002:a00:7::1]/hook", False),  # 6to4 of 10.0.0.7
        ("https://[64:ff9b::7f00:1]/hook", False),  # NAT64 of 127.0.0.1
        ("https://[64:ff9b::a9fe:a9fe]/hook", False),  # NAT64 of 169.254.169.254
        ("https://[64:ff9b:1::7f00:1]/hook", False),  # local-use NAT64
        ("https://[fec0::1]/hook", False),  # site-local
        ("https://224.0.0.1/hook", False),  # multicast
        ("https://[ff0e::1]/hook", False),
        ("https://0.0.0.0/hook", False),  # unspecified
        ("https://[::]/hook", False),
        ("https://240.0.0.1/hook", False),  # reserved
        ("https://2130706433/hook", False),  # 127.0.0.1 as a number
        ("https://user:pw@93.184.216.34/hook", False),
        ("ftp://93.184.216.34/hook", False),
        ("http://93.184.216.34/hook", False),  # public, but not https
        ("https://name.invalid/hook", False),
        ("https://93.184.216.34:99999/hook", False),
        ("https://93.184.216.34/hook", True),  # public
        ("https://[2606:4700:4700::1111]/hook", True),
        ("https://[::ffff:93.184.216.34]/hook", True),  # a public IPv4, mapped
        ("https://[64:ff9b::5db8:d822]/hook", True),  # NAT64 of the public 93.184.216.34
        ("https://[2002:5db8:d822::1]/hook", True),  # 6to4 of it
    ],
)
async def test_urls_that_reach_inside_or_are_not_https_are_refused(hooks, url, accepted):
    response = await hooks.post("/v1/webhooks", json={"url": url}, headers=OWNER)
    if accepted:
        assert response.status_code == 201, response.text
        return
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "url"
    polish = await hooks.post("/v1/webhooks", json={"url": url}, headers={**OWNER, "Accept-Language": "pl"})
    assert polish.json()["errors"][0]["reason"] != response.json()["errors"][0]["reason"]


async def test_a_name_re_pointed_inside_the_network_is_refused_at_delivery(
    hooks, commissioning_app, commissioning_engine, monkeypatch
):
    """DNS rebinding: the name resolves to a public address when the subscription is saved, and to an IPv4-compatible
    loopback (::127.0.0.1) when the delivery is made: the attempt is refused before any request."""
    resolves_to = ["93.184.216.34"]
    loop = asyncio.get_running_loop()

    async def resolver(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        assert host == "hooks.example.com"
        family = socket.AF_INET6 if ":" in resolves_to[0] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (resolves_to[0], port))]

    monkeypatch.setattr(loop, "getaddrinfo", resolver)
    sub = await subscribe(hooks, "https://hooks.example.com/hook", OWNER, municipality=TERC)
    resolves_to[0] = "::127.0.0.1"
    await commit_events(commissioning_engine, 1)
    log = f"/v1/webhooks/{sub['id']}/deliveries"

    async def attempted() -> bool:
        return bool((await hooks.get(log, headers=OWNER)).json()["items"])

    worker = relay(commissioning_app, replace(TEST_POLICY, first_retry_seconds=60))
    await pass_until(worker, attempted)
    await worker.close()
    delivery = (await hooks.get(log, headers=OWNER)).json()["items"][0]
    assert delivery["status"] == "pending" and delivery["last_status_code"] is None
    assert delivery["last_error"].startswith("refused: the URL the host hooks.example.com is not a public address")


async def test_an_owner_may_have_twenty_subscriptions_and_deleted_ones_do_not_count(hooks, receiver):
    made = [await subscribe(hooks, f"{receiver.url}?{n}", OWNER) for n in range(20)]
    over = await hooks.post("/v1/webhooks", json={"url": receiver.url}, headers=OWNER)
    assert over.status_code == 409 and over.headers["content-type"] == "application/problem+json"
    assert over.json()["limit"] == 20 and "20" in over.json()["detail"]
    polish = await hooks.post("/v1/webhooks", json={"url": receiver.url}, headers={**OWNER, "Accept-Language": "pl"})
    assert polish.status_code == 409 and "Masz już 20 subskrypcji" in polish.json()["detail"]
    await subscribe(hooks, receiver.url, NEIGHBOUR)  # another owner's are their own
    assert (await hooks.delete(f"/v1/webhooks/{made[0]['id']}", headers=OWNER)).status_code == 204
    await subscribe(hooks, receiver.url, OWNER)
    again = await hooks.post("/v1/webhooks", json={"url": receiver.url}, headers=OWNER)
    assert again.status_code == 409


async def test_a_lowered_limit_holds_against_concurrent_creations(hooks, commissioning_app, receiver):
    settings = CommissioningSettings(webhook_max_subscriptions=3, webhook_allowed_hosts="127.0.0.1")
    commissioning_app.state.webhook_policy = WebhookPolicy.of(settings)
    await subscribe(hooks, receiver.url, OWNER)
    racing = await asyncio.gather(
        *(hooks.post("/v1/webhooks", json={"url": f"{receiver.url}?{n}"}, headers=OWNER) for n in range(6))
    )
    assert sorted(r.status_code for r in racing) == [201, 201, 409, 409, 409, 409]
    assert {r.json()["limit"] for r in racing if r.status_code == 409} == {3}
    assert (await hooks.get("/v1/webhooks", headers=OWNER)).json()["total"] == 3


async def test_a_public_https_url_is_accepted_without_the_allow_list(hooks, commissioning_app):
    commissioning_app.state.webhook_policy = WebhookPolicy()
    assert (await hooks.post("/v1/webhooks", json={"url": "https://93.184.216.34/h"}, headers=OWNER)).status_code == 201
    loopback = await hooks.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/h"}, headers=OWNER)
    assert loopback.status_code == 422


async def test_who_may_do_what_with_a_subscription(hooks, receiver):
    sub = await subscribe(hooks, receiver.url, OWNER)
    assert (await hooks.post("/v1/webhooks", json={"url": receiver.url})).status_code == 401
    assert (await hooks.get("/v1/webhooks")).status_code == 401
    path = f"/v1/webhooks/{sub['id']}"
    for other in (NEIGHBOUR, PROVIDER):
        assert (await hooks.get(path, headers=other)).status_code == 404
        assert (await hooks.patch(path, json={"active": False}, headers=other)).status_code == 404
        assert (await hooks.delete(path, headers=other)).status_code == 404
        assert (await hooks.get(f"{path}/deliveries", headers=other)).status_code == 404
        assert (await hooks.post(f"{path}/secret", headers=other)).status_code == 404
        assert sub["id"] not in [s["id"] for s in (await hooks.get("/v1/webhooks", headers=other)).json()["items"]]
    assert sub["id"] in [s["id"] for s in (await hooks.get("/v1/webhooks", headers=OWNER)).json()["items"]]
    rotated = (await hooks.post(f"{path}/secret", headers=OWNER)).json()["secret"]
    assert rotated != sub["secret"]
    assert (await hooks.delete(path, headers=OWNER)).status_code == 204
    assert (await hooks.get(path, headers=OWNER)).status_code == 404


async def test_bad_bodies_are_refused_and_a_retried_create_is_replayed(hooks, receiver):
    for body, bad in (
        ({"url": receiver.url, "types": ["call.exploded"]}, "types.0"),
        ({"url": receiver.url, "municipality": "1234567"}, "municipality"),
        ({"url": receiver.url, "colour": "red"}, "colour"),
        ({}, "url"),
    ):
        response = await hooks.post("/v1/webhooks", json=body, headers=OWNER)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == bad, response.text
    sub = await subscribe(hooks, receiver.url, OWNER)
    for field_name in ("url", "types", "active"):
        patched = await hooks.patch(f"/v1/webhooks/{sub['id']}", json={field_name: None}, headers=OWNER)
        assert patched.status_code == 422 and patched.json()["errors"][0]["field"] == field_name
    key = {**OWNER, "Idempotency-Key": f"hook-{uuid.uuid4()}"}
    first = await hooks.post("/v1/webhooks", json={"url": receiver.url}, headers=key)
    again = await hooks.post("/v1/webhooks", json={"url": receiver.url}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["Idempotent-Replayed"] == "true"


async def test_a_commit_of_events_wakes_the_relay_without_waiting_for_its_poll(
    hooks, commissioning_app, receiver, commissioning_engine
):
    await subscribe(hooks, receiver.url, OWNER, municipality=TERC)
    worker = relay(commissioning_app)
    tasks = woken_tasks(
        commissioning_engine, lambda wake: worker.run(600, wake)
    )  # polling alone would wait ten minutes
    try:
        await asyncio.sleep(0.5)  # listening, and the first pass done
        await commit_events(commissioning_engine, 1)
        for _ in range(100):
            if receiver.received:
                break
            await asyncio.sleep(0.05)
        assert len(receiver.received) == 1
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await worker.close()
