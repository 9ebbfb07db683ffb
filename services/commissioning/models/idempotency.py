"""Commissioning's Idempotency-Key records (see shared.idempotency)."""

from services.commissioning.base import Base
from shared.idempotency import IdempotencyColumns


class IdempotencyRecord(IdempotencyColumns, Base):
    """The stored answer to a creating POST sent with an Idempotency-Key (per caller)."""

    __tablename__ = "idempotency_records"
