"""The two bases of every API shape: what a service answers, and what a client sends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar, Unpack

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from shared.i18n import Refusal


class Schema(BaseModel):
    """An API shape; answers are read straight from ORM objects (`Out.model_validate(row)`)."""

    model_config = ConfigDict(from_attributes=True)


S = TypeVar("S", bound=BaseModel)


def from_row(model: type[S], row: Any, **given: Any) -> S:
    """The model of a row: each field read from the row's attribute of its name, but for those `given`."""
    return model.model_validate(
        {name: given[name] if name in given else getattr(row, name) for name in model.model_fields}
    )


def examples(*shown: dict[str, Any], **config: Unpack[ConfigDict]) -> ConfigDict:
    """A model's configuration (`config`) with the examples the OpenAPI document shows of it."""
    return {**config, "json_schema_extra": {"examples": list(shown)}}


class Body(Schema):
    """What a client sends: an unknown field is refused (422 naming it), never silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _in_utc(value: datetime) -> datetime:
    """The instant in UTC (a time without an offset is read as UTC). `0001-01-01T00:00+14:00` is refused: in UTC
    it falls in year 0, which neither Python nor PostgreSQL keeps."""
    try:
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise Refusal(
            "is outside the times this service keeps (years 1 to 9999 in UTC)",
            "wykracza poza czas, który ta usługa przechowuje (lata 1–9999 w UTC)",
        ) from None


# A time a client sends with its UTC offset (a body field).
Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]
# A time in a query filter: with its offset, or UTC without one.
Timestamp = Annotated[datetime, AfterValidator(_in_utc)]


# Days a social service can be planned, delivered, reported or paid on. Far outside these, periods and schedules
# stop meaning anything (a payment schedule to 9999-12-31 has 95,000 instalments, and its next month overflows).
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)


def _plausible(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise Refusal(
            f"is outside {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}",
            f"wykracza poza zakres {FIRST_DAY.isoformat()} – {LAST_DAY.isoformat()}",
        )
    return value


CalendarDate = Annotated[date, AfterValidator(_plausible)]


def utc_iso(moment: datetime) -> str:
    """An instant as this API writes every instant: ISO 8601 in UTC with `Z` (2026-03-02T09:00:00Z)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# Fields many shapes have, each described once (`version: Version`).
Version = Annotated[int, Field(description="Version, also the ETag.")]
CreatedAt = Annotated[datetime, Field(description="Created (UTC).")]
UpdatedAt = Annotated[datetime, Field(description="Last change (UTC).")]
When = Annotated[datetime, Field(description="When (UTC).")]
TargetGroups = Annotated[list[str], Field(description="Target groups.")]
TargetGroupCodes = Annotated[list[str], Field(default_factory=list, max_length=20, description="Target group codes.")]
