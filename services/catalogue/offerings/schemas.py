"""Offering API shapes."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from services.catalogue.models.taxonomy import Unit
from services.catalogue.providers.schemas import ProviderSummary
from shared.i18n import Refusal
from shared.identifiers import TercStr
from shared.schemas import Body, CreatedAt, TargetGroupCodes, TargetGroups, UpdatedAt, Version, examples

MAX_CAPACITY = 1_000_000  # units a month; more is not a real social service
MAX_PRICE_GROSZE = 100_000_000  # 1,000,000 PLN per unit


class ScheduleSlot(Body):
    weekday: int = Field(ge=1, le=7, description="ISO weekday, 1 = Monday (poniedziałek) ... 7 = Sunday.")
    opens_at: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="Opening time HH:MM (Europe/Warsaw).")
    closes_at: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$", description="Closing time HH:MM.")

    @model_validator(mode="after")
    def _order(self) -> ScheduleSlot:
        if self.closes_at <= self.opens_at:
            raise Refusal("closes_at must be after opens_at", "closes_at musi przypadać po opens_at")
        return self


class OfferingFields(Body):
    title: str = Field(min_length=2, max_length=300, description="Name of the offer.")
    description: str | None = Field(default=None, max_length=4000, description="What is delivered, how.")
    delivery_areas: list[TercStr] = Field(
        min_length=1,
        max_length=100,
        description="TERC codes where it is delivered (voivodeship, powiat or gmina).",
    )
    capacity_per_month: int = Field(ge=0, le=MAX_CAPACITY, description="Monthly capacity in the type's unit.")
    capacity_committed: int = Field(
        default=0,
        ge=0,
        le=MAX_CAPACITY,
        description="Part of the capacity committed outside this system (contracts signed through commissioning "
        "are counted apart, as capacity_contracted).",
    )
    unit_price_grosze: int = Field(
        ge=0, le=MAX_PRICE_GROSZE, description="Price of one unit (an hour, a visit...) in grosze (1 PLN = 100)."
    )
    currency: Literal["PLN"] = Field(default="PLN", description="Currency (PLN).")
    target_groups: TargetGroupCodes
    accessibility: str | None = Field(default=None, max_length=2000, description="Accessibility notes.")
    schedule: list[ScheduleSlot] = Field(default_factory=list, max_length=50, description="Weekly opening hours.")
    schedule_notes: str | None = Field(default=None, max_length=1000, description="Other schedule information.")
    active: bool = Field(default=True, description="Offered now; inactive offerings are hidden from the public.")

    @model_validator(mode="after")
    def _committed(self) -> OfferingFields:
        if self.capacity_committed > self.capacity_per_month:
            raise Refusal(
                "capacity_committed cannot exceed capacity_per_month",
                "capacity_committed nie może przekraczać capacity_per_month",
            )
        return self


class OfferingCreate(OfferingFields):
    model_config = examples(
        {
            "service_type_id": "ee0324e7-6d5a-5598-88d2-f7ea0480ead0",
            "title": "Usługi opiekuńcze w domu",
            "delivery_areas": ["2611"],
            "capacity_per_month": 1200,
            "unit_price_grosze": 4200,
            "target_groups": ["seniors", "dependent"],
            "schedule": [{"weekday": 1, "opens_at": "07:00", "closes_at": "19:00"}],
        },
        extra="forbid",
    )

    service_type_id: uuid.UUID = Field(description="The service type offered.")


class OfferingUpdate(BaseModel):
    model_config = examples({"unit_price_grosze": 4500, "capacity_per_month": 1000}, extra="forbid")

    title: str | None = Field(default=None, min_length=2, max_length=300, description="Name of the offer.")
    description: str | None = Field(default=None, max_length=4000, description="Description.")
    delivery_areas: list[TercStr] | None = Field(default=None, min_length=1, max_length=100, description="TERC codes.")
    capacity_per_month: int | None = Field(default=None, ge=0, le=MAX_CAPACITY, description="Monthly capacity.")
    capacity_committed: int | None = Field(default=None, ge=0, le=MAX_CAPACITY, description="Committed capacity.")
    unit_price_grosze: int | None = Field(
        default=None, ge=0, le=MAX_PRICE_GROSZE, description="Price of one unit, grosze."
    )
    target_groups: list[str] | None = Field(default=None, max_length=20, description="Target group codes.")
    accessibility: str | None = Field(default=None, max_length=2000, description="Accessibility notes.")
    schedule: list[ScheduleSlot] | None = Field(default=None, max_length=50, description="Weekly hours.")
    schedule_notes: str | None = Field(default=None, max_length=1000, description="Schedule notes.")
    active: bool | None = Field(default=None, description="Offered now.")


class ServiceTypeRef(Body):
    id: uuid.UUID = Field(description="Service type id.")
    code: str = Field(description="Code.")
    name_pl: str = Field(description="Polish name.")
    name_en: str = Field(description="English name.")
    area_code: str = Field(description="Statutory area.")
    unit: Unit = Field(description="Unit of capacity and price.")


class OfferingOut(Body):
    id: uuid.UUID = Field(description="Offering id.")
    provider: ProviderSummary = Field(description="Who offers it.")
    service_type: ServiceTypeRef = Field(description="What is offered.")
    title: str = Field(description="Name of the offer.")
    description: str | None = Field(description="Description.")
    delivery_areas: list[str] = Field(description="TERC codes where it is delivered.")
    capacity_per_month: int = Field(description="Monthly capacity, in the unit.")
    capacity_committed: int = Field(description="Capacity the provider declares committed elsewhere.")
    capacity_contracted: int = Field(
        description="Capacity a month committed by contracts signed through commissioning and in force (kept "
        "by the catalogue from commissioning's events: a contract's units spread over the months of its period)."
    )
    free_capacity: int = Field(description="capacity_per_month - capacity_committed - capacity_contracted (≥ 0).")
    unit_price_grosze: int = Field(description="Price of one unit of the service type, grosze.")
    currency: str = Field(description="PLN.")
    unit: Unit = Field(description="The unit the price and capacity are counted in.")
    target_groups: TargetGroups
    accessibility: str | None = Field(description="Accessibility notes.")
    schedule: list[ScheduleSlot] = Field(description="Weekly opening hours.")
    schedule_notes: str | None = Field(description="Schedule notes.")
    active: bool = Field(description="Offered now.")
    created_at: CreatedAt
    updated_at: UpdatedAt
    version: Version
    rank: float | None = Field(default=None, description="Text relevance, when searching by text.")


def offering_json(row: Any) -> dict[str, Any]:
    """An offering row (`repository.OFFERING_COLUMNS`) as the JSON of `OfferingOut`, built without a model
    round-trip: search pages are the hottest path of the catalogue. Tests validate the output against
    `OfferingOut` (which forbids unknown fields), so the two cannot drift apart."""
    r = row._asdict()  # one conversion; attribute access on a Row costs more per field
    return {
        "id": r["id"],
        "provider": {
            "id": r["provider_id"],
            "name": r["provider_name"],
            "legal_form": r["legal_form"],
            "is_pes": r["is_pes"],
            "social_enterprise": r["social_enterprise"],
            "voivodeship": r["voivodeship"],
            "city": r["city"],
            "status": r["provider_status"],
        },
        "service_type": {
            "id": r["service_type_id"],
            "code": r["st_code"],
            "name_pl": r["st_name_pl"],
            "name_en": r["st_name_en"],
            "area_code": r["area_code"],
            "unit": r["unit"],
        },
        "title": r["title"],
        "description": r["description"],
        "delivery_areas": r["delivery_areas"],
        "capacity_per_month": r["capacity_per_month"],
        "capacity_committed": r["capacity_committed"],
        "capacity_contracted": r["capacity_contracted"],
        "free_capacity": max(r["capacity_per_month"] - r["capacity_committed"] - r["capacity_contracted"], 0),
        "unit_price_grosze": r["price_grosze"],
        "currency": r["currency"],
        "unit": r["unit"],
        "target_groups": r["target_groups"],
        "accessibility": r["accessibility"],
        "schedule": r["schedule"],
        "schedule_notes": r["schedule_notes"],
        "active": r["active"],
        "created_at": r["created_at"],
        "updated_at": r["updated_at"],
        "version": r["version"],
        "rank": r.get("rank"),
    }
