"""All commissioning models, imported together so Alembic and the ORM see the whole schema."""

from services.commissioning.calls.models import Amendment, Award, Call, CallHistory, Lot, Question
from services.commissioning.contracts.models import (
    AwardDecision,
    Contract,
    ContractAmendment,
    DeliveryReport,
    Payment,
)
from services.commissioning.evaluation.models import CommitteeMember, Declaration, FormalCheck, ScoreSheet
from services.commissioning.municipalities.models import Municipality
from services.commissioning.offers.models import IdempotencyRecord, Offer
from services.commissioning.planning.models import Need, Programme, ProgrammeLine

__all__ = [
    "Amendment",
    "Award",
    "AwardDecision",
    "Call",
    "CallHistory",
    "CommitteeMember",
    "Contract",
    "ContractAmendment",
    "Declaration",
    "DeliveryReport",
    "FormalCheck",
    "IdempotencyRecord",
    "Lot",
    "Municipality",
    "Need",
    "Offer",
    "Payment",
    "Programme",
    "ProgrammeLine",
    "Question",
    "ScoreSheet",
]
