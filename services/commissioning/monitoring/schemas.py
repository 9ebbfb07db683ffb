"""The shape of the monitoring indicators."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.schemas import Schema


class Scope(Schema):
    municipality: str | None = Field(description="The municipality (TERC), or none.")
    voivodeship: str | None = Field(description="The voivodeship (TERC), or none.")


class Period(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="First day (Europe/Warsaw calendar).")
    to: str = Field(description="Last day.")


class ByMode(Schema):
    mode: str
    awards: int
    value_grosze: int
    value_to_pes_grosze: int


class ByArea(Schema):
    area_code: str | None = Field(description="The statutory area of the service type.")
    service_type_code: str
    awards: int
    value_grosze: int


class IndicatorsOut(Schema):
    """What was commissioned in the period, how much went to the social economy, who was served, what was paid.
    A call counts as closed (with or without offers) only once its deadline has passed."""

    scope: Scope
    period: Period
    value_commissioned_grosze: int = Field(description="Value of the awards made in the period, gross.")
    value_to_pes_grosze: int = Field(description="The part awarded to social-economy entities (PES).")
    pes_share: float | None = Field(description="value_to_pes / value_commissioned (none when nothing was awarded).")
    by_mode: list[ByMode]
    by_area: list[ByArea]
    people_served: dict[str, int] = Field(description="People served by target group, from accepted reports.")
    people_served_total: int
    calls_closed: int = Field(description="Calls whose deadline passed in the period.")
    calls_without_offers: int = Field(description="Of those, calls that received no offer.")
    paid_grosze: int = Field(description="Payments made in the period.")
    outstanding_grosze: int = Field(description="What the period's contracts still have to be paid.")
