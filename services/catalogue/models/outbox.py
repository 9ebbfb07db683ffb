"""The catalogue's outbox: its domain events, each written in the transaction of its change (see shared.events)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Index

from services.catalogue.base import Base
from shared.events import OutboxColumns


class OutboxEvent(OutboxColumns, Base):
    __table_args__ = (Index("ix_outbox_events_xid_position", "xid", "position"),)


class EventType(StrEnum):
    """What the catalogue tells (CloudEvents `type`, after the `pl.cus.` prefix)."""

    PROVIDER_REGISTERED = "provider.registered"  # private: the provider's members (it is pending)
    PROVIDER_VERIFIED = "provider.verified"
    PROVIDER_REJECTED = "provider.rejected"  # private
    PROVIDER_SUSPENDED = "provider.suspended"  # it may not bid
    PROVIDER_REINSTATED = "provider.reinstated"
    PROVIDER_CHANGED = "provider.changed"  # its facts edited (a verified one's key facts send it back to pending)
    OFFERING_CHANGED = "offering.changed"  # created or changed: public once its provider is verified
    OFFERING_REMOVED = "offering.removed"
    MEMBER_ADDED = "member.added"  # private: who acts for the provider
    MEMBER_REMOVED = "member.removed"  # private
    WEBHOOK_DISABLED = "webhook.disabled"  # private: the subscription's owner (why it was disabled)
