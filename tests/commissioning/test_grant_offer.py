"""The UDPP offer as the 2018 template structures it (Dz.U. 2018 poz. 2057, załącznik nr 1): a municipality runs an
otwarty konkurs ofert in the *wspieranie* form; a joint offer of two organisations with its cost lines and own
contribution; totals computed by the server; refused when the own contribution is under the call's minimum (UDPP
art. 5 ust. 4 pkt 2, the call's terms under art. 13 ust. 2), when administrative costs pass the call's ceiling, and
when in-kind contribution is counted where the call does not count it."""

from __future__ import annotations

import copy
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from services.commissioning.dependencies import state_of
from services.commissioning.models.contracts import DeliveryReport
from services.commissioning.offers import service as offers
from services.commissioning.offers.schemas import OfferIn
from shared.auth import Principal, Role
from shared.money import format_pln
from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import STARACHOWICE, provider
from tests.commissioning.factories import ANSWERS, awarded_and_signed, call_body, municipality, need, open_call
from tests.helpers import problem, refused

TERMS = {
    "form": "wspieranie",
    "min_own_contribution": 0.10,
    "in_kind_reported": False,
    "admin_cost_cap": 0.15,
    "allowed_shift": 0.10,
}
OFFERORS = [
    {
        "name": "Stowarzyszenie „Razem dla Seniora”",
        "legal_form": "stowarzyszenie",
        "register_number": "0000123456",
        "address": "ul. Radomska 12, 27-200 Starachowice",
        "role": "lead",
    },
    {
        "name": "Fundacja „Złota Jesień”",
        "legal_form": "fundacja",
        "register_number": "0000654321",
        "address": "ul. Kościelna 3, 27-200 Starachowice",
        "role": "partner",
    },
]


def cost(category: str, name: str, unit_cost: int, units: str, grant: int, own: int = 0, **more: int) -> dict:
    line = {"category": category, "name": name, "unit": "godzina", "unit_cost_grosze": unit_cost, "units": float(units)}
    return {**line, "year": 2026, "grant_grosze": grant, "own_financial_grosze": own, **more}


def grant_offer(costs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "offerors": OFFERORS,
        "representative": {"name": "Anna Kowalska", "contact": "anna.kowalska@razem.org.pl"},
        "bank_account": "PL61 1090 1014 0000 0712 1981 2874",
        "title": "Usługi opiekuńcze dla seniorów – Starachowice 2026",
        "place": "Gmina Starachowice, mieszkania podopiecznych",
        "description": "Pomoc w codziennych czynnościach dla 40 osób starszych, z dowozem posiłków.",
        "starts": "2026-06-01",
        "ends": "2026-12-31",
        "schedule": [
            {"name": "Rekrutacja podopiecznych", "starts": "2026-06-01", "ends": "2026-06-30", "done_by": 0},
            {"name": "Usługi opiekuńcze", "starts": "2026-07-01", "ends": "2026-12-31", "done_by": 1},
            {
                "name": "Dowóz posiłków",
                "starts": "2026-07-01",
                "ends": "2026-12-31",
                "done_by_other": "Bar Mleczny „Pod Lipami”",
            },
        ],
        "results": [
            {"name": "Liczba osób objętych usługami", "planned_value": "40 osób", "monitoring": "lista obecności"},
            {"name": "Godziny usług", "planned_value": "4 000 godzin", "monitoring": "karty czasu pracy"},
        ],
        "resources": "Dwanaście opiekunek z certyfikatem, 10 lat doświadczenia w usługach opiekuńczych w gminie.",
        "costs": costs,
        "statements": {
            "not_for_profit": True,
            "statutory_activity": True,
            "no_tax_arrears": True,
            "data_true": True,
            "personal_data_consent": True,
        },
    }


# 4 000 hours at 45 zł: 180 000 zł, of which 160 000 grant, 12 000 own money, 8 000 volunteers' work; coordination
# 24 000 zł (administrative, 11.76 % of 204 000 zł), of which 22 000 grant and 2 000 own money
LINES = [
    cost("actions", "Usługi opiekuńcze", 4_500, "4000", 16_000_000, 1_200_000, personal_grosze=800_000),
    cost("administrative", "Koordynacja", 400_000, "6", 2_200_000, 200_000, offeror=1),
]


# the committee's sheet: a criterion for every element of art. 15 ust. 1 UDPP
SHEET = [
    {"code": "price", "name": "kalkulacja kosztów", "kind": "price", "weight": 20, "element": "costs"},
    {
        "code": "feasibility",
        "name": "możliwość realizacji",
        "kind": "experience",
        "weight": 20,
        "element": "feasibility",
    },
    {"code": "quality", "name": "jakość i kwalifikacje", "kind": "quality", "weight": 20, "element": "quality"},
    {"code": "own", "name": "udział środków własnych", "kind": "quality", "weight": 15, "element": "own-contribution"},
    {"code": "social", "name": "wkład osobowy i rzeczowy", "kind": "social", "weight": 15, "element": "non-financial"},
    {
        "code": "reliability",
        "name": "rzetelność i terminowość",
        "kind": "experience",
        "weight": 10,
        "element": "reliability",
    },
]
SHEET_ANSWERS = {**ANSWERS, "feasibility": "Kadra i lokal gotowe.", "own": 10, "reliability": "Od 2019 r."}


async def udpp_call(api, client, **kwargs: Any) -> dict[str, Any]:
    await municipality(api)
    need_ = await need(api, client)
    return await open_call(api, need_, mode="open-competition", grant_terms=TERMS, criteria=SHEET, **kwargs)


def offer(call: dict[str, Any], lines: list[dict[str, Any]], asked: int) -> dict[str, Any]:
    body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": asked, "quantity": 4000, "answers": SHEET_ANSWERS}
    return {**body, "grant": grant_offer(lines)}


async def test_a_joint_offer_with_its_cost_calculation_totals_computed_by_the_server(api, client, clock):
    call = await udpp_call(api, client)
    assert call["grant_terms"]["form"] == "wspieranie" and call["grant_terms"]["min_own_contribution"] == 0.1
    lead = await verified_provider(client)
    url = f"/v1/calls/{call['id']}/offers"
    made = await api.post(url, json=offer(call, LINES, 18_200_000), headers=provider(lead["id"]))
    assert made.status_code == 201, made.text
    totals = made.json()["grant"]["totals"]
    sources = totals["sources"]
    assert totals["total_cost_grosze"] == 20_400_000 and sources["grant_grosze"] == 18_200_000
    assert sources["own_financial_grosze"] == 1_400_000 and sources["personal_grosze"] == 800_000
    assert totals["own_contribution_grosze"] == 2_200_000 and totals["shares"]["own_contribution"] == 0.1078
    assert totals["shares"]["administrative"] == 0.1176 and totals["by_offeror"] == [18_000_000, 2_400_000]
    assert made.json()["grant"]["offer"]["bank_account"] == "PL61109010140000071219812874"
    # sealed until the deadline, then the municipality reads it whole
    clock.set(datetime.fromisoformat(call["deadline"]))
    read = await api.get(f"/v1/offers/{made.json()['id']}", headers=STARACHOWICE)
    assert read.status_code == 200 and read.json()["grant"]["totals"] == totals


async def test_what_the_terms_of_the_grant_refuse(api, client, cdb, clock, commissioning_app):
    call = await udpp_call(api, client)
    lead = await verified_provider(client)
    url, headers = f"/v1/calls/{call['id']}/offers", provider(lead["id"])

    # the own contribution under the 10 % minimum: 1 000 zł of own money on 204 000 zł
    low = copy.deepcopy(LINES)
    low[0] |= {"grant_grosze": 17_900_000, "own_financial_grosze": 100_000, "personal_grosze": 0}
    low[1] |= {"grant_grosze": 2_400_000, "own_financial_grosze": 0}
    refused_offer = problem(await api.post(url, json=offer(call, low, 20_300_000), headers=headers), 422)
    [violation] = refused_offer["violations"]
    assert violation["rule"] == "grant-own-contribution" and violation["compared"] == {"share": 0.0049, "limit": 0.1}
    assert "art. 5 ust. 4" in violation["legal_basis"]
    state = state_of(commissioning_app)  # the full path decides the same
    full = await refused(
        offers.submit(
            cdb,
            state.standings,
            principal=Principal(subject="s", role=Role.PROVIDER, provider_id=uuid.UUID(lead["id"])),
            now_of=clock.now,
            call_id=uuid.UUID(call["id"]),
            data=OfferIn.model_validate(offer(call, low, 20_300_000)),
        )
    )
    assert full is not None and full[5]["violations"] == refused_offer["violations"]
    polish = await api.post(url, json=offer(call, low, 20_300_000), headers={**headers, "Accept-Language": "pl"})
    assert f"wkład własny ({format_pln(100_000)}, 0,49\u00a0% kosztów zadania)" in problem(polish, 422)["detail"]

    # administrative costs above the call's 15 % ceiling
    heavy = copy.deepcopy(LINES)
    heavy[1] |= {"units": "12", "grant_grosze": 4_200_000, "own_financial_grosze": 600_000}
    answer = problem(await api.post(url, json=offer(call, heavy, 20_200_000), headers=headers), 422)
    assert [v["rule"] for v in answer["violations"]] == ["grant-administrative-costs"]

    # a line whose sources do not cover its value; the grant asked is not what the lines ask; in-kind not counted
    short = copy.deepcopy(LINES)
    short[0]["grant_grosze"] -= 1
    answer = problem(await api.post(url, json=offer(call, short, 18_199_999), headers=headers), 422)
    assert answer["errors"][0]["field"] == "grant.costs.0"
    answer = problem(await api.post(url, json=offer(call, LINES, 18_000_000), headers=headers), 422)
    assert answer["errors"][0]["field"] == "total_price_grosze" and "18200000" in answer["detail"]
    in_kind = copy.deepcopy(LINES)
    in_kind[0] |= {"personal_grosze": 0, "in_kind_grosze": 800_000}
    answer = problem(await api.post(url, json=offer(call, in_kind, 18_200_000), headers=headers), 422)
    assert answer["errors"][0]["field"] == "grant.costs"

    # the template's own rules: one lead, every statement confirmed, a real account, actions done by someone
    for field, broken in (
        ("offerors", [OFFERORS[1]]),
        ("statements", {**grant_offer(LINES)["statements"], "no_tax_arrears": False}),
        ("bank_account", "PL61 1090 1014 0000 0712 1981 2875"),
    ):
        body = offer(call, LINES, 18_200_000)
        body["grant"][field] = broken
        answer = problem(await api.post(url, json=body, headers=headers), 422)
        assert answer["errors"][0]["field"].startswith("grant"), (field, answer)

    # a plain price and answers are not an offer for this call; a template offer is not one for a plain call
    plain = {k: v for k, v in offer(call, LINES, 18_200_000).items() if k != "grant"}
    assert problem(await api.post(url, json=plain, headers=headers), 422)["errors"][0]["field"] == "grant"
    other = await open_call(api, await need(api, client), mode="open-competition")
    templated = {**offer(other, LINES, 18_200_000), "answers": ANSWERS}
    answer = problem(await api.post(f"/v1/calls/{other['id']}/offers", json=templated, headers=headers), 422)
    assert answer["errors"][0]["field"] == "grant"


async def test_terms_of_a_grant_are_the_udpps_only(api, client):
    await municipality(api)
    need_ = await need(api, client)
    body = call_body(need_["id"], mode="reserved-94", grant_terms=TERMS)
    answer = problem(await api.post("/v1/calls", json=body, headers=STARACHOWICE), 422)
    assert answer["errors"][0]["field"] == "grant_terms"
    no_minimum = call_body(need_["id"], grant_terms={**TERMS, "min_own_contribution": None})
    answer = problem(await api.post("/v1/calls", json=no_minimum, headers=STARACHOWICE), 422)
    assert "min_own_contribution" in answer["detail"]


async def test_a_udpp_calls_criteria_stand_for_every_element_of_the_committees_assessment(api, client):
    """Art. 15 ust. 1 UDPP: the committee assesses feasibility, the costs, quality and people, the own contribution
    (under wspieranie), the non-financial contribution and past reliability; a call missing one is refused."""
    await municipality(api)
    need_ = await need(api, client)
    without = call_body(need_["id"], grant_terms=TERMS, criteria=[{**c, "element": None} for c in SHEET])
    refused = problem(await api.post("/v1/calls", json=without, headers=STARACHOWICE), 422)
    assert refused["errors"][0]["field"] == "criteria" and "reliability (pkt 6)" in refused["detail"]
    entrusted = {**TERMS, "form": "powierzenie", "min_own_contribution": None}
    no_own = [c for c in SHEET if c["element"] != "own-contribution"]
    no_own[0] = {**no_own[0], "weight": 35}
    made = await api.post(
        "/v1/calls", json=call_body(need_["id"], grant_terms=entrusted, criteria=no_own), headers=STARACHOWICE
    )
    assert made.status_code == 201, made.text  # under powierzenie the own contribution is not assessed
    published = await open_call(api, need_, grant_terms=TERMS, criteria=SHEET)
    amendment = {"description": "Bez oceny rzetelności", "criteria": [{**c, "element": None} for c in SHEET]}
    refused = problem(
        await api.post(f"/v1/calls/{published['id']}/amendments", json=amendment, headers=STARACHOWICE), 422
    )
    assert refused["errors"][0]["field"] == "criteria"


async def test_the_committee_sees_the_offerors_earlier_tasks_for_this_municipality(api, client, clock, cdb):
    """Art. 15 ust. 1 pkt 6 UDPP: the offeror's reliability and timeliness in earlier tasks for this authority,
    pre-filled from the contracts and reports recorded here."""
    earlier, bidder = await awarded_and_signed(api, client, clock, mode="open-competition", value_pln=100_000, days=200)
    first, last = earlier["reporting_schedule"][0], earlier["reporting_schedule"][-1]
    for status, period, late in (("accepted", first, -3), ("returned", last, 2)):  # days from its due date
        due = datetime.fromisoformat(period["due_date"] + "T12:00:00+01:00")
        cdb.add(
            DeliveryReport(
                contract_id=uuid.UUID(earlier["id"]),
                period_start=date.fromisoformat(period["period_start"]),
                period_end=date.fromisoformat(period["period_end"]),
                units_delivered=100,
                people_served={"seniors": 10},
                status=status,
                submitted_at=due + timedelta(days=late),
            )
        )
    await cdb.flush()
    call = await open_call(
        api, await need(api, client), mode="open-competition", grant_terms=TERMS, criteria=SHEET, deadline_days=60
    )
    made = await api.post(f"/v1/calls/{call['id']}/offers", json=offer(call, LINES, 18_200_000), headers=bidder)
    assert made.status_code == 201, made.text
    url = f"/v1/offers/{made.json()['id']}/reliability"
    assert (await api.get(url, headers=STARACHOWICE)).status_code == 404  # sealed until the deadline
    clock.set(datetime.fromisoformat(call["deadline"]))
    record = (await api.get(url, headers=STARACHOWICE)).json()
    assert record["contracts"] == {"count": 1, "completed": 0, "terminated": 0, "value_grosze": earlier["value_grosze"]}
    assert record["reports"] == {"count": 2, "accepted": 1, "returned": 1, "late": 1}
    assert record["legal_basis"] == "UDPP art. 15 ust. 1 pkt 6"
    other = await verified_provider(client)
    newcomer = await api.post(
        f"/v1/calls/{call['id']}/offers", json=offer(call, LINES, 18_200_000), headers=provider(other["id"])
    )
    assert newcomer.status_code == 409  # the deadline passed: its record is not there to read
