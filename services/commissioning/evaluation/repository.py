"""Committee, declaration, formal check and score sheet queries."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.calls import Call
from services.commissioning.models.evaluation import CommitteeMember, Declaration, FormalCheck, ScoreSheet


async def member(session: AsyncSession, call_id: uuid.UUID, subject: str) -> CommitteeMember | None:
    query = select(CommitteeMember).where(CommitteeMember.call_id == call_id, CommitteeMember.subject == subject)
    return (await session.scalars(query)).one_or_none()


async def members(session: AsyncSession, call_id: uuid.UUID) -> Sequence[CommitteeMember]:
    query = select(CommitteeMember).where(CommitteeMember.call_id == call_id).order_by(CommitteeMember.assigned_at)
    return (await session.scalars(query)).all()


async def declaration(session: AsyncSession, member_id: uuid.UUID, provider_id: uuid.UUID) -> Declaration | None:
    query = select(Declaration).where(Declaration.member_id == member_id, Declaration.provider_id == provider_id)
    return (await session.scalars(query)).one_or_none()


async def declarations_of(session: AsyncSession, member_ids: Collection[uuid.UUID]) -> Sequence[Declaration]:
    return (await session.scalars(select(Declaration).where(Declaration.member_id.in_(member_ids)))).all()


async def sheet_for_update(session: AsyncSession, member_id: uuid.UUID, offer_id: uuid.UUID) -> ScoreSheet | None:
    query = select(ScoreSheet).where(ScoreSheet.member_id == member_id, ScoreSheet.offer_id == offer_id)
    return (await session.scalars(query.with_for_update())).one_or_none()


async def sheets(
    session: AsyncSession, offer_ids: Collection[uuid.UUID], *, member_id: uuid.UUID | None = None
) -> Sequence[ScoreSheet]:
    query = select(ScoreSheet).where(ScoreSheet.offer_id.in_(offer_ids))
    if member_id is not None:
        query = query.where(ScoreSheet.member_id == member_id)
    return (await session.scalars(query)).all()


async def formal_checks(session: AsyncSession, offer_ids: Collection[uuid.UUID]) -> Sequence[FormalCheck]:
    return (await session.scalars(select(FormalCheck).where(FormalCheck.offer_id.in_(offer_ids)))).all()


async def committees_of(session: AsyncSession, subject: str) -> Sequence[tuple[CommitteeMember, Call]]:
    query = (
        select(CommitteeMember, Call)
        .join(Call, Call.id == CommitteeMember.call_id)
        .where(CommitteeMember.subject == subject)
        .order_by(Call.deadline.desc(), Call.id)
    )
    return [(member, call) for member, call in (await session.execute(query)).all()]
