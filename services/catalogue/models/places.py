"""Territorial units of the TERYT TERC register (GUS): voivodeships, powiats and gminas."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.catalogue.base import Base


class TercUnit(Base):
    __tablename__ = "terc_units"

    code: Mapped[str] = mapped_column(String(7), primary_key=True)  # WW, WWPP or WWPPGGR
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60))  # województwo, powiat, miasto na prawach powiatu, gmina wiejska...
