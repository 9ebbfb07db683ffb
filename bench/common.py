"""Helpers shared by the benchmarks: ports, percentiles, throw-away databases, processes, wrk."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %f %f\\n", summary.requests, summary.duration,
                         latency:percentile(50) / 1000, latency:percentile(95) / 1000))
  io.write(string.format("ERRORS %d %d\\n", summary.errors.status, summary.errors.connect + summary.errors.read
                         + summary.errors.write + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] if len(samples) > 1 else samples[0]


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{what} did not start")


def start_uvicorn(service: str, port: int, env: dict[str, str], workers: int = 1) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"services.{service}.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=REPO)
    wait_for_port(port, process, service)
    return process


def wrk(url: str, *, concurrency: int, seconds: float) -> dict[str, float]:
    """Load from wrk (C, two threads): rps, p50 and p95 in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds:.0f}s", "-s", script.name, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    result = next(line.split() for line in out.splitlines() if line.startswith("RESULT"))
    errors = next(line.split() for line in out.splitlines() if line.startswith("ERRORS"))
    if int(errors[1]) or int(errors[2]):
        raise RuntimeError(f"wrk saw errors: {out}")
    requests, duration_us = int(result[1]), int(result[2])
    return {"rps": requests / (duration_us / 1e6), "p50": float(result[3]), "p95": float(result[4])}
