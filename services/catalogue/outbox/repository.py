"""What the catalogue's feed asks the database besides the events (the kit reads those: shared.events)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.providers import ProviderMember


async def member_of(session: AsyncSession, subject: str) -> frozenset[uuid.UUID]:
    """The providers an account is a member of: it reads their private events."""
    return frozenset(
        (await session.scalars(select(ProviderMember.provider_id).where(ProviderMember.subject == subject))).all()
    )
