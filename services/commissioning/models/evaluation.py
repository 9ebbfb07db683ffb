"""The evaluation committee: members, conflict-of-interest declarations, formal checks, score sheets."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.commissioning.base import Base
from shared.db import Versioned


class CommitteeMember(Base):
    __tablename__ = "committee_members"
    __table_args__ = (UniqueConstraint("call_id", "subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(Text, index=True)  # the evaluator's token subject
    name: Mapped[str] = mapped_column(String(200))
    nominated_by: Mapped[str | None] = mapped_column(String(300))  # e.g. an NGO (UDPP art. 15 ust. 2a)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Declaration(Base):
    """Per bidder: the member declares no conflict of interest (or a conflict, which excludes them)."""

    __tablename__ = "declarations"
    __table_args__ = (UniqueConstraint("member_id", "provider_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[uuid.UUID] = mapped_column()
    conflict: Mapped[bool] = mapped_column(Boolean)
    statement: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FormalCheck(Versioned, Base):
    __tablename__ = "formal_checks"

    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    checked_by: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScoreSheet(Versioned, Base):
    """One member's scores for one offer: each member has their own sheet, so members never overwrite each
    other; one member editing twice is guarded by If-Match."""

    __tablename__ = "score_sheets"
    __table_args__ = (UniqueConstraint("member_id", "offer_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("committee_members.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    # {criterion code: {"score": 0-100, "justification": "..."}} for the non-price criteria
    scores: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
