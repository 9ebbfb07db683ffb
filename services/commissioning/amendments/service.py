"""Amendments of a published call: the call changes before its deadline, submitted offers must be confirmed
again, and a deadline that would come too soon after the change moves to leave providers the minimum time."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.calls import repository as calls_repo
from services.commissioning.calls import service as calls
from services.commissioning.calls.schemas import AmendmentIn
from services.commissioning.calls.service import grant_terms_for
from services.commissioning.grants.schemas import GrantTerms
from services.commissioning.models.calls import Amendment
from services.commissioning.models.outbox import EventType
from services.commissioning.offers import repository as offers_repo
from services.commissioning.outbox import service as outbox
from services.commissioning.rules.modes import Mode, rules_version
from shared.auth import Principal
from shared.db import touch
from shared.errors import ValidationProblem
from shared.schemas import utc_iso


async def amend(
    session: AsyncSession, *, principal: Principal, now: datetime, call_id: uuid.UUID, data: AmendmentIn
) -> Amendment:
    call = await calls.for_owner(session, principal, call_id)
    calls.require_open_for_changes(call, now)
    rule_set = rules_version(call.rules_version)
    deadline_before = call.deadline
    changes: dict[str, Any] = {}
    if data.deadline is not None:
        if data.deadline < call.deadline:
            raise ValidationProblem.field(
                "deadline",
                "an amendment may move the deadline later, not earlier",
                pl="zmiana ogłoszenia może przesunąć termin na później, nie na wcześniej",
            )
        call.deadline = data.deadline
        changes["deadline"] = utc_iso(data.deadline)
    if data.criteria is not None:
        if call.grant_terms:  # its criteria stand for the committee's assessment still
            grant_terms_for(Mode(call.mode), GrantTerms.model_validate(call.grant_terms), data.criteria)
        call.criteria = changes["criteria"] = [c.model_dump() for c in data.criteria]
    if data.eligibility is not None:
        call.eligibility = changes["eligibility"] = data.eligibility.model_dump()
    if data.documents is not None:
        call.documents = changes["documents"] = [d.model_dump() for d in data.documents]
    minimum = now + timedelta(days=rule_set.min_days_after_amendment)
    if call.deadline < minimum:
        call.deadline = minimum
        changes["deadline_extended_to"] = utc_iso(minimum)
    to_confirm = await offers_repo.ask_reconfirmation(session, call.id)
    number = await calls_repo.amendment_count(session, call.id) + 1
    amendment = Amendment(
        call_id=call.id,
        number=number,
        description=data.description,
        changes=changes,
        deadline_before=deadline_before,
        deadline_after=call.deadline,
        offers_to_confirm=to_confirm,
        at=now,
    )
    session.add(amendment)
    call.next_event_at = call.deadline
    touch(call)  # an amendment changes the call, even when only its description says how
    session.add(
        calls.history_entry(call, "amended", principal, now, number=number, description=data.description, **changes)
    )
    outbox.call_changed(session, call, EventType.CALL_AMENDED, now, amendment=number, changes=changes)
    await session.flush()
    return amendment
