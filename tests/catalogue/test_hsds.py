"""The HSDS 3.0 façade validates against the official compiled schemas, for every endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.catalogue.conftest import ADMIN
from tests.catalogue.factories import create_offering, provider_with_offering, register_provider, verified_provider
from tests.conftest import STANDARDS

HSDS = STANDARDS / "hsds-3.0" / "compiled"

pytestmark = pytest.mark.skipif(
    not HSDS.exists(),
    reason=f"the official HSDS schemas are not beside this clone ({HSDS}); CI always has them",
)


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((HSDS / f"{name}.json").read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


def table_validator(name: str) -> Draft202012Validator:
    """A validator for one of the standard's table schemas (taxonomy.json...), whose relative $refs resolve to
    the other files of the folder."""
    folder = HSDS.parent
    registry: Registry[Any] = Registry().with_resources(
        (f.name, Resource.from_contents(json.loads(f.read_text()), default_specification=DRAFT202012))
        for f in folder.glob("*.json")
    )
    schema = json.loads((folder / f"{name}.json").read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def assert_valid(name: str, document: dict[str, Any], *, table: bool = False) -> None:
    checker = table_validator(name) if table else validator(name)
    errors = sorted(checker.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def assert_valid_page(name: str, page: dict[str, Any]) -> None:
    for key in ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty"):
        assert key in page
    for item in page["contents"]:
        assert_valid(name, item)


async def test_services_list_and_detail_validate(client):
    provider, offering = await provider_with_offering(client)
    page = (await client.get("/hsds/services", params={"search": "uslugi opiekuncze"})).json()
    assert page["total_items"] == 1 and page["contents"][0]["id"] == offering["id"]
    assert_valid_page("service_list", page)

    detail = (await client.get(f"/hsds/services/{offering['id']}")).json()
    assert_valid("service", detail)
    assert detail["organization"]["x_nip"] == provider["nip"]
    assert detail["schedules"][0]["byday"] == "TU"
    assert detail["cost_options"][0]["amount"] == 42.0
    assert {a["taxonomy_term"]["taxonomy"] for a in detail["attributes"]} >= {
        "cus-areas",
        "cus-service-types",
    }


async def test_organizations_validate_and_carry_pes_facts(client):
    provider, _ = await provider_with_offering(client)
    page = (await client.get("/hsds/organizations", params={"search": provider["name"][:12]})).json()
    assert_valid_page("organization_list", page)
    org = (await client.get(f"/hsds/organizations/{provider['id']}")).json()
    assert_valid("organization", org)
    assert org["x_legal_form"] == "social-cooperative"
    assert org["x_is_pes"] is True
    assert {i["identifier_scheme"] for i in org["organization_identifiers"]} == {
        "PL-NIP",
        "PL-REGON",
        "PL-KRS",
    }
    assert len(org["services"]) == 1


async def test_service_at_locations_validate(client):
    _, offering = await provider_with_offering(client)
    page = (await client.get("/hsds/service_at_locations", params={"per_page": 100})).json()
    assert_valid_page("service_at_location_list", page)
    one = (await client.get(f"/hsds/service_at_locations/{offering['id']}")).json()
    assert_valid("service_at_location", one)
    assert one["location"]["addresses"][0]["city"] == "Starachowice"


async def test_taxonomies_and_terms(client):
    taxonomies = (await client.get("/hsds/taxonomies")).json()
    assert taxonomies["total_items"] == 3
    for taxonomy in taxonomies["contents"]:
        assert_valid("taxonomy", taxonomy, table=True)
    all_terms = (await client.get("/hsds/taxonomy_terms", params={"per_page": 100})).json()
    assert all_terms["total_items"] >= 14 + 25 + 10
    for item in all_terms["contents"]:
        assert_valid("taxonomy_term", item, table=True)
    areas_id = next(t["id"] for t in taxonomies["contents"] if "art. 2" in t["name"])
    areas = (await client.get("/hsds/taxonomy_terms", params={"taxonomy_id": areas_id, "per_page": 100})).json()
    assert areas["total_items"] == 14
    assert "pomoc społeczna" in {t["name"] for t in areas["contents"]}
    social = next(t for t in areas["contents"] if t["code"] == "social-assistance")
    children = (await client.get("/hsds/taxonomy_terms", params={"parent_id": social["id"], "per_page": 100})).json()
    assert "usługi opiekuńcze" in {t["name"] for t in children["contents"]}
    one = await client.get(f"/hsds/taxonomy_terms/{social['id']}")
    assert one.json()["name"] == "pomoc społeczna"


async def test_filters_taxonomy_term_organization_modified_after(client):
    provider, offering = await provider_with_offering(client)
    other = await verified_provider(client)
    await create_offering(client, other["id"], service_type="yoga", title="Joga dla seniorów")
    terms = (await client.get("/hsds/taxonomy_terms", params={"search": "joga"})).json()["contents"]
    yoga = next(t for t in terms if t["code"] == "yoga")
    by_term = (await client.get("/hsds/services", params={"taxonomy_term_id": yoga["id"]})).json()
    assert [s["name"] for s in by_term["contents"]] == ["Joga dla seniorów"]
    by_org = (await client.get("/hsds/services", params={"organization_id": provider["id"]})).json()
    assert [s["id"] for s in by_org["contents"]] == [offering["id"]]
    future = (await client.get("/hsds/services", params={"modified_after": "2999-01-01T00:00:00Z"})).json()
    assert future["total_items"] == 0 and future["empty"] is True
    bad = await client.get("/hsds/services", params={"taxonomy_term_id": "7d4bd2bb-9d7c-4f3b-8f43-5b0e2f6f0000"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "taxonomy_term_id"


async def test_unverified_provider_is_not_in_hsds(client):
    pending = await register_provider(client)
    response = await client.get(f"/hsds/organizations/{pending['id']}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    listing = (await client.get("/hsds/organizations", params={"per_page": 100})).json()
    assert pending["id"] not in {o["id"] for o in listing["contents"]}
    admin_view = await client.get(f"/v1/providers/{pending['id']}", headers=ADMIN)
    assert admin_view.status_code == 200


async def test_root_meta(client):
    meta = (await client.get("/hsds/")).json()
    assert meta["version"] == "3.0"
    assert meta["openapi_url"].endswith("/openapi.json")
