"""`make fuzz`: schemathesis over the OpenAPI of every service and of the gateway, with a token of every role.

Starts its own stack (embedded PostgreSQL in .data/fuzz, migrations, demo data, the three services on free ports,
rate limits off), runs `st run` with only the `not_a_server_error` check for each target and role, and prints the
figures: requests sent and server errors (the target is 0). Not a test: it takes minutes, outside the suite.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from shared.http_server import uvicorn_command

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / ".data" / "fuzz"
DEMO_PROVIDER = "857f7539-be20-5382-a105-6828c19267d2"  # a verified demo provider (README)
ROLES: dict[str, dict[str, str]] = {
    "anonymous": {},
    "admin": {"role": "admin"},
    "provider": {"role": "provider", "provider": DEMO_PROVIDER},
    "new-provider": {"role": "provider"},
    "municipality": {"role": "municipality", "terc": "2611011"},
    "regional": {"role": "regional", "voivodeship": "26"},
    "evaluator": {"role": "evaluator", "subject": "ewa.nowak@cus.example.pl"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def token(claims: dict[str, str], env: dict[str, str]) -> str | None:
    if not claims:
        return None
    command = [sys.executable, "-m", "tools.token", "--role", claims["role"]]
    for name in ("terc", "provider", "voivodeship", "subject"):
        command += [f"--{name}", claims.get(name, "")]
    return subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()


def start(env: dict[str, str], ports: dict[str, int]) -> list[subprocess.Popen[bytes]]:
    children = []
    for name, port in ports.items():
        command = [*uvicorn_command(name, port), "--log-level", "warning"]
        children.append(subprocess.Popen(command, env=env, cwd=REPO))
    for name, port in ports.items():
        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{name} did not become ready")
    return children


def schemathesis(url: str, bearer: str | None, examples: int, report: Path, paths: str) -> dict[str, int]:
    """Requests sent and server errors (status >= 500) of one `st run`, read from its NDJSON event stream."""
    command = [str(Path(sys.executable).parent / "st"), "run", f"{url}/openapi.json", "--url", url]
    command += ["--checks", "not_a_server_error", "--max-examples", str(examples), "--workers", "2"]
    command += ["--phases", "examples,coverage,fuzzing", "--suppress-health-check", "all"]
    command += ["--request-timeout", "10", "--report", "ndjson", "--report-ndjson-path", str(report)]
    if bearer:
        command += ["--header", f"Authorization: Bearer {bearer}"]
    if paths:
        command += ["--include-path-regex", paths]
    subprocess.run(command, cwd=REPO, capture_output=True, check=False)
    requests = errors = 0
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for name, payload in event.items():
            if name != "ScenarioFinished":
                continue
            for case in (payload.get("recorder") or {}).get("interactions", {}).values():
                response = case.get("response")
                requests += 1
                if response and int(response.get("status_code", 0)) >= 500:
                    errors += 1
    return {"requests": requests, "server_errors": errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=10, help="examples per operation and phase")
    parser.add_argument("--targets", default="catalogue,commissioning,gateway")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--paths", default="", help="only the paths matching this regex (e.g. webhooks)")
    args = parser.parse_args(argv)
    DATA.mkdir(parents=True, exist_ok=True)
    ports = {"catalogue": free_port(), "commissioning": free_port(), "gateway": free_port()}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {
        **os.environ,
        "CUS_DATA_DIR": str(DATA),
        "COMMISSIONING_CATALOGUE_URL": urls["catalogue"],
        "CATALOGUE_COMMISSIONING_URL": urls["commissioning"],
        "GATEWAY_CATALOGUE_URL": urls["catalogue"],
        "GATEWAY_COMMISSIONING_URL": urls["commissioning"],
        "GATEWAY_RATE_LIMIT_PER_MINUTE": "0",
        "CATALOGUE_LOG_LEVEL": "WARNING",
        "COMMISSIONING_LOG_LEVEL": "WARNING",
        "GATEWAY_LOG_LEVEL": "WARNING",
    }
    subprocess.run([sys.executable, "-m", "tools.devstack", "demo"], env=env, cwd=REPO, check=True)
    children = start(env, ports)
    totals = {"requests": 0, "server_errors": 0}
    try:
        with tempfile.TemporaryDirectory() as reports:
            for target in args.targets.split(","):
                for role in args.roles.split(","):
                    claims = ROLES[role]
                    figures = schemathesis(
                        urls[target], token(claims, env), args.examples, Path(reports) / "run.ndjson", args.paths
                    )
                    totals = {k: totals[k] + figures[k] for k in totals}
                    print(
                        f"{target:<14} {role:<13} {figures['requests']:>6} requests {figures['server_errors']:>4} 5xx"
                    )
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=10)
        subprocess.run([sys.executable, "-m", "tools.devstack", "stop-db"], env=env, cwd=REPO, check=False)
    print(f"TOTAL {totals['requests']} requests, {totals['server_errors']} server errors (target: 0)")
    return 1 if totals["server_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
