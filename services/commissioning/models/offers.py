"""Sealed offers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.commissioning.base import Base
from shared.db import Versioned


class OfferStatus(StrEnum):
    SUBMITTED = "submitted"
    NEEDS_CONFIRMATION = "needs-confirmation"  # the call was amended after it was submitted
    WITHDRAWN = "withdrawn"


class Offer(Versioned, Base):
    __tablename__ = "offers"
    __table_args__ = (UniqueConstraint("lot_id", "provider_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    # looked up by the unique (lot_id, provider_id) index, which begins with it
    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"))
    provider_id: Mapped[uuid.UUID] = mapped_column(index=True)
    provider_name: Mapped[str] = mapped_column(String(300))
    provider_nip: Mapped[str | None] = mapped_column(String(10))  # for open-data identifiers (PL-NIP)
    status: Mapped[str] = mapped_column(String(24))
    total_price_grosze: Mapped[int] = mapped_column("price_grosze", BigInteger)  # for the whole lot
    quantity: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # a UDPP offer as the 2018 template structures it, with the totals the server computed (`grants.rules`)
    grant_offer: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    content_hash: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True, slots=True)
class OfferRow:
    """An offer as a statement wrote and returned it (the offers settled before the routing): the same fields as
    `Offer`, without the ORM's instrumentation, which costs more than the rest of such a request's Python."""

    id: uuid.UUID
    call_id: uuid.UUID
    lot_id: uuid.UUID
    provider_id: uuid.UUID
    provider_name: str
    provider_nip: str | None
    status: str
    total_price_grosze: int
    quantity: int
    answers: dict[str, Any]
    grant_offer: dict[str, Any] | None
    content_hash: str
    submitted_at: datetime
    created_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """An offer as a write to it is decided on."""

    id: uuid.UUID
    call_id: uuid.UUID
    lot_id: uuid.UUID
    provider_id: uuid.UUID
    version: int
    status: str
