"""Capacity committed by contracts signed in commissioning, learnt from its change feed, and the consumer's
bookkeeping (where it has read to, which events it has applied)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.catalogue.base import Base
from shared.feeds import AppliedEventColumns, FeedPositionColumns


class CapacityCommitment(Base):
    """What one contract commits of one offering, per month, while it is in force."""

    __tablename__ = "capacity_commitments"

    contract_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    offering_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("offerings.id", ondelete="SET NULL"), index=True
    )  # none: the provider offers nothing that matches the contract
    provider_id: Mapped[uuid.UUID] = mapped_column(index=True)
    service_type_id: Mapped[uuid.UUID | None] = mapped_column()
    area_terc: Mapped[str | None] = mapped_column(String(7))
    units_per_month: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    contract_status: Mapped[str] = mapped_column(String(32))
    contract_version: Mapped[int] = mapped_column(Integer)  # events older than this one change nothing
    counted: Mapped[bool] = mapped_column(Boolean)  # part of its offering's capacity_contracted now
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FeedPosition(FeedPositionColumns, Base):
    """How far the catalogue has read commissioning's feed."""


class AppliedEvent(AppliedEventColumns, Base):
    """A commissioning event the catalogue has applied."""
