"""Which awards are published as 360Giving grants: those of published calls in the UDPP modes (open competitions
and small grants), a page at a time in award order or one by its id, and the calls' data they are made of."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.calls import Award, Call
from services.commissioning.ocds import repository as ocds
from services.commissioning.ocds.data import CallData
from services.commissioning.rules.modes import Mode

UDPP_MODES = (Mode.OPEN_COMPETITION.value, Mode.SMALL_GRANT.value)


def _grants() -> Any:
    """Awards exist only once a lot is decided, so nothing sealed is among them."""
    return (
        select(Award)
        .join(Call, Call.id == Award.call_id)
        .where(Call.published_at.is_not(None), Call.mode.in_(UDPP_MODES))
    )


async def grant_awards(session: AsyncSession, *, limit: int, offset: int) -> Sequence[Award]:
    return (await session.scalars(_grants().order_by(Award.awarded_at, Award.id).limit(limit).offset(offset))).all()


async def grant_award(session: AsyncSession, award_id: uuid.UUID) -> Award | None:
    award: Award | None = await session.scalar(_grants().where(Award.id == award_id))
    return award


async def calls_of(session: AsyncSession, awards: Sequence[Award], now: datetime) -> dict[uuid.UUID, CallData]:
    """The data of the awards' calls, by call id (gathered as for their OCDS releases)."""
    calls = await ocds.published_calls(session, ids=list({a.call_id for a in awards}))
    return {data.call.id: data for data in await ocds.gather(session, calls, now)}
