"""Input that once gave 500s: every one is now served or refused with a problem naming the field."""

from __future__ import annotations

import pytest

from tests.catalogue.factories import verified_provider

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
