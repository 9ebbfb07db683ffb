"""Award decision, contract, delivery report and payment API shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from services.commissioning.models.calls import Award
from services.commissioning.models.contracts import AwardDecision, Contract, ContractStatus, ReportStatus
from services.commissioning.models.offers import Offer
from services.commissioning.planning.schemas import MAX_VALUE_GROSZE, MunicipalityTerc
from shared.i18n import Refusal
from shared.schemas import Body, CalendarDate, Schema, Version, When, examples, from_row


class Winner(Body):
    offer_id: uuid.UUID = Field(description="A formally passed offer of this lot.")
    value_grosze: int | None = Field(
        default=None, gt=0, le=MAX_VALUE_GROSZE, description="Awarded value (default: the offer's price)."
    )
    quantity: int | None = Field(
        default=None,
        gt=0,
        le=10_000_000,
        description="Units awarded, in the lot's unit (hours, places...): at most what the offer offered; several "
        "winners share the lot's quantity (default: the offer's quantity).",
    )


class DecisionIn(Body):
    model_config = examples(
        {
            "winners": [{"offer_id": "b53e4771-e706-5e83-817e-ce34987fa0c5"}],
            "reason": "Najwyżej oceniona oferta (84,5 pkt) spełniająca wymogi formalne.",
        }
    )

    winners: list[Winner] = Field(max_length=20, description="Zero (no award), one, or several (open competition).")
    reason: str = Field(min_length=5, max_length=4000, description="The decision's justification (published).")


class DecisionOut(BaseModel):
    id: uuid.UUID = Field(description="Decision id.")
    call_id: uuid.UUID = Field(description="Call.")
    lot_id: uuid.UUID = Field(description="Lot.")
    reason: str = Field(description="Justification.")
    ranking: list[dict[str, Any]] = Field(description="The ranking: points per criterion, totals, ranks.")
    winners: list[dict[str, Any]] = Field(description="Winners with their awarded values and contract ids.")
    decided_at: datetime = Field(description="When (UTC).")
    standstill_until: datetime = Field(
        description="Contracts are signed once it has passed: the standstill, or where the mode publishes the "
        "winning offer for comments (a small grant), those 7 days."
    )


class PaymentDue(Body):
    due_date: CalendarDate = Field(description="Due date.")
    amount_grosze: int = Field(gt=0, le=MAX_VALUE_GROSZE, description="Amount, grosze.")


class ContractOut(Schema):
    model_config = examples(
        {
            "id": "b9efad5b-1c16-4098-82e3-7692eec66b28",
            "call_id": "bb4fa34d-4edd-51f2-8dc0-0feeca89baa0",
            "lot_id": "0d3c6a2e-5b1f-5e4a-9c8d-7e6f5a4b3c2d",
            "award_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
            "provider_id": "857f7539-be20-5382-a105-6828c19267d2",
            "provider_name": "Fundacja „Krokus”",
            "municipality_terc": "2611011",
            "value_grosze": 17400000,
            "quantity": 4000,
            "period_start": "2026-08-24",
            "period_end": "2027-09-23",
            "status": "completed",
            "number": "CUS.526.3.2026",
            "signed_on": "2026-10-05",
            "payment_schedule": [{"due_date": "2026-09-30", "amount_grosze": 1338462}],
            "reporting_schedule": [
                {"period_start": "2026-08-24", "period_end": "2026-09-30", "due_date": "2026-10-15"}
            ],
            "signed_at": "2026-10-06T08:00:00Z",
            "ended_reason": "Zrealizowana w całości; sprawozdanie końcowe przyjęte.",
            "version": 9,
        },
        from_attributes=True,
    )

    id: uuid.UUID = Field(description="Contract id.")
    call_id: uuid.UUID = Field(description="Call.")
    lot_id: uuid.UUID = Field(description="Lot.")
    award_id: uuid.UUID = Field(description="Award.")
    provider_id: uuid.UUID = Field(description="Provider.")
    provider_name: str = Field(description="Provider name.")
    municipality_terc: MunicipalityTerc
    value_grosze: int = Field(description="Value, grosze.")
    quantity: int | None = Field(description="Units bought, in the lot's unit (hours, places...).")
    period_start: CalendarDate = Field(description="Start.")
    period_end: CalendarDate = Field(description="End.")
    status: ContractStatus = Field(
        description="standstill (after the award), awaiting-signature (the standstill is over), awaiting-confirmation "
        "(signed by the municipality), active (signed by both), completed or terminated."
    )
    number: str | None = Field(description="The contract's number, as the municipality gave it.")
    signed_on: CalendarDate | None = Field(description="The date on the signed contract (Europe/Warsaw calendar).")
    payment_schedule: list[dict[str, Any]] = Field(description="Due payments.")
    reporting_schedule: list[dict[str, Any]] = Field(description="Report periods and due dates.")
    signed_at: datetime | None = Field(description="When both parties had signed (UTC): the provider's confirmation.")
    ended_reason: str | None = Field(description="Why it ended early or was completed.")
    version: Version


class SignatureIn(Body):
    model_config = examples({"number": "CUS.526.4.2026", "signed_on": "2026-11-20"})

    number: str = Field(min_length=1, max_length=100, description="The contract's number (umowa nr ...).")
    signed_on: CalendarDate = Field(description="The date on the signed contract.")


ChangeBasis = Literal["review-clause", "additional-services", "unforeseeable", "de-minimis"]


class ContractAmendmentIn(Body):
    model_config = examples({"reason": "Zwiększenie liczby godzin usług (aneks nr 1)", "value_grosze": 17900000})

    reason: str = Field(min_length=5, max_length=4000, description="Why (aneks).")
    value_grosze: int | None = Field(default=None, gt=0, le=MAX_VALUE_GROSZE, description="New value.")
    change_basis: ChangeBasis | None = Field(
        default=None,
        description="For a contract under Pzp whose value changes, the basis in art. 455: `review-clause` (ust. 1 "
        "pkt 1, a clause of the procurement documents), `additional-services` (ust. 1 pkt 3) or `unforeseeable` "
        "(ust. 1 pkt 4), each at most 50 % of the original value, or `de-minimis` (ust. 2: below 10 % of it and "
        "below the EU threshold).",
    )
    period_end: CalendarDate | None = Field(default=None, description="New end date.")
    payment_schedule: list[PaymentDue] | None = Field(default=None, max_length=120, description="New schedule.")


class EndIn(Body):
    reason: str = Field(min_length=5, max_length=4000, description="Why.")


class ReportIn(Body):
    model_config = examples(
        {
            "period_start": "2027-01-01",
            "period_end": "2027-03-31",
            "units_delivered": 2950,
            "people_served": {"seniors": 38, "dependent": 9},
            "outcomes": "Wszyscy podopieczni pozostali w domu.",
        }
    )

    period_start: CalendarDate = Field(description="First day reported.")
    period_end: CalendarDate = Field(description="Last day reported.")
    units_delivered: int = Field(ge=0, le=10_000_000, description="Units delivered, in the lot's unit.")
    people_served: dict[str, int] = Field(max_length=20, description="People served per target group code.")
    outcomes: str | None = Field(default=None, max_length=8000, description="Outcomes and quality.")
    issues: str | None = Field(default=None, max_length=8000, description="Problems met.")

    @model_validator(mode="after")
    def _valid(self) -> ReportIn:
        if self.period_end < self.period_start:
            raise Refusal("period_end is before period_start", "period_end przypada przed period_start")
        if any(n < 0 or n > 1_000_000 for n in self.people_served.values()):
            raise Refusal(
                "people_served counts must be 0 to 1,000,000", "liczby people_served muszą mieścić się w 0–1 000 000"
            )
        return self


class ReportOut(Schema):
    id: uuid.UUID = Field(description="Report id.")
    contract_id: uuid.UUID = Field(description="Contract.")
    period_start: CalendarDate = Field(description="First day.")
    period_end: CalendarDate = Field(description="Last day.")
    units_delivered: int = Field(description="Units delivered.")
    people_served: dict[str, int] = Field(description="People served per target group.")
    outcomes: str | None = Field(description="Outcomes.")
    issues: str | None = Field(description="Issues.")
    status: ReportStatus = Field(description="submitted, accepted or returned.")
    review_comment: str | None = Field(description="The municipality's comment.")
    submitted_at: datetime = Field(description="Submitted (UTC).")
    reviewed_at: datetime | None = Field(description="Reviewed (UTC).")
    version: Version


class ReviewIn(Body):
    model_config = examples({"decision": "accept"})

    decision: Literal["accept", "return"] = Field(description="Accept the report, or return it for correction.")
    comment: str | None = Field(default=None, max_length=4000, description="Required to return a report.")


class PaymentIn(Body):
    model_config = examples({"amount_grosze": 4200000, "paid_on": "2027-02-10", "schedule_index": 0})

    amount_grosze: int = Field(gt=0, le=MAX_VALUE_GROSZE, description="Amount paid, grosze.")
    paid_on: CalendarDate = Field(description="Payment date.")
    schedule_index: int | None = Field(default=None, ge=0, description="The schedule entry it settles.")
    note: str | None = Field(default=None, max_length=2000, description="Note.")


class PaymentOut(Schema):
    id: uuid.UUID = Field(description="Payment id.")
    contract_id: uuid.UUID = Field(description="Contract.")
    schedule_index: int | None = Field(description="Schedule entry.")
    amount_grosze: int = Field(description="Amount.")
    paid_on: CalendarDate = Field(description="Date.")
    note: str | None = Field(description="Note.")
    recorded_at: datetime = Field(description="Recorded (UTC).")


def decision_out(
    decision: AwardDecision,
    winners: list[Award],
    contracts: list[Contract],
    published: dict[uuid.UUID, Offer] | None = None,
) -> DecisionOut:
    """`published`: winning offers the mode makes public for comments (their content joins the winner)."""
    by_award = {c.award_id: c for c in contracts}
    published = published or {}
    return from_row(
        DecisionOut,
        decision,
        winners=[
            {
                "provider_id": str(a.provider_id),
                "provider_name": a.provider_name,
                "offer_id": str(a.offer_id),
                "value_grosze": a.value_grosze,
                "quantity": a.quantity,
                "contract_id": str(by_award[a.id].id) if a.id in by_award else None,
                **(
                    {"published_offer": _published(published[a.offer_id])}
                    if a.offer_id is not None and a.offer_id in published
                    else {}
                ),
            }
            for a in winners
        ],
    )


def _published(offer: Offer) -> dict[str, Any]:
    return {"total_price_grosze": offer.total_price_grosze, "quantity": offer.quantity, "answers": offer.answers}


class CommentIn(Body):
    model_config = examples({"comment": "Proponowana stawka godzinowa jest zawyżona."})

    comment: str = Field(min_length=5, max_length=4000, description="The comment on the published offer.")


class CommentOut(Schema):
    id: uuid.UUID = Field(description="Comment id.")
    offer_id: uuid.UUID = Field(description="The offer commented on.")
    comment: str = Field(description="The comment (its author is not published).")
    at: When


class TrackAward(Schema):
    call_id: uuid.UUID
    lot_id: uuid.UUID
    mode: str
    municipality_terc: str
    value_grosze: int
    awarded_at: datetime


class TrackRecordOut(Schema):
    """A provider's public track record: what it won, its contracts, how many of its reports were accepted."""

    provider_id: uuid.UUID
    awards: list[TrackAward]
    contracts: list[ContractOut]
    accepted_reports: int
