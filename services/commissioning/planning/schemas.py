"""Programme and need API shapes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.commissioning.models.planning import Programme
from services.commissioning.rules.schemas import ModeAdvice
from shared.i18n import Refusal
from shared.schemas import Body, CalendarDate, CreatedAt, Schema, TargetGroupCodes, TargetGroups, examples, from_row

MAX_VALUE_GROSZE = 100_000_000_000  # 1 bn PLN: more is not a municipal social service
VatRate = Literal[0, 5, 8, 23]  # the rates of the VAT act

VAT_DOC = (
    "VAT rate in percent of the (gross) values: 0, 5, 8 or 23; empty: exempt (zw.), usual for social services. "
    "Pzp thresholds compare values without VAT."
)

# The fields of a planned service that needs, programme lines and calls' lots share, each described once.
Title = Annotated[str, Field(description="Title.")]
MunicipalityTerc = Annotated[str, Field(description="Municipality.")]
AreaTerc = Annotated[str, Field(description="Area (TERC).")]
ServiceTypeId = Annotated[uuid.UUID, Field(description="Catalogue service type.")]
ServiceTypeCode = Annotated[str, Field(description="Its code.")]
ServiceTypeName = Annotated[str, Field(description="Its Polish name.")]
Unit = Annotated[str, Field(description="Unit of the quantity.")]
Quantity = Annotated[int, Field(description="Quantity.")]
QuantityIn = Annotated[int, Field(gt=0, le=10_000_000, description="Quantity in the service type's unit.")]


class Period(BaseModel):
    period_start: CalendarDate = Field(description="First day (Europe/Warsaw calendar).")
    period_end: CalendarDate = Field(description="Last day, inclusive.")

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.period_end < self.period_start:
            raise Refusal("period_end is before period_start", "period_end przypada przed period_start")
        if (self.period_end - self.period_start).days > 10 * 366:
            raise Refusal("a period longer than 10 years is not a plan", "okres dłuższy niż 10 lat nie jest planem")
        return self


class LineIn(Body):
    service_type_id: ServiceTypeId
    quantity: QuantityIn
    budget_grosze: int = Field(ge=0, le=MAX_VALUE_GROSZE, description="Budget in grosze.")
    target_groups: TargetGroupCodes


class LineOut(Schema):
    id: uuid.UUID = Field(description="Line id.")
    service_type_id: ServiceTypeId
    service_type_code: ServiceTypeCode
    service_type_name: ServiceTypeName
    unit: Unit
    quantity: Quantity
    budget_grosze: int = Field(description="Budget in grosze.")
    target_groups: TargetGroups
    area_terc: AreaTerc


class ProgrammeCreate(Period):
    model_config = examples(
        {
            "title": "Program usług społecznych Gminy Starachowice na lata 2026-2027",
            "period_start": "2026-01-01",
            "period_end": "2027-12-31",
            "resolution_number": "XII/123/2025",
            "resolution_date": "2025-12-18",
            "lines": [
                {
                    "service_type_id": "ee0324e7-6d5a-5598-88d2-f7ea0480ead0",
                    "quantity": 20000,
                    "budget_grosze": 84000000,
                    "target_groups": ["seniors"],
                }
            ],
        },
        extra="forbid",
    )

    title: str = Field(min_length=2, max_length=300, description="Title of the programme.")
    resolution_number: str | None = Field(default=None, max_length=100, description="Council resolution number.")
    resolution_date: CalendarDate | None = Field(default=None, description="Date of the council resolution.")
    lines: list[LineIn] = Field(default_factory=list, max_length=200, description="Planned services.")


class ProgrammeOut(Period):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="Programme id.")
    municipality_terc: MunicipalityTerc
    title: Title
    resolution_number: str | None = Field(description="Council resolution number.")
    resolution_date: CalendarDate | None = Field(description="Council resolution date.")
    lines: list[LineOut] = Field(description="Planned services.")
    created_at: CreatedAt
    version: int = Field(description="Version.")


class NeedCreate(Period):
    model_config = examples(
        {
            "title": "Usługi opiekuńcze dla seniorów 2026",
            "service_type_id": "ee0324e7-6d5a-5598-88d2-f7ea0480ead0",
            "quantity": 12000,
            "estimated_value_grosze": 50400000,
            "period_start": "2026-03-01",
            "period_end": "2026-12-31",
            "notes": "Diagnoza potrzeb 2025: 140 osób 75+ wymaga wsparcia w domu.",
        },
        extra="forbid",
    )

    title: str = Field(min_length=2, max_length=300, description="What is needed.")
    programme_line_id: uuid.UUID | None = Field(default=None, description="The programme line it comes from.")
    service_type_id: uuid.UUID | None = Field(
        default=None, description="Catalogue service type (default: the programme line's)."
    )
    quantity: QuantityIn
    estimated_value_grosze: int = Field(
        ge=0, le=MAX_VALUE_GROSZE, description="Estimated value in grosze, gross (what the municipality pays)."
    )
    vat_rate_percent: VatRate | None = Field(default=None, description=VAT_DOC)
    target_groups: TargetGroupCodes
    notes: str | None = Field(default=None, max_length=4000, description="From the diagnosis or consultations.")


class NeedOut(Period):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID = Field(description="Need id.")
    municipality_terc: MunicipalityTerc
    programme_line_id: uuid.UUID | None = Field(description="Programme line.")
    title: str = Field(description="What is needed.")
    service_type_id: ServiceTypeId
    service_type_code: ServiceTypeCode
    service_type_name: ServiceTypeName
    unit: Unit
    quantity: Quantity
    estimated_value_grosze: int = Field(description="Estimated value in grosze, gross.")
    vat_rate_percent: int | None = Field(description="VAT rate in percent; empty: exempt.")
    estimated_value_net_grosze: int = Field(description="Estimated value without VAT (what Pzp thresholds compare).")
    area_terc: str = Field(description="Area (the gmina's TERC).")
    target_groups: TargetGroups
    notes: str | None = Field(description="Notes.")
    duration_days: int = Field(description="Days from period_start to period_end, inclusive.")
    created_at: CreatedAt
    version: int = Field(description="Version.")


def programme_out(programme: Programme, lines: list[Any]) -> ProgrammeOut:
    own = [LineOut.model_validate(line) for line in lines if line.programme_id == programme.id]
    return from_row(ProgrammeOut, programme, lines=own)


class NeedAdviceOut(Schema):
    """The mode advisor's answer for a need: every mode with its verdict and reasons, recommended first."""

    need_id: uuid.UUID
    rules_version: str = Field(description="The rule set in force today (a call follows the one at publication).")
    value_grosze: int = Field(description="The need's estimated value, gross.")
    duration_days: int
    local_pes_offerings: int | None = Field(description="Offerings of the service by verified PES in the area.")
    modes: list[ModeAdvice]
