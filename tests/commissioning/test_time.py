"""One rule for time: every instant is written in UTC with `Z`, whatever offset the client sent; dates are Warsaw
calendar dates, and a day's end in OCDS is the end of that day in Warsaw."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.commissioning.ocds.sections import day
from tests.commissioning.conftest import STARACHOWICE
from tests.commissioning.factories import call_body, municipality, need


async def test_instants_are_written_in_utc_with_z(api, client):
    await municipality(api)
    n = await need(api, client)
    body = call_body(n["id"], deadline_days=30)
    local = datetime.fromisoformat(body["deadline"]).astimezone().replace(microsecond=0)
    body["deadline"] = local.strftime("%Y-%m-%dT%H:%M:%S") + "+01:00"  # as a client in Warsaw writes it in winter
    created = await api.post("/v1/calls", json=body, headers=STARACHOWICE)
    assert created.status_code == 201, created.text
    echoed = created.json()["deadline"]
    assert echoed.endswith("Z") and datetime.fromisoformat(echoed) == datetime.fromisoformat(body["deadline"])
    call = created.json()
    assert (await api.get(f"/v1/calls/{call['id']}", headers=STARACHOWICE)).json()["deadline"] == echoed
    await api.post(f"/v1/calls/{call['id']}/publication", headers=STARACHOWICE)
    history = (await api.get(f"/v1/calls/{call['id']}/history")).json()["items"]
    assert [h["detail"]["deadline"] for h in history if h["kind"] == "published"] == [echoed]
    assert all(h["at"].endswith("Z") for h in history)


def test_a_days_end_is_the_end_of_that_day_in_warsaw():
    from datetime import date

    assert day(date(2027, 10, 31), end=True) == "2027-10-31T22:59:59Z"  # CET, UTC+1
    assert day(date(2027, 6, 30), end=True) == "2027-06-30T21:59:59Z"  # CEST, UTC+2
    assert day(date(2027, 1, 1)) == "2026-12-31T23:00:00Z"


def test_a_moved_clock_file_is_read_again_at_once(tmp_path):
    from services.commissioning.clock import FileOffsetClock

    path = tmp_path / "offset"
    clock = FileOffsetClock(str(path))
    assert clock.offset() == timedelta(0)
    for seconds in (86_400, 90_000.5, 86_400, 100_000, 200_000):  # the same size at once, too
        path.write_text(str(seconds))
        assert clock.offset() == timedelta(seconds=seconds)
    path.unlink()
    assert clock.offset() == timedelta(0)
