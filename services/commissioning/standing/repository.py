"""Queries of what commissioning learnt from the catalogue's events."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.calls import Call, CallStatus
from services.commissioning.models.offers import Offer, OfferStatus
from services.commissioning.models.standing import STANDING_FACTS, ProviderMembership, ProviderStanding


async def memberships_of(session: AsyncSession, subject: str) -> dict[uuid.UUID, bool]:
    """Every provider the account was told of: active or removed."""
    rows = await session.execute(
        select(ProviderMembership.provider_id, ProviderMembership.active).where(ProviderMembership.subject == subject)
    )
    return {provider_id: active for provider_id, active in rows.all()}


async def told_versions(session: AsyncSession, provider_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """The versions of these providers the catalogue's events told (or a read kept), as committed now."""
    query = select(ProviderStanding.provider_id, ProviderStanding.catalogue_version).where(
        ProviderStanding.provider_id.in_(provider_ids)
    )
    return {provider_id: version for provider_id, version in (await session.execute(query)).all()}


def _newer_kept(rows: list[dict[str, Any]]) -> Any:
    """The standings the catalogue answered, kept where they are newer (by its version) than what is held."""
    table = cast(Table, ProviderStanding.__table__)
    statement = pg_insert(table).values(rows)
    return statement.on_conflict_do_update(
        index_elements=[table.c.provider_id],
        set_={name: statement.excluded[name] for name in ("catalogue_version", "changed_at", *STANDING_FACTS)},
        where=statement.excluded.catalogue_version > table.c.catalogue_version,
    )


async def keep_newer(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(_newer_kept(sorted(rows, key=lambda row: str(row["provider_id"]))))  # one lock order


async def bidding(session: AsyncSession) -> set[uuid.UUID]:
    """Providers with an offer (not withdrawn) in a call that is open: the standings revisions are decided on."""
    query = (
        select(Offer.provider_id)
        .join(Call, Call.id == Offer.call_id)
        .where(Call.status == CallStatus.OPEN.value, Offer.status != OfferStatus.WITHDRAWN.value)
        .distinct()
    )
    return set((await session.scalars(query)).all())
