"""Input that once gave 500s: every one is now served or refused with a problem naming the field."""

from __future__ import annotations

import pytest

from tests.catalogue.factories import verified_provider
from tests.helpers import DEEP_WITH_NUL

# Characters that unaccent turns into tsquery syntax: ʼ → ', ː → :, ⑴ → (1), ŉ → 'n; and tsquery operators.
HOSTILE_TEXT = ["ʼ", "ː", "⑴", "ŉ", "opiekaʼn", "a ⑴ b", "'", "&", "|", "!", ":*", "(", "\\\\", "usługi ŉ:*"]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
async def test_search_text_never_breaks_the_query(client, text):
    for path, param in (("/v1/offerings", "q"), ("/v1/providers", "q"), ("/hsds/services", "search")):
        answer = await client.get(path, params={param: text})
        assert answer.status_code == 200, (path, text, answer.text)


async def test_search_text_still_finds_what_it_names(client):
    coop = await verified_provider(client, name="Spółdzielnia Socjalna „ʼNowa Przystań”")
    found = (await client.get("/v1/providers", params={"q": "ŉowa"})).json()
    assert [p["id"] for p in found["items"]] == [coop["id"]]


async def test_nul_in_a_path_segment_is_refused_with_its_location(client):
    for path in ("/v1/providers/%00", "/v1/service-types/abc%00def", "/hsds/services/%00", "/v1/places/%00"):
        answer = await client.get(path)
        assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"


async def test_json_nested_thousands_deep_is_refused(client):
    from tests.catalogue.conftest import NEW_PROVIDER_USER

    deep = "[" * 5000 + "]" * 5000
    body = '{"name": "x", "contacts": ' + deep + "}"
    headers = {**NEW_PROVIDER_USER, "content-type": "application/json"}
    answer = await client.post("/v1/providers", content=body.encode(), headers=headers)
    assert answer.status_code in (400, 422), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


async def test_the_service_refuses_large_bodies_itself(client):
    from tests.catalogue.conftest import NEW_PROVIDER_USER

    headers = {**NEW_PROVIDER_USER, "content-type": "application/json"}
    huge = b'{"name": "' + b"x" * 1_100_000 + b'"}'
    answer = await client.post("/v1/providers", content=huge, headers=headers)
    assert answer.status_code == 413 and answer.headers["content-type"] == "application/problem+json"

    async def chunks():  # no content-length: counted as it arrives
        for _ in range(12):
            yield b" " * 100_000

    streamed = await client.post("/v1/providers", content=chunks(), headers=headers)
    assert streamed.status_code == 413


# JSON 5 000 levels deep with a NUL in it: once a stack overflow in the kit's NUL guard (a plain-text 500)


def refused_with_its_field(answer, field: str, reason: str) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["reason"]) for e in answer.json()["errors"]] == [(field, reason)]


async def test_json_nested_thousands_deep_with_a_nul_is_refused_naming_the_body(client):
    from tests.catalogue.conftest import NEW_PROVIDER_USER

    headers = {**NEW_PROVIDER_USER, "content-type": "application/json"}
    answer = await client.post("/v1/providers", content=DEEP_WITH_NUL, headers=headers)
    refused_with_its_field(answer, "body", "is JSON nested deeper than 32 levels")
    polish = await client.post("/v1/providers", content=DEEP_WITH_NUL, headers={**headers, "Accept-Language": "pl"})
    refused_with_its_field(polish, "body", "to JSON zagnieżdżony głębiej niż na 32 poziomów")
    assert "nested deeper" in polish.json()["detail_en"]


async def test_a_control_character_in_any_path_is_refused_before_the_route(client):
    for path in ("/v1/providers/abc%00def", "/v1/service-types/a%0Ab", "/hsds/services/%7F", "/v1/nowhere/%09"):
        answer = await client.get(path, headers={"Accept-Language": "pl"})
        refused_with_its_field(
            answer, "path", "zawiera znak sterujący (od U+0000 do U+001F albo U+007F), którego nie ma w żadnym adresie"
        )
