"""All catalogue models, imported together so Alembic and the ORM see the whole schema."""

from services.catalogue.idempotency import IdempotencyRecord
from services.catalogue.offerings.models import Offering
from services.catalogue.places.models import TercUnit
from services.catalogue.providers.models import Provider, ProviderStatusEvent
from services.catalogue.taxonomy.models import Area, ServiceType, TargetGroup

__all__ = [
    "Area",
    "IdempotencyRecord",
    "Offering",
    "Provider",
    "ProviderStatusEvent",
    "ServiceType",
    "TargetGroup",
    "TercUnit",
]
