"""What commissioning knows of providers from the catalogue's change feed: their verification standing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.commissioning.base import Base
from shared.feeds import AppliedEventColumns, FeedPositionColumns


class ProviderStanding(Base):
    """A provider's status as the catalogue last told it (verified, suspended, rejected...)."""

    __tablename__ = "provider_standings"

    provider_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the event's time
    # the catalogue's version of the provider this was told at (0: told by an event that carried none)
    catalogue_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # the facts eligibility is decided on, as the same event told them (an offer then needs no catalogue call)
    name: Mapped[str | None] = mapped_column(Text)
    nip: Mapped[str | None] = mapped_column(String(10))
    legal_form: Mapped[str | None] = mapped_column(String(32))
    is_pes: Mapped[bool | None] = mapped_column(Boolean)
    social_enterprise: Mapped[bool | None] = mapped_column(Boolean)
    excluded_share: Mapped[float | None] = mapped_column(Float)


# what the catalogue tells of a provider, its events and its standings alike
STANDING_FACTS = ("status", "name", "nip", "legal_form", "is_pes", "social_enterprise", "excluded_share")


@dataclass(frozen=True, slots=True)
class Standing:
    """A provider's standing as a decision uses it: the catalogue's facts at its version of the provider, and when
    this process read them from the catalogue as committed (None: only told by its events)."""

    provider_id: uuid.UUID
    catalogue_version: int
    status: str | None
    name: str | None
    nip: str | None
    legal_form: str | None
    is_pes: bool | None
    social_enterprise: bool | None
    excluded_share: float | None
    confirmed_at: datetime | None = None

    @classmethod
    def answered(cls, item: dict[str, Any], confirmed_at: datetime) -> Standing:
        """As the catalogue's `GET /v1/provider-standings` answered, asked at `confirmed_at`."""
        facts = {name: item.get(name) for name in STANDING_FACTS}
        return cls(uuid.UUID(str(item["provider_id"])), int(item["version"]), **facts, confirmed_at=confirmed_at)

    def row(self) -> dict[str, Any]:
        """Its `provider_standings` columns."""
        facts = {name: getattr(self, name) for name in STANDING_FACTS}
        fixed = {"provider_id": self.provider_id, "catalogue_version": self.catalogue_version}
        return fixed | {"changed_at": self.confirmed_at} | facts


class ProviderMembership(Base):
    """Who acts for a provider, as the catalogue's member events last told (a removal is kept, so that an older
    addition delivered late does not bring it back)."""

    __tablename__ = "provider_memberships"

    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the event's time


class FeedPosition(FeedPositionColumns, Base):
    """How far commissioning has read the catalogue's feed."""


class AppliedEvent(AppliedEventColumns, Base):
    """A catalogue event commissioning has applied."""
