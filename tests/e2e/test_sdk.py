"""An SDK generated from the gateway's merged OpenAPI document (openapi-python-client) builds and drives a short
real scenario against the running stack."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx

from shared.auth import Role
from tests.catalogue.factories import provider_payload
from tests.e2e.conftest import Stack
from tests.e2e.test_story import ADMIN, CRITERIA, ROPS, bearer, ok


def test_generated_sdk_registers_searches_and_reads(stack: Stack, gateway: httpx.Client, tmp_path: Path):
    document = tmp_path / "openapi.json"
    document.write_bytes(ok_bytes(gateway.get("/openapi.json")))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    generated = subprocess.run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "cus_sdk"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout, generated.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        sdk = importlib.import_module("cus_sdk")
        register = importlib.import_module("cus_sdk.api.providers.providers_register_provider")
        search = importlib.import_module("cus_sdk.api.offerings.offerings_search_offerings")
        get_call = importlib.import_module("cus_sdk.api.calls.calls_get_call")
        models = importlib.import_module("cus_sdk.models")

        token = bearer(Role.PROVIDER, subject="sdk-user")["Authorization"].split()[1]
        client = sdk.AuthenticatedClient(base_url=stack.gateway.url, token=token)
        created = register.sync_detailed(client=client, body=models.ProviderCreate.from_dict(provider_payload()))
        assert created.status_code == 201, created.content
        assert created.parsed.status == models.ProviderStatus.PENDING
        ok(
            gateway.post(f"/v1/providers/{created.parsed.id}/status-changes", json={"action": "verify"}, headers=ROPS),
            201,
        )
        public = sdk.Client(base_url=stack.gateway.url)  # public reads need no token (`security: [{}, ...]`)
        found = search.sync(client=public, q="uslugi opiekuncze", place="2611011", per_page=5)
        assert found is not None and found.total >= 0 and found.per_page == 5

        brody = bearer(Role.MUNICIPALITY, subject="gops-brody", terc="2611022")
        ok(
            gateway.post(
                "/v1/municipalities",
                headers=ADMIN,
                json={"terc": "2611022", "name": "Gmina Brody", "cus_name": "GOPS Brody"},
            ),
            201,
        )
        care = next(
            t["id"]
            for t in ok(gateway.get("/v1/service-types", params={"q": "opiekuncze"}))["items"]
            if t["code"] == "care-services"
        )
        need = ok(
            gateway.post(
                "/v1/municipalities/2611022/needs",
                headers=brody,
                json={
                    "title": "Opieka SDK",
                    "service_type_id": care,
                    "quantity": 100,
                    "estimated_value_grosze": 5_000_000,
                    "period_start": "2027-01-01",
                    "period_end": "2027-06-30",
                },
            ),
            201,
        )
        call = ok(
            gateway.post(
                "/v1/calls",
                headers=brody,
                json={
                    "need_id": need["id"],
                    "title": "Konkurs SDK",
                    "mode": "open-competition",
                    "criteria": CRITERIA,
                    "lots": [{"title": "Opieka", "quantity": 100, "value_grosze": 5_000_000}],
                    "deadline": (stack.now() + timedelta(days=30)).isoformat(),
                },
            ),
            201,
        )
        ok(gateway.post(f"/v1/calls/{call['id']}/publication", headers=brody))
        read = get_call.sync(client=public, call_id=call["id"])
        assert read is not None and read.title == "Konkurs SDK" and read.ocid == call["ocid"]
        assert read.lots[0].value_grosze == 5_000_000
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "cus_sdk" or m.startswith("cus_sdk.")]:
            del sys.modules[name]


def ok_bytes(response: httpx.Response) -> bytes:
    assert response.status_code == 200, response.text
    return response.content
