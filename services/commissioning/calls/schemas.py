"""Call API shapes: lots, weighted criteria, eligibility, documents, questions, amendments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from services.commissioning.access import acts_for_municipality
from services.commissioning.calls.events import effective_status
from services.commissioning.calls.repository import TasksOfYear
from services.commissioning.grants.schemas import GrantTerms, SheetElement
from services.commissioning.models.calls import Call, CallStatus, Lot
from services.commissioning.planning.schemas import (
    MAX_VALUE_GROSZE,
    VAT_DOC,
    AreaTerc,
    Quantity,
    QuantityIn,
    Title,
    Unit,
    VatRate,
)
from services.commissioning.rules.modes import LEGAL_FORMS, Mode
from services.commissioning.rules.schemas import ReasonOut
from shared.auth import Principal
from shared.i18n import Refusal
from shared.schemas import Body, CalendarDate, CreatedAt, Instant, Schema, Version, When, examples, from_row

CODE = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Criterion(Body):
    code: str = Field(min_length=2, max_length=40, pattern=CODE, description="Stable code, e.g. `price`.")
    name: str = Field(
        min_length=2, max_length=200, description="Name, e.g. cena, jakość, zatrudnienie osób wykluczonych."
    )
    kind: Literal["price", "quality", "experience", "social"] = Field(description="Kind of criterion.")
    weight: int = Field(ge=1, le=100, description="Weight in points; a call's weights sum to 100.")
    element: SheetElement | None = Field(
        default=None,
        description="In a UDPP call with terms of a grant, the element of the committee's assessment it stands for "
        "(art. 15 ust. 1 UDPP): such a call has one criterion for every element the act names.",
    )


def check_criteria(criteria: list[Criterion]) -> list[Criterion]:
    codes = [c.code for c in criteria]
    if len(set(codes)) != len(codes):
        raise Refusal("criterion codes must be unique", "kody kryteriów muszą być niepowtarzalne")
    total = sum(c.weight for c in criteria)
    if total != 100:
        raise Refusal(
            f"criterion weights must sum to 100, not {total}",
            f"wagi kryteriów muszą sumować się do 100, nie do {total}",
        )
    if sum(1 for c in criteria if c.kind == "price") > 1:
        raise Refusal("at most one price criterion", "najwyżej jedno kryterium cenowe")
    return criteria


class Eligibility(Body):
    legal_forms: list[str] = Field(
        default_factory=list, max_length=20, description="Admitted legal forms (empty: any)."
    )
    pes_only: bool = Field(default=False, description="Only social-economy entities (PES).")
    social_enterprise_only: bool = Field(default=False, description="Only social enterprises (PS).")
    min_excluded_share: float | None = Field(
        default=None, ge=0, le=1, description="Minimum share of employees from excluded groups (0..1)."
    )

    @field_validator("legal_forms")
    @classmethod
    def _forms(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - LEGAL_FORMS)
        if unknown:
            raise Refusal(f"unknown legal forms {unknown}", f"nieznane formy prawne {unknown}")
        return sorted(set(value))


class Document(Body):
    title: str = Field(min_length=2, max_length=300, description="Title, e.g. ogłoszenie, SWZ, wzór umowy.")
    url: str = Field(max_length=1000, pattern=r"^https://\S+$", description="Where it is published (https).")
    media_type: str = Field(default="application/pdf", max_length=100, description="Media type.")
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$", description="Checksum of the file.")


class LotIn(Body):
    title: str = Field(min_length=2, max_length=300, description="Title of the lot (część).")
    service_type_id: uuid.UUID | None = Field(default=None, description="Service type (default: the need's).")
    quantity: QuantityIn
    value_grosze: int = Field(ge=0, le=MAX_VALUE_GROSZE, description="Estimated value of the lot, grosze.")


class LotOut(Schema):
    id: uuid.UUID = Field(description="Lot id.")
    number: int = Field(description="Lot number, from 1.")
    title: Title
    service_type_id: uuid.UUID = Field(description="Service type.")
    service_type_code: str = Field(description="Service type code.")
    area_code: str | None = Field(description="The service type's statutory area (art. 2 ust. 1 ustawy o CUS).")
    unit: Unit
    quantity: Quantity
    area_terc: AreaTerc
    value_grosze: int = Field(description="Estimated value, grosze.")


class CallCreate(Body):
    model_config = examples(
        {
            "need_id": "461a982a-3a1d-5f4c-b66d-31424c3cd669",
            "title": "Otwarty konkurs ofert: usługi opiekuńcze 2026",
            "mode": "open-competition",
            "lots": [{"title": "Usługi opiekuńcze – Starachowice", "quantity": 12000, "value_grosze": 50400000}],
            "criteria": [
                {"code": "price", "name": "cena", "kind": "price", "weight": 40},
                {"code": "quality", "name": "jakość usług", "kind": "quality", "weight": 40},
                {"code": "social", "name": "zatrudnienie osób wykluczonych", "kind": "social", "weight": 20},
            ],
            "eligibility": {"pes_only": True},
            "deadline": "2026-04-15T12:00:00+02:00",
        }
    )

    need_id: uuid.UUID = Field(description="The need this call commissions.")
    title: str = Field(min_length=2, max_length=300, description="Title of the call.")
    description: str | None = Field(default=None, max_length=10_000, description="The task, funds, conditions.")
    mode: Mode = Field(description="Legal commissioning mode (see the mode advisor).")
    vat_rate_percent: VatRate | None = Field(default=None, description=VAT_DOC + " Default: the need's.")
    lots: list[LotIn] = Field(min_length=1, max_length=50, description="Lots; offers are per lot.")
    criteria: list[Criterion] = Field(min_length=1, max_length=10, description="Weighted award criteria (sum 100).")
    eligibility: Eligibility = Field(default_factory=Eligibility, description="Who may submit, on top of the mode.")
    grant_terms: GrantTerms | None = Field(
        default=None,
        description="A UDPP call's terms of the grant (art. 13 ust. 2): then offers follow the 2018 template "
        "(`grant` in the offer), with their own contribution checked. Only for the UDPP modes.",
    )
    documents: list[Document] = Field(default_factory=list, max_length=50, description="Documents' metadata.")
    deadline: Instant = Field(description="Deadline for offers, with its UTC offset.")
    decision_date: CalendarDate | None = Field(default=None, description="Planned date of the decision.")
    period_start: CalendarDate | None = Field(default=None, description="Start of delivery (default: the need's).")
    period_end: CalendarDate | None = Field(default=None, description="End of delivery (default: the need's).")

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, value: list[Criterion]) -> list[Criterion]:
        return check_criteria(value)

    @model_validator(mode="after")
    def _period(self) -> CallCreate:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise Refusal("period_end is before period_start", "period_end przypada przed period_start")
        return self


class CallUpdate(Body):
    """Changes to a draft (a published call changes through amendments)."""

    model_config = examples({"title": "Nowy tytuł"})

    title: str | None = Field(default=None, min_length=2, max_length=300, description="Title.")
    description: str | None = Field(default=None, max_length=10_000, description="Description.")
    mode: Mode | None = Field(default=None, description="Mode.")
    lots: list[LotIn] | None = Field(default=None, min_length=1, max_length=50, description="Lots (replaces all).")
    criteria: list[Criterion] | None = Field(default=None, min_length=1, max_length=10, description="Criteria.")
    eligibility: Eligibility | None = Field(default=None, description="Eligibility.")
    grant_terms: GrantTerms | None = Field(default=None, description="A UDPP call's terms of the grant.")
    documents: list[Document] | None = Field(default=None, max_length=50, description="Documents.")
    deadline: Instant | None = Field(default=None, description="Deadline for offers.")
    decision_date: CalendarDate | None = Field(default=None, description="Planned decision date.")

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, value: list[Criterion] | None) -> list[Criterion] | None:
        return check_criteria(value) if value is not None else None


PRIOR_TASKS_BASIS = "art. 13 ust. 2 pkt 7 ustawy o działalności pożytku publicznego i o wolontariacie"


class TasksOfYearOut(BaseModel):
    year: int = Field(description="The calendar year (the call's, or the year before).")
    contracts: int = Field(description="Contracts of the same kind whose delivery runs in the year, any mode.")
    value_grosze: int = Field(description="Their value: what the municipality committed, grosze (gross).")
    grants: int = Field(description="Of them, grants to organisations (UDPP: open-competition, small-grant).")
    grants_value_grosze: int = Field(description="The grants' value, grosze.")
    complete: bool = Field(
        description="The year had ended when the figure was taken (`as_of`); the call's own year is so far."
    )


class PriorTasksOut(BaseModel):
    """What an open competition's announcement states of the same kind of tasks before it."""

    model_config = examples(
        {
            "legal_basis": PRIOR_TASKS_BASIS,
            "as_of": "2026-03-02T09:00:00Z",
            "years": [
                {
                    "year": 2026,
                    "contracts": 2,
                    "value_grosze": 70000000,
                    "grants": 1,
                    "grants_value_grosze": 50000000,
                    "complete": False,
                },
                {
                    "year": 2025,
                    "contracts": 1,
                    "value_grosze": 30000000,
                    "grants": 1,
                    "grants_value_grosze": 30000000,
                    "complete": True,
                },
            ],
        }
    )

    legal_basis: str = Field(description="The provision requiring it.")
    as_of: datetime = Field(
        description="Contracts awarded before this moment count: the call's publication (a draft: now), UTC."
    )
    years: list[TasksOfYearOut] = Field(
        description=(
            "The call's year (by its publication, Europe/Warsaw) and the year before. Of the same kind: the "
            "municipality's contracts for a service type of the call's lots, awarded on this platform and not "
            "terminated, counted in every year their delivery period runs in, with their whole value."
        )
    )


class CallOut(BaseModel):
    id: uuid.UUID = Field(description="Call id.")
    ocid: str = Field(description="Open Contracting id, stable.")
    municipality_terc: str = Field(description="The commissioning municipality.")
    need_id: uuid.UUID | None = Field(description="The need (visible to the municipality only).")
    title: Title
    description: str | None = Field(description="Description.")
    mode: Mode = Field(description="Legal mode.")
    vat_rate_percent: int | None = Field(description="VAT rate of the lots' (gross) values; empty: exempt.")
    rules_version: str = Field(description="The rule set in force when the call was created.")
    status: CallStatus = Field(description="draft, open, evaluation or cancelled (as of now, by the clock).")
    lots: list[LotOut] = Field(description="Lots.")
    value_grosze: int = Field(description="Sum of the lots' values.")
    criteria: list[Criterion] = Field(description="Award criteria.")
    eligibility: Eligibility = Field(description="Eligibility requirements.")
    grant_terms: GrantTerms | None = Field(default=None, description="A UDPP call's terms of the grant (null: none).")
    documents: list[Document] = Field(description="Documents.")
    period_start: CalendarDate = Field(description="Start of delivery.")
    period_end: CalendarDate = Field(description="End of delivery.")
    deadline: datetime = Field(description="Deadline for offers (UTC).")
    decision_date: CalendarDate | None = Field(description="Planned decision date.")
    published_at: datetime | None = Field(description="Published (UTC).")
    cancelled_reason: str | None = Field(description="Why it was cancelled.")
    created_at: CreatedAt
    updated_at: datetime = Field(description="Last public change (UTC); offers never change it.")
    version: Version
    prior_tasks: PriorTasksOut | None = Field(
        default=None,
        description=(
            "Open competitions only (UDPP art. 13 ust. 2 pkt 7; empty for other modes): the same kind of tasks "
            "the municipality commissioned in the call's year and the year before, with their costs and the "
            "grants to organisations; from awards and contracts, which are public."
        ),
    )


class Cancellation(Body):
    model_config = examples({"reason": "Brak środków w budżecie"})

    reason: str = Field(min_length=5, max_length=2000, description="Why the call is cancelled (unieważnienie).")


class AmendmentIn(Body):
    model_config = examples(
        {
            "description": "Zmiana kryteriów oceny",
            "criteria": [
                {"code": "price", "name": "cena", "kind": "price", "weight": 50},
                {"code": "quality", "name": "jakość", "kind": "quality", "weight": 50},
            ],
        }
    )

    description: str = Field(min_length=5, max_length=4000, description="What changes and why.")
    deadline: Instant | None = Field(default=None, description="A new deadline (it may only move later).")
    criteria: list[Criterion] | None = Field(default=None, min_length=1, max_length=10, description="New criteria.")
    eligibility: Eligibility | None = Field(default=None, description="New eligibility requirements.")
    documents: list[Document] | None = Field(default=None, max_length=50, description="New documents.")

    @field_validator("criteria")
    @classmethod
    def _criteria(cls, value: list[Criterion] | None) -> list[Criterion] | None:
        return check_criteria(value) if value is not None else None


class AmendmentOut(Schema):
    """An amendment as the public reads it: nothing about offers (each bidder sees its own offer's status)."""

    id: uuid.UUID = Field(description="Amendment id.")
    number: int = Field(description="Number, from 1.")
    description: str = Field(description="What changed and why.")
    changes: dict[str, Any] = Field(description="The changed fields and their new values.")
    deadline_before: datetime = Field(description="Deadline before the amendment.")
    deadline_after: datetime = Field(description="Deadline after it (moved when it came too close).")
    at: When


class QuestionIn(BaseModel):
    model_config = examples({"question": "Czy dopuszczalne są konsorcja?"}, extra="forbid")

    question: str = Field(min_length=5, max_length=4000, description="The question.")
    provider_id: uuid.UUID | None = Field(
        default=None, description="The provider you ask for, if your account acts for several."
    )


class AnswerIn(BaseModel):
    model_config = examples({"answer": "Tak, na zasadach art. 14 ust. 2 UDPP."}, extra="forbid")

    answer: str = Field(min_length=2, max_length=8000, description="The published answer.")


class QuestionOut(Schema):
    id: uuid.UUID = Field(description="Question id.")
    question: str = Field(description="The question (the asker is never published).")
    asked_at: datetime = Field(description="When (UTC).")
    answer: str | None = Field(description="The answer, once given.")
    answered_at: datetime | None = Field(description="When it was answered.")


class HistoryOut(Schema):
    kind: str = Field(description="created, published, amended, answered, cancelled, offers-opened...")
    detail: dict[str, Any] = Field(description="What changed.")
    at: When


def call_out(
    call: Call,
    lots: list[Lot],
    now: datetime,
    principal: Principal | None,
    prior: Sequence[TasksOfYear] = (),
) -> CallOut:
    own = [lot for lot in lots if lot.call_id == call.id]
    counted = [y for y in prior if y.call_id == call.id]
    call_year = max((y.year for y in counted), default=0)
    years = [TasksOfYearOut.model_validate({**asdict(y), "complete": y.year < call_year}) for y in counted]
    return from_row(
        CallOut,
        call,
        need_id=call.need_id if acts_for_municipality(principal, call.municipality_terc) else None,
        status=effective_status(call, now),
        lots=[LotOut.model_validate(lot) for lot in own],
        value_grosze=sum(lot.value_grosze for lot in own),
        prior_tasks=PriorTasksOut(legal_basis=PRIOR_TASKS_BASIS, as_of=call.published_at or now, years=years)
        if years
        else None,
    )


class EligibilityOut(Schema):
    """May the provider answer the call: the same rules as at submission, with reasons."""

    call_id: uuid.UUID
    provider_id: uuid.UUID
    eligible: bool
    reasons: list[ReasonOut] = Field(description="What stands in the way (empty when eligible).")
