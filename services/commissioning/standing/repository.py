"""Queries of what commissioning learnt from the catalogue's events."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.standing import ProviderMembership


async def memberships_of(session: AsyncSession, subject: str) -> dict[uuid.UUID, bool]:
    """Every provider the account was told of: active or removed."""
    rows = await session.execute(
        select(ProviderMembership.provider_id, ProviderMembership.active).where(ProviderMembership.subject == subject)
    )
    return {provider_id: active for provider_id, active in rows.all()}
