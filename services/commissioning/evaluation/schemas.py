"""Evaluation API shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.schemas import Body, Schema, Version, examples


class MemberIn(Body):
    model_config = examples(
        {"subject": "ewa.nowak@cus.starachowice.pl", "name": "Ewa Nowak", "nominated_by": "Fundacja Razem"}
    )

    subject: str = Field(min_length=1, max_length=255, description="The evaluator's user id (token `sub`).")
    name: str = Field(min_length=2, max_length=200, description="Name.")
    nominated_by: str | None = Field(default=None, max_length=300, description="Nominating NGO, if any.")


class MemberOut(Schema):
    id: uuid.UUID = Field(description="Member id.")
    subject: str = Field(description="User id.")
    name: str = Field(description="Name.")
    nominated_by: str | None = Field(description="Nominating NGO.")
    assigned_at: datetime = Field(description="When (UTC).")


class Bidder(BaseModel):
    provider_id: uuid.UUID = Field(description="Provider id.")
    provider_name: str = Field(description="Provider name.")
    lots: list[uuid.UUID] = Field(description="Lots it bid for.")
    offer_ids: list[uuid.UUID] = Field(
        description="Its offers, for those who may read them (the municipality; a member cleared of conflict)."
    )


class DeclarationIn(Body):
    model_config = examples(
        {
            "provider_id": "857f7539-be20-5382-a105-6828c19267d2",
            "conflict": False,
            "statement": "Oświadczam, że nie pozostaję w stosunku prawnym ani faktycznym z oferentem.",
        }
    )

    provider_id: uuid.UUID = Field(description="The bidder.")
    conflict: bool = Field(description="True: a conflict of interest, which excludes you from its offers.")
    statement: str | None = Field(default=None, max_length=4000, description="The declaration's text.")


class DeclarationOut(Schema):
    id: uuid.UUID = Field(description="Declaration id.")
    member_id: uuid.UUID = Field(description="Member.")
    provider_id: uuid.UUID = Field(description="Bidder.")
    conflict: bool = Field(description="Declared conflict.")
    statement: str | None = Field(description="Text.")
    declared_at: datetime = Field(description="When (UTC).")


class FormalCheckIn(Body):
    model_config = examples({"passed": True}, {"passed": False, "reasons": ["brak podpisu osoby upoważnionej"]})

    passed: bool = Field(description="Whether the offer passes the formal check.")
    reasons: list[str] = Field(default_factory=list, max_length=20, description="Reasons (required to fail).")


class FormalCheckOut(Schema):
    offer_id: uuid.UUID = Field(description="Offer.")
    passed: bool = Field(description="Passed.")
    reasons: list[str] = Field(description="Reasons.")
    checked_by: str = Field(description="Who.")
    checked_at: datetime = Field(description="When (UTC).")
    version: Version


class CriterionScore(Body):
    score: int = Field(ge=0, le=100, description="0-100: the share of the criterion's weight this offer earns.")
    justification: str = Field(min_length=5, max_length=4000, description="Why (uzasadnienie).")


class ScoresIn(Body):
    model_config = examples(
        {
            "scores": {
                "quality": {"score": 80, "justification": "Doświadczona kadra, jasny plan zastępstw."},
                "social": {"score": 60, "justification": "40% zatrudnionych z grup zagrożonych wykluczeniem."},
            }
        }
    )

    scores: dict[str, CriterionScore] = Field(description="Per non-price criterion code.")


class SheetOut(Schema):
    id: uuid.UUID = Field(description="Sheet id.")
    member_id: uuid.UUID = Field(description="Member.")
    offer_id: uuid.UUID = Field(description="Offer.")
    scores: dict[str, Any] = Field(description="Scores with justifications.")
    updated_at: datetime = Field(description="When (UTC).")
    version: Version


class DeclarationsIn(Body):
    model_config = examples(
        {
            "declarations": [
                {"provider_id": "857f7539-be20-5382-a105-6828c19267d2", "conflict": False},
                {
                    "provider_id": "b3b70135-44b2-5ea5-9154-5dfac88f16d7",
                    "conflict": True,
                    "statement": "Jestem członkiem zarządu oferenta.",
                },
            ]
        }
    )

    declarations: list[DeclarationIn] = Field(min_length=1, max_length=500, description="One per bidder.")


class CommitteeSeat(Schema):
    """A committee the caller sits on."""

    member_id: uuid.UUID = Field(description="Your membership.")
    call_id: uuid.UUID = Field(description="The call.")
    call_title: str = Field(description="Its title.")
    municipality_terc: str = Field(description="The municipality.")
    deadline: datetime = Field(description="Deadline for offers (UTC): before it, nothing of the offers is shown.")
    assigned_at: datetime = Field(description="When you were appointed (UTC).")


class RankedOut(Schema):
    """An offer's place in its lot's ranking."""

    offer_id: uuid.UUID
    provider_id: uuid.UUID
    provider_name: str
    total_price_grosze: int = Field(description="The offer's total price for the lot, gross.")
    points: dict[str, float] = Field(description="Points per criterion code (price from prices, merit averaged).")
    total: float = Field(description="Weighted total, 0 to 100.")
    rank: int | None = Field(description="1 for the best; ties share a rank; none until formally passed.")
    tied: bool
    complete: bool = Field(description="Every member entitled to score has scored every merit criterion.")
    formal_passed: bool | None = Field(description="The formal check's outcome (none: not checked yet).")
    formal_reasons: list[str]
