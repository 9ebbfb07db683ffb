"""What a municipality plans: social-services programmes (program usług społecznych) and needs."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ARRAY, BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.commissioning.base import Base
from shared.db import Stamped


class Programme(Stamped, Base):
    __tablename__ = "programmes"
    __table_args__ = (CheckConstraint("period_end >= period_start", name="period_order"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    municipality_terc: Mapped[str] = mapped_column(ForeignKey("municipalities.terc"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    resolution_number: Mapped[str | None] = mapped_column(String(100))  # uchwała rady gminy
    resolution_date: Mapped[date | None] = mapped_column(Date)


class ProgrammeLine(Base):
    """A planned service: a catalogue service type, a quantity in its unit, a budget."""

    __tablename__ = "programme_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    programme_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    service_type_id: Mapped[uuid.UUID] = mapped_column()
    service_type_code: Mapped[str] = mapped_column(String(64))
    service_type_name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    budget_grosze: Mapped[int] = mapped_column(BigInteger)
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    area_terc: Mapped[str] = mapped_column(String(7))


class Need(Stamped, Base):
    """A service to commission, from a programme line or on its own, with what the diagnosis said."""

    __tablename__ = "needs"
    __table_args__ = (CheckConstraint("period_end >= period_start", name="period_order"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    municipality_terc: Mapped[str] = mapped_column(ForeignKey("municipalities.terc"), index=True)
    programme_line_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("programme_lines.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    service_type_id: Mapped[uuid.UUID] = mapped_column()
    service_type_code: Mapped[str] = mapped_column(String(64))
    service_type_name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    estimated_value_grosze: Mapped[int] = mapped_column(BigInteger)  # gross: what the municipality pays
    vat_rate_percent: Mapped[int | None] = mapped_column(Integer)  # None: exempt (usual for social services)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    area_terc: Mapped[str] = mapped_column(String(7))
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    notes: Mapped[str | None] = mapped_column(Text)

    @property
    def estimated_value_net_grosze(self) -> int:
        return self.estimated_value_grosze * 100 // (100 + (self.vat_rate_percent or 0))

    @property
    def duration_days(self) -> int:
        return (self.period_end - self.period_start).days + 1
