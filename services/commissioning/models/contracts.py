"""Award decisions (one per lot, ever), contracts, their amendments, delivery reports and payments."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.commissioning.base import Base
from shared.db import Versioned


class AwardDecision(Base):
    """The decision on a lot: zero, one or several winners. Unique per lot, so a lot is never awarded twice."""

    __tablename__ = "award_decisions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    ranking: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)  # the published results: scores and reasons
    decided_by: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)  # (OCDS paging)
    standstill_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ContractStatus(StrEnum):
    STANDSTILL = "standstill"  # awarded; nobody signs before the standstill period ends
    AWAITING_SIGNATURE = "awaiting-signature"  # the standstill is over: the municipality records the signature
    AWAITING_CONFIRMATION = "awaiting-confirmation"  # signed by the municipality: the provider confirms
    ACTIVE = "active"  # signed by both
    COMPLETED = "completed"
    TERMINATED = "terminated"


class Contract(Versioned, Base):
    __tablename__ = "contracts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    award_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), unique=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"))
    provider_id: Mapped[uuid.UUID] = mapped_column(index=True)
    provider_name: Mapped[str] = mapped_column(String(300))
    municipality_terc: Mapped[str] = mapped_column(String(7), index=True)
    value_grosze: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int | None] = mapped_column(Integer)  # units bought, in the lot's unit
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32))
    number: Mapped[str | None] = mapped_column(String(100))  # the municipality's contract number (umowa nr ...)
    signed_on: Mapped[date | None] = mapped_column(Date)  # the date on the signed contract
    payment_schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)  # [{due_date, amount_grosze}]
    reporting_schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)  # [{period_start, period_end, due_date}]
    # when both parties had signed; it and updated_at are indexed for OCDS paging
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    ended_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ContractAmendment(Base):
    __tablename__ = "contract_amendments"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class DeliveryReport(Versioned, Base):
    __tablename__ = "delivery_reports"
    __table_args__ = (UniqueConstraint("contract_id", "period_start"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    units_delivered: Mapped[int] = mapped_column(Integer)
    people_served: Mapped[dict[str, int]] = mapped_column(JSONB)  # per target group
    outcomes: Mapped[str | None] = mapped_column(Text)
    issues: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    review_comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (  # one payment per instalment of the schedule
        Index(
            "uq_payments_contract_instalment",
            "contract_id",
            "schedule_index",
            unique=True,
            postgresql_where=text("schedule_index IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    contract_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    schedule_index: Mapped[int | None] = mapped_column(Integer)  # the payment_schedule entry it settles
    amount_grosze: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OfferComment(Base):
    """A comment on an offer published before the contract (a small grant's 7 days, UDPP art. 19a)."""

    __tablename__ = "offer_comments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"))
    comment: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(Text)  # role:subject, kept from the public
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
