"""Taxonomy API shapes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from services.catalogue.models.taxonomy import Unit
from shared.schemas import Body, Schema, TargetGroupCodes, examples

CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class AreaOut(Schema):
    code: str = Field(description="Our stable code of the statutory area.", examples=["social-assistance"])
    name_pl: str = Field(description="The statute's name (art. 2 ust. 1 ustawy o CUS).", examples=["pomoc społeczna"])
    name_en: str = Field(description="English name.", examples=["social assistance"])
    position: int = Field(description="Order in the statute (1-14).")


class TargetGroupOut(Schema):
    code: str = Field(description="Code of the target group.", examples=["seniors"])
    name_pl: str = Field(description="Polish name.", examples=["seniorzy"])
    name_en: str = Field(description="English name.", examples=["seniors"])


class ServiceTypeOut(Schema):
    id: uuid.UUID = Field(description="Service type id.")
    code: str = Field(description="Stable code.", examples=["care-services"])
    area_code: str = Field(description="The statutory area it belongs to.", examples=["social-assistance"])
    name_pl: str = Field(description="Polish name.", examples=["usługi opiekuńcze"])
    name_en: str = Field(description="English name.", examples=["care services"])
    description: str | None = Field(description="What the service is.")
    unit: Unit = Field(description="Unit in which capacity, price and delivery are counted.")
    target_groups: list[str] = Field(description="Codes of the usual target groups.")
    created_at: datetime = Field(description="When it was created (UTC).")
    updated_at: datetime = Field(description="When it last changed (UTC).")
    version: int = Field(description="Version, also sent as the ETag.")


class ServiceTypeCreate(Body):
    model_config = examples(
        {
            "code": "sensory-integration",
            "area_code": "disability",
            "name_pl": "terapia integracji sensorycznej",
            "name_en": "sensory integration therapy",
            "unit": "session",
            "target_groups": ["children-youth", "disabled"],
        }
    )

    code: str = Field(min_length=2, max_length=64, pattern=CODE_PATTERN, description="Stable lowercase code.")
    area_code: str = Field(max_length=32, description="Code of one of the 14 statutory areas.")
    name_pl: str = Field(min_length=2, max_length=200, description="Polish name.")
    name_en: str = Field(min_length=2, max_length=200, description="English name.")
    description: str | None = Field(default=None, max_length=4000, description="What the service is.")
    unit: Unit = Field(description="Unit of capacity, price and delivery.")
    target_groups: TargetGroupCodes


class ServiceTypeUpdate(Body):
    model_config = examples({"name_en": "home care services"})

    area_code: str | None = Field(default=None, max_length=32, description="Code of a statutory area.")
    name_pl: str | None = Field(default=None, min_length=2, max_length=200, description="Polish name.")
    name_en: str | None = Field(default=None, min_length=2, max_length=200, description="English name.")
    description: str | None = Field(default=None, max_length=4000, description="What the service is.")
    unit: Unit | None = Field(default=None, description="Unit of capacity, price and delivery.")
    target_groups: list[str] | None = Field(default=None, max_length=20, description="Target group codes.")
