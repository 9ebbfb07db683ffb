"""An SDK generated from the gateway's merged OpenAPI document (openapi-python-client) builds and drives a short
real scenario against the running stack."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import httpx

from shared.auth import Role
from tests.catalogue.factories import provider_payload
from tests.conftest import auth
from tests.e2e.conftest import Stack
from tests.e2e.factories import CRITERIA, ROPS, add_municipality, care_service_type
from tests.helpers import ok


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
        get_provider = importlib.import_module("cus_sdk.api.providers.providers_get_provider")
        overview = importlib.import_module("cus_sdk.api.views.views_municipality_overview")
        models = importlib.import_module("cus_sdk.models")

        token = auth(Role.PROVIDER, subject="sdk-user")["Authorization"].split()[1]
        client = sdk.AuthenticatedClient(base_url=stack.gateway.url, token=token)
        created = register.sync_detailed(client=client, body=models.ProviderCreate.from_dict(provider_payload()))
        assert created.status_code == 201, created.content
        assert created.parsed.status == models.ProviderStatus.PENDING
        ok(
            gateway.post(f"/v1/providers/{created.parsed.id}/status-changes", json={"action": "verify"}, headers=ROPS),
            201,
        )
        public = sdk.Client(base_url=stack.gateway.url)  # public reads need no token (no `security` stated)
        found = search.sync(client=public, q="uslugi opiekuncze", place="2611011", per_page=5)
        assert found is not None and found.total >= 0 and found.per_page == 5

        brody = auth(Role.MUNICIPALITY, subject="gops-brody", terc="2611022")
        add_municipality(gateway, "2611022", "Gmina Brody", "GOPS Brody")
        care = care_service_type(gateway)
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
        assert isinstance(read, models.CallOut)
        assert read.title == "Konkurs SDK" and read.ocid == call["ocid"] and read.lots[0].value_grosze == 5_000_000

        # a refusal is a typed problem, in the language asked for
        missing = uuid.uuid4()
        polish = sdk.Client(base_url=stack.gateway.url, headers={"Accept-Language": "pl"})
        refused = get_provider.sync(client=polish, provider_id=missing)
        assert isinstance(refused, models.Problem) and refused.status == 404
        assert refused.type_ == "urn:cus:problem:not-found" and refused.detail_pl == refused.detail
        invalid = get_call.sync(client=public, call_id="not-a-uuid")  # type: ignore[arg-type]
        assert isinstance(invalid, models.Problem) and invalid.status == 422 and invalid.errors

        # the views are typed to the services' own models
        seen = overview.sync(client=public, terc="2611022")
        assert isinstance(seen, models.MunicipalityOverview) and seen.missing == []
        assert seen.open_calls.total == 1 and seen.open_calls.items[0].title == "Konkurs SDK"

        # an integrator's script type-checks against the SDK under mypy --strict
        script = tmp_path / "integrator.py"
        script.write_text(INTEGRATOR_SCRIPT)
        # strict for the integrator's code; the generator's own modules are not ours to fix
        (tmp_path / "mypy.ini").write_text("[mypy]\nstrict = True\n\n[mypy-cus_sdk.*]\nignore_errors = True\n")
        checked = subprocess.run(
            [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental", str(script)],
            capture_output=True,
            text=True,
            env={**env, "MYPYPATH": str(tmp_path)},
            cwd=tmp_path,
            timeout=300,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "cus_sdk" or m.startswith("cus_sdk.")]:
            del sys.modules[name]


INTEGRATOR_SCRIPT = """
from cus_sdk import Client
from cus_sdk.api.calls import calls_search_calls
from cus_sdk.api.offerings import offerings_search_offerings
from cus_sdk.models import CallStatus, OfferingOut, Problem


def care_offerings(client: Client) -> list[OfferingOut]:
    found = offerings_search_offerings.sync(client=client, q="opiekuncze", place="2611011")
    if isinstance(found, Problem) or found is None:
        raise RuntimeError(found.detail if found else "no answer")
    return list(found.items)


def open_call_titles(client: Client) -> list[str]:
    calls = calls_search_calls.sync(client=client, status=CallStatus.OPEN)
    if calls is None or isinstance(calls, Problem):
        return []
    return [call.title for call in calls.items]
"""


def ok_bytes(response: httpx.Response) -> bytes:
    assert response.status_code == 200, response.text
    return response.content
