"""Municipalities (gminy) and their centres for social services (CUS)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from services.commissioning.base import Base
from shared.db import Stamped


class Municipality(Stamped, Base):
    __tablename__ = "municipalities"

    terc: Mapped[str] = mapped_column(String(7), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    cus_name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(6))
    city: Mapped[str | None] = mapped_column(String(100))


class MunicipalityBudget(Base):
    """What a municipality's budget for a year plans for grants to NGOs' public tasks: small grants together may
    take at most a share of it (UDPP art. 19a)."""

    __tablename__ = "municipality_budgets"

    terc: Mapped[str] = mapped_column(ForeignKey("municipalities.terc", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    ngo_grants_planned_grosze: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
