"""All commissioning models, imported together so Alembic and the ORM see the whole schema."""

from services.commissioning.models.calls import Amendment, Award, Call, CallHistory, Lot, Question
from services.commissioning.models.contracts import (
    AwardDecision,
    Contract,
    ContractAmendment,
    DeliveryReport,
    OfferComment,
    Payment,
)
from services.commissioning.models.evaluation import CommitteeMember, Declaration, FormalCheck, ScoreSheet
from services.commissioning.models.idempotency import IdempotencyRecord
from services.commissioning.models.municipalities import Municipality, MunicipalityBudget
from services.commissioning.models.offers import Offer
from services.commissioning.models.outbox import OutboxEvent
from services.commissioning.models.planning import Need, Programme, ProgrammeLine
from services.commissioning.models.standing import AppliedEvent, FeedPosition, ProviderMembership, ProviderStanding
from services.commissioning.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "Amendment",
    "AppliedEvent",
    "Award",
    "AwardDecision",
    "Call",
    "CallHistory",
    "CommitteeMember",
    "Contract",
    "ContractAmendment",
    "Declaration",
    "DeliveryReport",
    "FeedPosition",
    "FormalCheck",
    "IdempotencyRecord",
    "Lot",
    "Municipality",
    "MunicipalityBudget",
    "Need",
    "Offer",
    "OfferComment",
    "OutboxEvent",
    "Payment",
    "Programme",
    "ProgrammeLine",
    "ProviderMembership",
    "ProviderStanding",
    "Question",
    "ScoreSheet",
    "WebhookDelivery",
    "WebhookSubscription",
]
