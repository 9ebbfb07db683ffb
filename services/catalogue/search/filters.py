"""What the provider and offering searches filter by."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SearchFilters:
    """What both searches filter by; they combine with AND. `place` is (the code and its enclosing units, the
    code)."""

    text: str | None = None
    area: str | None = None
    service_type_id: uuid.UUID | None = None
    target_group: str | None = None
    place: tuple[list[str], str] | None = None
    legal_forms: list[str] = field(default_factory=list)
    pes_only: bool = False
    social_enterprise_only: bool = False
    modified_after: datetime | None = None
