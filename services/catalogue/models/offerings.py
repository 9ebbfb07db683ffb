"""Offerings: a provider's offer of a service type, where, at what capacity and price."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from services.catalogue.base import Base
from shared.db import Stamped


class Offering(Stamped, Base):
    __tablename__ = "offerings"
    __table_args__ = (
        Index("ix_offerings_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_offerings_delivery_areas", "delivery_areas", postgresql_using="gin"),
        Index("ix_offerings_delivery_area_parents", "delivery_area_parents", postgresql_using="gin"),
        Index("ix_offerings_target_groups", "target_groups", postgresql_using="gin"),
        CheckConstraint("capacity_per_month >= 0", name="capacity_non_negative"),
        CheckConstraint("capacity_committed >= 0", name="committed_non_negative"),
        CheckConstraint("capacity_contracted >= 0", name="contracted_non_negative"),
        CheckConstraint("price_grosze >= 0", name="price_non_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    service_type_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_types.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    # TERC codes where the offering is delivered: a voivodeship, a powiat or a gmina each.
    delivery_areas: Mapped[list[str]] = mapped_column(ARRAY(String(7)))
    # The codes of units strictly containing a delivery area (2611011 -> 26, 2611): lets a powiat query find
    # offerings delivered in one of its gminas through a GIN index.
    delivery_area_parents: Mapped[list[str]] = mapped_column(ARRAY(String(7)))
    capacity_per_month: Mapped[int] = mapped_column(Integer)
    capacity_committed: Mapped[int] = mapped_column(Integer, default=0)  # declared by the provider
    # committed by contracts signed through commissioning and in force (kept by the capacity consumer)
    capacity_contracted: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    unit_price_grosze: Mapped[int] = mapped_column("price_grosze", Integer)  # per unit of the service type
    currency: Mapped[str] = mapped_column(String(3), default="PLN")
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    accessibility: Mapped[str | None] = mapped_column(Text)
    schedule: Mapped[list[dict[str, str | int]]] = mapped_column(JSONB, default=list)
    schedule_notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR)

    @property
    def free_capacity(self) -> int:
        return max(self.capacity_per_month - self.capacity_committed - self.capacity_contracted, 0)
