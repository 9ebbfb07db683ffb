"""The taxonomy: the 14 statutory areas (art. 2 ust. 1 of the CUS Act), target groups, service types."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import ARRAY, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.catalogue.base import Base
from shared.db import Stamped


class Unit(StrEnum):
    """The unit in which a service type's capacity, price and delivery are counted."""

    HOUR = "hour"
    VISIT = "visit"
    SESSION = "session"
    DAY = "day"
    PLACE_MONTH = "place-month"


class Area(Base):
    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_pl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)


class TargetGroup(Base):
    __tablename__ = "target_groups"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_pl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class ServiceType(Stamped, Base):
    __tablename__ = "service_types"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    name_pl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(16))
    target_groups: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
