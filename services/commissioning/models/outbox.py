"""The outbox: the service's domain events, each written in the transaction of its change (see shared.events)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Index

from services.commissioning.base import Base
from shared.events import OutboxColumns


class OutboxEvent(OutboxColumns, Base):
    __table_args__ = (Index("ix_outbox_events_xid_position", "xid", "position"),)


class EventType(StrEnum):
    """What commissioning tells (CloudEvents `type`, after the `pl.cus.` prefix)."""

    CALL_PUBLISHED = "call.published"
    CALL_AMENDED = "call.amended"
    CALL_CANCELLED = "call.cancelled"
    OFFERS_OPENED = "call.offers-opened"  # the deadline passed: how many offers, nothing of their content
    AWARD_DECIDED = "award.decided"
    CONTRACT_SIGNED = "contract.signed"  # signed by both parties: in force
    CONTRACT_AMENDED = "contract.amended"
    CONTRACT_ENDED = "contract.ended"  # completed or terminated
    REPORT_REVIEWED = "report.reviewed"  # private: the municipality and the provider
    PAYMENT_RECORDED = "payment.recorded"  # private: the municipality and the provider
    WEBHOOK_DISABLED = "webhook.disabled"  # private: the subscription's owner (why it was disabled)
