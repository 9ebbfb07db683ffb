"""The merged OpenAPI document changes only compatibly against the published baseline, unless the change is
declared (openapi/declared-changes.txt); and the comparison finds what would break a generated client."""

from __future__ import annotations

import copy

from tools.openapi_contract import breaking_changes, merged_document, undeclared_breaking_changes


def test_the_document_keeps_the_published_contract():
    found = undeclared_breaking_changes()
    assert found == [], (
        "breaking API changes: keep the old behaviour (deprecated), or declare them in openapi/declared-changes.txt: "
        + "; ".join(found)
    )


def test_what_breaks_a_generated_client_is_found():
    base = merged_document()
    changed = copy.deepcopy(base)
    schemas = changed["components"]["schemas"]
    del schemas["ContractOut"]["properties"]["value_grosze"]  # an answer loses a field
    schemas["NeedCreate"]["required"].append("notes")  # a request field becomes required
    schemas["CallStatus"]["enum"].remove("cancelled")  # an enum loses a value
    del changed["paths"]["/v1/rules/sources"]  # an operation goes
    changed["paths"]["/v1/calls"]["get"]["parameters"] = [
        p for p in changed["paths"]["/v1/calls"]["get"]["parameters"] if p["name"] != "mode"
    ]
    changed["paths"]["/v1/offerings"]["get"]["operationId"] = "offerings-find"
    found = breaking_changes(base, changed)
    assert "GET /v1/contracts/{contract_id} 200.value_grosze: removed" in found
    assert "POST /v1/municipalities/{terc}/needs body.notes: now required" in found
    assert any("enum lost cancelled" in change for change in found)
    assert "GET /v1/rules/sources: operation removed" in found
    assert "GET /v1/calls: parameter mode (query) removed" in found
    assert "GET /v1/offerings: operationId offerings-search-offerings renamed" in found
    added = copy.deepcopy(base)
    added["components"]["schemas"]["ContractOut"]["properties"]["note"] = {"type": "string"}
    added["paths"]["/v1/new-thing"] = {"get": {"operationId": "x-new", "responses": {}}}
    assert breaking_changes(base, added) == []  # adding is compatible


async def test_a_deprecated_operation_says_so_and_when_it_goes():
    from datetime import date

    import httpx
    from fastapi import Depends, FastAPI

    from shared.versioning import sunset

    app = FastAPI()

    @app.get(
        "/v1/old",
        deprecated=True,
        dependencies=[Depends(sunset(since=date(2027, 1, 1), until=date(2027, 7, 1), successor="/v1/new"))],
    )
    async def old() -> dict[str, str]:
        return {"status": "still here"}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as client:
        answer = await client.get("/v1/old")
    assert answer.headers["deprecation"] == "@1798761600"
    assert answer.headers["sunset"] == "Thu, 01 Jul 2027 00:00:00 GMT"
    assert answer.headers["link"] == '</v1/new>; rel="successor-version"'
    assert app.openapi()["paths"]["/v1/old"]["get"]["deprecated"] is True


def test_no_two_models_share_a_name():
    """Two models of one name make FastAPI qualify them by module (`services__...__Period`), and SDK generators
    then drop both and whatever refers to them: names stay unique across the merged document."""
    clashes = [name for name in merged_document()["components"]["schemas"] if "__" in name]
    assert clashes == []


def test_every_operation_says_what_it_does_beyond_its_summary():
    undescribed = []
    for path, operations in merged_document()["paths"].items():
        for method, operation in operations.items():
            said = operation.get("description", "").split("\n\nPublic: no token needed.")[0].strip()
            if len(said) < 30 or said == operation.get("summary"):
                undescribed.append(f"{method.upper()} {path}")
    assert undescribed == []


def test_every_example_in_the_document_is_valid_against_its_schema():
    import jsonschema

    document = merged_document()
    components = document["components"]
    with_examples = {name: s for name, s in components["schemas"].items() if s.get("examples")}
    assert {"Problem", "OfferOut", "ContractOut", "ProviderCreate", "CallCreate"} <= set(with_examples)
    for name, schema in with_examples.items():
        for example in schema["examples"]:
            jsonschema.validate(example, {"$ref": f"#/components/schemas/{name}", "components": components})
