"""`make run` / `make migrate` / `make demo`: the whole system on one machine with zero set-up.

Without a configured database URL each service's database lives on the embedded PostgreSQL (data in `.data/`,
kept between runs). `run` applies migrations, loads the demo data (idempotent), starts every service that exists
with uvicorn, prints where they are, and on Ctrl-C stops them and the embedded server it started.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from shared import embedded_pg
from shared.db import ensure_database, with_database
from shared.http_server import uvicorn_command
from shared.migrations import upgrade_head
from shared.paths import REPO_ROOT


@dataclass(frozen=True)
class Service:
    name: str
    port: int

    @property
    def directory(self) -> Path:
        return REPO_ROOT / "services" / self.name

    @property
    def env_prefix(self) -> str:
        return self.name.upper() + "_"

    @property
    def exists(self) -> bool:
        return (self.directory / "main.py").exists()

    @property
    def has_database(self) -> bool:
        return (self.directory / "alembic.ini").exists()


ALL_SERVICES = [Service("catalogue", 8001), Service("commissioning", 8002), Service("gateway", 8000)]


def services() -> list[Service]:
    return [s for s in ALL_SERVICES if s.exists]


def database_urls() -> dict[str, str]:
    """Each service's URL: `<SERVICE>_DATABASE_URL`, else its own database on the embedded server."""
    urls: dict[str, str] = {}
    embedded: str | None = None
    for service in services():
        if not service.has_database:
            continue
        configured = os.environ.get(service.env_prefix + "DATABASE_URL")
        if configured:
            urls[service.name] = configured
            continue
        embedded = embedded or embedded_pg.ensure_running()
        urls[service.name] = with_database(embedded, service.name)
    return urls


def migrate(urls: dict[str, str]) -> None:
    for name, url in urls.items():
        asyncio.run(ensure_database(url))
        upgrade_head(REPO_ROOT / "services" / name, url)
        print(f"  {name}: migrations applied")


def load_demo(urls: dict[str, str]) -> None:
    for name, url in urls.items():
        module_name = f"services.{name}.demo"
        if not (REPO_ROOT / "services" / name / "demo.py").exists():
            continue
        module = importlib.import_module(module_name)
        summary = asyncio.run(module.load(url))
        print(f"  {name}: demo data {summary}")


def run() -> int:
    started_db = not embedded_pg.is_running()
    urls = database_urls()
    print(
        "Database:",
        "embedded PostgreSQL in .data/postgres"
        if not any(os.environ.get(s.env_prefix + "DATABASE_URL") for s in services())
        else "configured URLs",
    )
    migrate(urls)
    load_demo(urls)
    children: list[subprocess.Popen[bytes]] = []
    for service in services():
        env = dict(os.environ)
        if service.name in urls:
            env[service.env_prefix + "DATABASE_URL"] = urls[service.name]
        for other in services():
            env.setdefault(f"{service.env_prefix}{other.name.upper()}_URL", f"http://127.0.0.1:{other.port}")
        command = uvicorn_command(service.name, service.port)
        children.append(subprocess.Popen(command, env=env, cwd=REPO_ROOT))
    time.sleep(1.5)
    print("\nRunning (Ctrl-C stops everything):")
    for service in services():
        print(f"  {service.name:<14} http://127.0.0.1:{service.port}/v1   docs: http://127.0.0.1:{service.port}/docs")
    if (REPO_ROOT / "services" / "catalogue" / "main.py").exists():
        print("  HSDS 3.0       http://127.0.0.1:8001/hsds/")
    print("  tokens:        make token ROLE=admin   (see README)")

    stop = False

    def _stop(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    exit_code = 0
    while not stop:
        for child in children:
            if child.poll() is not None:
                print(f"a service exited with code {child.returncode}; stopping", file=sys.stderr)
                stop, exit_code = True, 1
        time.sleep(0.3)
    print("\nStopping services...")
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    if started_db and embedded_pg.is_running():
        print("Stopping the embedded PostgreSQL...")
        embedded_pg.stop()
    print("Stopped.")
    return exit_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["run", "migrate", "demo", "stop-db"])
    args = parser.parse_args(argv)
    if args.command == "run":
        return run()
    if args.command == "stop-db":
        embedded_pg.stop()
        return 0
    urls = database_urls()
    migrate(urls)
    if args.command == "demo":
        load_demo(urls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
