"""A bug in a route is a logged 500 problem, and the client's connection stays usable (a real uvicorn server,
one keep-alive connection): the gateway's pooled connections once failed the next request after an upstream 500."""

from __future__ import annotations

import asyncio
import http.client

from tests.conftest import served
from tests.helpers import probe_app


def two_requests_on_one_connection(port: int) -> list[tuple[int, str | None]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    answers = []
    for path in ("/boom", "/fine"):
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        answers.append((response.status, response.getheader("content-type")))
    connection.close()
    return answers


async def test_a_bug_is_a_500_problem_and_the_connection_stays_usable():
    async with served(probe_app()) as url:
        answers = await asyncio.to_thread(two_requests_on_one_connection, int(url.rsplit(":", 1)[1]))
    assert answers == [(500, "application/problem+json"), (200, "application/json")]
