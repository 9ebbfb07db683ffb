"""Every write counts once: a write raises its resource's version (the ETag) by exactly one and sets its
updated_at to the time of the write (the catalogue's clock is the system's)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.catalogue.conftest import REGIONAL_26, provider_user
from tests.catalogue.factories import create_offering, register_provider, service_type_id
from tests.conftest import ADMIN

Write = Callable[[], Awaitable[httpx.Response]]


def if_match(headers: dict[str, str], resource: dict[str, Any]) -> dict[str, str]:
    return {**headers, "If-Match": f'"{resource["version"]}"'}


async def provider_details(client: httpx.AsyncClient) -> tuple[str, dict[str, str], Write]:
    made = await register_provider(client)
    url, own = f"/v1/providers/{made['id']}", provider_user(made["id"])
    return url, own, lambda: client.patch(url, json={"phone": "+48 41 111 11 11"}, headers=if_match(own, made))


async def provider_verification(client: httpx.AsyncClient) -> tuple[str, dict[str, str], Write]:
    made = await register_provider(client)
    url, regional = f"/v1/providers/{made['id']}", ADMIN if made["voivodeship"] != "26" else REGIONAL_26
    return url, regional, lambda: client.post(f"{url}/status-changes", json={"action": "verify"}, headers=regional)


async def offering(client: httpx.AsyncClient) -> tuple[str, dict[str, str], Write]:
    made = await register_provider(client)
    offered = await create_offering(client, made["id"])
    url, own = f"/v1/offerings/{offered['id']}", provider_user(made["id"])
    return url, own, lambda: client.patch(url, json={"capacity_per_month": 900}, headers=if_match(own, offered))


async def service_type(client: httpx.AsyncClient) -> tuple[str, dict[str, str], Write]:
    url = f"/v1/service-types/{await service_type_id(client, 'respite-care')}"
    read = (await client.get(url)).json()
    return url, ADMIN, lambda: client.patch(url, json={"name_en": "Respite"}, headers=if_match(ADMIN, read))


CASES = {case.__name__: case for case in (provider_details, provider_verification, offering, service_type)}


@pytest.mark.parametrize("case", CASES)
async def test_a_write_raises_the_version_by_one_and_stamps_its_time(client, case):
    url, headers, write = await CASES[case](client)
    before = (await client.get(url, headers=headers)).json()
    started = datetime.now(UTC)
    written = await write()
    assert written.status_code in (200, 201), written.text
    finished = datetime.now(UTC)
    after = (await client.get(url, headers=headers)).json()
    assert after["version"] == before["version"] + 1
    assert started <= datetime.fromisoformat(after["updated_at"]) <= finished
