"""Calls (one contracting process each), their lots, history, questions and amendments."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.commissioning.base import Base
from shared.db import Versioned


class CallStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"  # published, taking offers until the deadline
    EVALUATION = "evaluation"  # the deadline passed: offers are open to the municipality and its committee
    AWARDED = "awarded"  # every lot decided, at least one winner
    UNSUCCESSFUL = "unsuccessful"  # every lot decided, no winner (or no offers)
    CANCELLED = "cancelled"


class CallEvent(StrEnum):
    """Time-driven events a call can have due."""

    OPEN_OFFERS = "open-offers"  # at the deadline
    END_STANDSTILL = "end-standstill"  # contracts of decided lots are signed


class Call(Versioned, Base):
    __tablename__ = "calls"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    ocid: Mapped[str] = mapped_column(String(100), unique=True)
    municipality_terc: Mapped[str] = mapped_column(ForeignKey("municipalities.terc"), index=True)
    need_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(32))
    vat_rate_percent: Mapped[int | None] = mapped_column(Integer)  # lot values are gross; None: VAT-exempt
    rules_version: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=CallStatus.DRAFT.value, index=True)
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSONB)
    grant_terms: Mapped[dict[str, Any] | None] = mapped_column(JSONB)  # a UDPP call's terms of the grant
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    # the dates OCDS releases are paged by (ocds.repository.BRANCHES) are indexed: a page reads its own length
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    decision_date: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    next_event: Mapped[str | None] = mapped_column(String(32))
    next_event_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # A due event that failed is retried later (the worker backs off); these say how often and why.
    event_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    event_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # The public modification date: offers never touch it (sealed until the deadline).
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    @property
    def duration_days(self) -> int:
        return (self.period_end - self.period_start).days + 1


class Lot(Base):
    __tablename__ = "lots"
    __table_args__ = (UniqueConstraint("call_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    service_type_id: Mapped[uuid.UUID] = mapped_column()
    service_type_code: Mapped[str] = mapped_column(String(64))
    area_code: Mapped[str | None] = mapped_column(String(32))  # the statutory area of the service type
    unit: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    area_terc: Mapped[str] = mapped_column(String(7))
    value_grosze: Mapped[int] = mapped_column(BigInteger)


class CallHistory(Base):
    """The call's public change history (offers never appear in it)."""

    __tablename__ = "call_history"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    actor: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Question(Base):
    """A provider's question; the answer is published (the asker's identity is not)."""

    __tablename__ = "questions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    asked_by_provider: Mapped[uuid.UUID] = mapped_column()
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Amendment(Base):
    __tablename__ = "amendments"
    __table_args__ = (UniqueConstraint("call_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    deadline_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    offers_to_confirm: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Award(Base):
    """One winner of a lot (a decision may have several); also what the art. 361 repeat-award rule reads."""

    __tablename__ = "awards"
    # a municipality's awards of a service type: repeat awards, and an open competition's prior tasks
    __table_args__ = (Index("ix_awards_municipality_service_type", "municipality_terc", "service_type_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"))
    decision_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("award_decisions.id", ondelete="CASCADE"))
    offer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offers.id", ondelete="SET NULL"))
    provider_id: Mapped[uuid.UUID] = mapped_column(index=True)
    provider_name: Mapped[str | None] = mapped_column(String(300))
    provider_nip: Mapped[str | None] = mapped_column(String(10))
    is_pes: Mapped[bool | None] = mapped_column()
    municipality_terc: Mapped[str] = mapped_column(String(7))
    mode: Mapped[str] = mapped_column(String(32))
    service_type_id: Mapped[uuid.UUID] = mapped_column()
    value_grosze: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int | None] = mapped_column(Integer)  # units bought, in the lot's unit
    awarded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
