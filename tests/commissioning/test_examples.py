"""Every request example in the OpenAPI documents works in Try-it-out against the demo data: sent with the role
that would send it and the demo's own ids in the path, none is refused as malformed (400), invalid (422) or
naming something that does not exist (404), and none fails (5xx). A state the demo is not in (a call already
published, a provider already verified) may answer its documented 409, and a change needs its If-Match (428)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import jsonschema

from shared.auth import Role
from tests.commissioning.conftest import STARACHOWICE, auth
from tests.conftest import ADMIN

CARE_CALL = "328b369b-f4d2-56f5-b787-119b314c5586"  # the demo's open call for care services in Starachowice
EVALUATION_CALL = "aef02cdc-3608-5017-aecd-968cefeb5915"  # its call under evaluation
EVALUATION_LOT = "bb543261-ba60-52c3-a7d8-01ade9ba9e34"
EVALUATION_OFFER = "b53e4771-e706-5e83-817e-ce34987fa0c5"
KROKUS = "857f7539-be20-5382-a105-6828c19267d2"  # a verified demo provider, bidder and winner
CARE_TYPE = "ee0324e7-6d5a-5598-88d2-f7ea0480ead0"

MEMBER = auth(Role.PROVIDER, subject=f"user-of-{KROKUS}", provider_id=KROKUS)
BIDDER = "a6099fba-51f8-56ef-aa91-5860c9ada220"  # a demo provider with an offer in the open call
BIDDERS_MEMBER = auth(Role.PROVIDER, subject=f"user-of-{BIDDER}", provider_id=BIDDER)
EVALUATOR = auth(Role.EVALUATOR, subject="ewa.nowak@cus.example.pl")
ROPS = auth(Role.REGIONAL, subject="rops-26", voivodeship="26")
ALLOWED = {200, 201, 204, 403, 409, 412, 428}
# The demo has no small grant in its 7 days for comments: commenting on an offer finds none open.
NOT_IN_THE_DEMO = {("post", "/v1/calls/{call_id}/offers/{offer_id}/comments"): {404}}


# tried last: they end or change what the others use (an amended call has other criteria for the offers)
ENDINGS = ("/v1/calls/{call_id}/amendments", "/cancellation", "/termination", "/completion")


async def current_etag(http: Any, url: str, headers: dict[str, str]) -> str | None:
    """The ETag of the resource a change is about: the URL itself, or the one it hangs from."""
    for candidate in (url, url.rsplit("/", 1)[0]):
        read = await http.get(candidate, headers=headers)
        if read.status_code == 200 and read.headers.get("etag"):
            return str(read.headers["etag"])
    return None


def role_for(method: str, path: str) -> dict[str, str]:
    if path.startswith("/v1/service-types") or path == "/v1/municipalities":
        return ADMIN
    if path == "/v1/providers":
        return auth(Role.PROVIDER, subject=f"new-account-{uuid.uuid4()}")
    if path.endswith("/status-changes"):
        return ROPS
    if path.startswith(("/v1/providers", "/v1/offerings")) or path.endswith(("/questions", "/reports")):
        return MEMBER
    if path == "/v1/calls/{call_id}/offers":
        return MEMBER
    if path == "/v1/offers/{offer_id}":
        return BIDDERS_MEMBER
    if "declarations" in path or path.endswith("/scores"):
        return EVALUATOR
    return STARACHOWICE


def examples_of(document: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return list(schema.get("examples", []))


async def test_every_request_example_works_against_the_demo_data(api, client, cdb, db, clock):
    from services.catalogue import demo as catalogue_demo
    from services.commissioning import demo

    # the day the examples' dates are meant for: the first quarter of 2027 is over and reported
    clock.set(datetime(2027, 4, 5, 9, 0, tzinfo=UTC))
    await catalogue_demo.load_into(db)
    await demo.load_into(cdb, clock.now())
    await demo.load_later_stages(cdb, clock.now())
    contract = (await api.get("/v1/contracts", params={"municipality": "2611011", "status": "active"})).json()
    contract_id = contract["items"][0]["id"]
    report = (await api.get(f"/v1/contracts/{contract_id}/reports", headers=STARACHOWICE)).json()["items"]
    asked = await api.post(
        f"/v1/calls/{CARE_CALL}/questions", json={"question": "Czy dopuszczają Państwo..."}, headers=MEMBER
    )
    assert asked.status_code == 201, asked.text
    offering = (await client.get(f"/v1/providers/{KROKUS}/offerings")).json()["items"][0]["id"]
    mine = (await api.get("/v1/offers", headers=BIDDERS_MEMBER)).json()["items"]
    own_offer = next(o["id"] for o in mine if o["call_id"] == CARE_CALL)
    values = {
        "call_id": CARE_CALL,
        "lot_id": EVALUATION_LOT,
        "offer_id": own_offer,
        "provider_id": KROKUS,
        "offering_id": offering,
        "service_type_id": CARE_TYPE,
        "terc": "2611011",
        "year": "2026",
        "contract_id": contract_id,
        "report_id": report[0]["id"] if report else str(uuid.uuid4()),
        "question_id": asked.json()["id"],
    }
    evaluation_paths = ("committee", "declarations", "award-decision", "formal-check", "scores")
    refused: list[str] = []
    tried = 0
    for service, http in (("catalogue", client), ("commissioning", api)):
        document = (await http.get("/openapi.json")).json()
        for path, operations in sorted(document["paths"].items(), key=lambda item: item[0].endswith(ENDINGS)):
            for method, operation in operations.items():
                body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                examples = examples_of(document, body.get("schema", {}))
                for other in examples[1:]:  # sent in sequence they would undo each other: valid is enough
                    schema = {**body["schema"], "components": document["components"]}
                    jsonschema.validate(other, schema)
                for example in examples[:1]:  # the one Try-it-out fills in
                    filled = dict(values)
                    if any(part in path for part in evaluation_paths):
                        filled |= {"call_id": EVALUATION_CALL, "offer_id": EVALUATION_OFFER}
                    url = path.format(**filled)
                    headers = role_for(method, path)
                    answer = await http.request(method, url, json=example, headers=headers)
                    if answer.status_code == 428:  # Try-it-out with the ETag just read, as a client would
                        etag = await current_etag(http, url, headers)
                        if etag:
                            answer = await http.request(
                                method, url, json=example, headers={**headers, "If-Match": etag}
                            )
                    tried += 1
                    allowed = ALLOWED | NOT_IN_THE_DEMO.get((method, path), set())
                    if answer.status_code not in allowed:
                        refused.append(f"{service} {method.upper()} {url}: {answer.status_code} {answer.text[:300]}")
    assert tried >= 30
    assert refused == [], "\n".join(refused)
