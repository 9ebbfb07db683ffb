"""Calls: drafts, the mode's rules on create and publish, public reads, history, questions, amendments."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.commissioning.conftest import KIELCE, STARACHOWICE, START, provider
from tests.commissioning.factories import CRITERIA, call_body, draft, municipality, need, open_call
from tests.helpers import problem


async def test_draft_from_need_is_private_and_gets_a_stable_ocid(api, client):
    await municipality(api)
    made = await draft(api, await need(api, client))
    assert made["status"] == "draft" and made["ocid"] == f"ocds-cus000-{made['id']}"
    assert made["value_grosze"] == 50_000_000 and made["lots"][0]["unit"] == "hour"
    assert made["rules_version"] == "2026-01" and made["period_start"] == "2026-06-01"
    problem(await api.get(f"/v1/calls/{made['id']}"), 404)
    problem(await api.get(f"/v1/calls/{made['id']}", headers=KIELCE), 404)
    assert (await api.get(f"/v1/calls/{made['id']}", headers=STARACHOWICE)).status_code == 200
    assert (await api.get("/v1/calls")).json()["total"] == 0


async def test_criteria_and_modes_are_checked_on_create(api, client):
    await municipality(api)
    need_ = await need(api, client, value_pln=50_000, days=60)
    bad_weights = call_body(need_["id"], criteria=[{**CRITERIA[0], "weight": 50}, CRITERIA[1]])
    body = problem(await api.post("/v1/calls", json=bad_weights, headers=STARACHOWICE), 422)
    assert body["errors"][0]["field"] == "criteria" and "sum to 100, not 90" in body["errors"][0]["reason"]
    small_grant = call_body(need_["id"], mode="small-grant", value_pln=50_000)
    body = problem(await api.post("/v1/calls", json=small_grant, headers=STARACHOWICE), 422)
    assert body["type"] == "urn:cus:problem:rule-violation"
    assert body["violations"][0]["rule"] == "small-grant-max-value"
    assert body["violations"][0]["compared"] == {"value_grosze": 5_000_000, "limit_grosze": 1_000_000}
    in_house = call_body(need_["id"], mode="in-house")
    assert (
        problem(await api.post("/v1/calls", json=in_house, headers=STARACHOWICE), 422)["violations"][0]["rule"]
        == "in-house-not-a-call"
    )
    other = call_body(need_["id"])
    problem(await api.post("/v1/calls", json=other, headers=KIELCE), 404)
    unknown_form = call_body(need_["id"], eligibility={"legal_forms": ["llc"]})
    problem(await api.post("/v1/calls", json=unknown_form, headers=STARACHOWICE), 422)
    naive = call_body(need_["id"], deadline="2026-04-01T12:00:00")
    assert (
        problem(await api.post("/v1/calls", json=naive, headers=STARACHOWICE), 422)["errors"][0]["field"] == "deadline"
    )


async def test_publishing_checks_the_publication_period(api, client):
    await municipality(api)
    need_ = await need(api, client)
    short = await draft(api, need_, deadline_days=20)
    body = problem(await api.post(f"/v1/calls/{short['id']}/publication", headers=STARACHOWICE), 422)
    assert body["violations"][0]["rule"] == "open-competition-min-publication"
    assert body["violations"][0]["compared"]["limit_days"] == 21
    assert (await api.get(f"/v1/calls/{short['id']}", headers=STARACHOWICE)).json()["status"] == "draft"
    problem(await api.post(f"/v1/calls/{short['id']}/publication", headers=KIELCE), 404)
    fixed = await api.patch(
        f"/v1/calls/{short['id']}",
        json={"deadline": (START + timedelta(days=22)).isoformat()},
        headers={**STARACHOWICE, "If-Match": '"1"'},
    )
    assert fixed.status_code == 200, fixed.text
    published = await api.post(f"/v1/calls/{short['id']}/publication", headers=STARACHOWICE)
    assert published.json()["status"] == "open" and published.json()["published_at"]
    public = await api.get(f"/v1/calls/{short['id']}")
    assert public.status_code == 200 and public.json()["need_id"] is None
    problem(await api.post(f"/v1/calls/{short['id']}/publication", headers=STARACHOWICE), 409)
    problem(
        await api.patch(
            f"/v1/calls/{short['id']}",
            json={"title": "Nowy tytuł"},
            headers={**STARACHOWICE, "If-Match": published.headers["etag"]},
        ),
        409,
    )
    assert [c["id"] for c in (await api.get("/v1/calls", params={"status": "open"})).json()["items"]] == [short["id"]]


async def test_questions_answers_and_who_sees_them(api, client):
    await municipality(api)
    call = await open_call(api, await need(api, client))
    url = f"/v1/calls/{call['id']}/questions"
    asker = provider("6b5f8a5e-0000-4000-8000-000000000001")
    other = provider("6b5f8a5e-0000-4000-8000-000000000002")
    problem(await api.post(url, json={"question": "Czy można składać oferty wspólne?"}, headers=STARACHOWICE), 403)
    asked = await api.post(url, json={"question": "Czy można składać oferty wspólne?"}, headers=asker)
    assert asked.status_code == 201
    assert (await api.get(url)).json()["items"] == []
    assert (await api.get(url, headers=asker)).json()["total"] == 1
    assert (await api.get(url, headers=other)).json()["items"] == []
    answer_url = f"{url}/{asked.json()['id']}/answer"
    problem(await api.put(answer_url, json={"answer": "Tak."}, headers=KIELCE), 403)
    answered = await api.put(answer_url, json={"answer": "Tak, art. 14 ust. 2 UDPP."}, headers=STARACHOWICE)
    assert answered.json()["answer"] == "Tak, art. 14 ust. 2 UDPP."
    public = (await api.get(url)).json()["items"]
    assert public[0]["answer"] == "Tak, art. 14 ust. 2 UDPP." and "asked_by_provider" not in public[0]
    history = [h["kind"] for h in (await api.get(f"/v1/calls/{call['id']}/history")).json()["items"]]
    assert history == ["created", "published", "answered"]


async def test_cancellation_with_a_reason(api, client):
    await municipality(api)
    call = await open_call(api, await need(api, client))
    url = f"/v1/calls/{call['id']}/cancellation"
    problem(await api.post(url, json={"reason": "x"}, headers=STARACHOWICE), 422)
    problem(await api.post(url, json={"reason": "Brak środków"}, headers=KIELCE), 403)
    cancelled = await api.post(url, json={"reason": "Brak środków w budżecie"}, headers=STARACHOWICE)
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_reason"] == "Brak środków w budżecie"
    problem(await api.post(url, json={"reason": "Brak środków"}, headers=STARACHOWICE), 409)


async def test_demo_data_loads_once_and_matches_the_catalogue_demo(api, client, cdb, db, clock):
    from services.catalogue import demo as catalogue_demo
    from services.commissioning import demo
    from shared.identifiers import demo_nip

    await catalogue_demo.load_into(db)
    first = await demo.load_into(cdb, clock.now())
    assert first == {"municipalities": 2, "calls": 4, "offers": 3}
    assert await demo.load_into(cdb, clock.now()) == {"municipalities": 0, "calls": 0, "offers": 0}
    assert await demo.load_later_stages(cdb, clock.now()) == {"calls": 3, "contracts": 2}
    assert await demo.load_later_stages(cdb, clock.now()) == {"calls": 0, "contracts": 0}
    for index, name in demo.PROVIDERS.items():
        found = (await client.get(f"/v1/providers/{demo.provider_id(index)}")).json()
        assert found["name"] == name and found["status"] == "verified"
        assert found["nip"] == demo_nip(index)
    for code, (name, unit, area) in demo.TYPES.items():
        found = (await client.get(f"/v1/service-types/{demo.type_id(code)}")).json()
        assert (found["code"], found["name_pl"], found["unit"], found["area_code"]) == (code, name, unit, area)
    public = (await api.get("/v1/calls", params={"status": "open"})).json()
    assert public["total"] == 2
    assert (await api.get("/v1/calls", params={"status": "awarded"})).json()["total"] == 2
    evaluating_now = (await api.get("/v1/calls", params={"status": "evaluation"})).json()
    assert evaluating_now["total"] == 1, [(c["title"], c["status"]) for c in evaluating_now["items"]]
    contracts = (await api.get("/v1/contracts", params={"status": "active"})).json()["items"]
    assert {c["municipality_terc"] for c in contracts} == {"2611011", "2661011"}
    year = {"from": (clock.now() - timedelta(days=365)).date().isoformat(), "to": clock.now().date().isoformat()}
    region = (await api.get("/v1/monitoring", params={"voivodeship": "26", **year})).json()
    assert region["value_commissioned_grosze"] == 17_400_000 + 20_500_000 and region["pes_share"] == 1.0
    assert region["people_served"] == {"disabled": 12}  # Kielce's report is not accepted yet
    from tests.helpers import assert_valid

    assert_valid("release-package-schema.json", (await api.get("/ocds/releases", params={"per_page": 500})).json())
    drafts = (await api.get("/v1/calls", params={"status": "draft"}, headers=STARACHOWICE)).json()
    assert [c["mode"] for c in drafts["items"]] == ["small-grant"]
    assert (await api.get("/v1/calls", params={"status": "draft"})).json()["total"] == 0
    care = next(c for c in public["items"] if c["municipality_terc"] == "2611011")
    problem(await api.get(f"/v1/calls/{care['id']}/offers", headers=STARACHOWICE), 403)
    clock.set(datetime.fromisoformat(care["deadline"]))
    assert (await api.get(f"/v1/calls/{care['id']}/offers", headers=STARACHOWICE)).json()["total"] == 2
    evaluating = (await api.get("/v1/calls", params={"status": "evaluation"})).json()
    assert evaluating["total"] == 3  # the two open calls by the clock (no worker ran), and the demo one


async def test_the_rules_of_a_call_are_those_in_force_when_it_is_published(api, client, clock):
    """A draft made under the 2024-25 rules but published in 2026 follows the 2026 rules (the procedure starts
    with the announcement)."""
    from datetime import UTC, datetime

    from tests.commissioning.factories import draft, municipality, need

    clock.set(datetime(2025, 12, 1, 9, 0, tzinfo=UTC))
    await municipality(api)
    made = await draft(api, await need(api, client), deadline_days=60)
    assert made["rules_version"] == "2024-01"
    clock.set(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    published = await api.post(f"/v1/calls/{made['id']}/publication", headers=STARACHOWICE)
    assert published.status_code == 200, published.text
    assert published.json()["rules_version"] == "2026-01"


async def test_calls_are_searched_by_what_a_provider_looks_for_and_sorted(api, client):
    """Calls by service type, statutory area, place and deadline range; sorted by value or deadline; paged with a
    total like every list."""
    await municipality(api)
    care = await need(api, client)
    small = await open_call(api, care, deadline_days=25, value_pln=200_000, title="Opieka – mała")
    large = await open_call(api, care, deadline_days=40, value_pln=900_000, title="Opieka – duża")
    gym = await need(api, client, service="corrective-gymnastics")
    other = await open_call(api, gym, deadline_days=30, value_pln=100_000, title="Gimnastyka korekcyjna")

    async def titles(**params) -> list[str]:
        found = await api.get("/v1/calls", params={"municipality": "2611011", **params})
        assert found.status_code == 200, found.text
        return [c["title"] for c in found.json()["items"]]

    assert await titles(sort="-value") == [large["title"], small["title"], other["title"]]
    assert await titles(sort="deadline") == [small["title"], other["title"], large["title"]]
    assert await titles(service_type_id=care["service_type_id"], sort="value") == [small["title"], large["title"]]
    assert await titles(area=other["lots"][0]["area_code"]) == [other["title"]]
    window = {"deadline_from": small["deadline"], "deadline_to": other["deadline"], "sort": "deadline"}
    assert await titles(**window) == [small["title"], other["title"]]
    assert len(await titles(place="2611")) == 3 and await titles(place="1465") == []
    paged = (await api.get("/v1/calls", params={"municipality": "2611011", "per_page": 2, "page": 2})).json()
    assert paged["total"] == 3 and len(paged["items"]) == 1 and paged["pages"] == 2
    problem(await api.get("/v1/calls", params={"sort": "price"}), 422)
