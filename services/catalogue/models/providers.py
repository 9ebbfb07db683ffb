"""Providers (PES/NGO and others) and the history of their verification status."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from services.catalogue.base import Base
from shared.db import Stamped


class LegalForm(StrEnum):
    """Legal forms of providers. The first group are social-economy forms (PES candidates)."""

    FOUNDATION = "foundation"  # fundacja
    ASSOCIATION = "association"  # stowarzyszenie
    ORDINARY_ASSOCIATION = "ordinary-association"  # stowarzyszenie zwykłe
    SOCIAL_COOPERATIVE = "social-cooperative"  # spółdzielnia socjalna
    WORKERS_COOPERATIVE = "workers-cooperative"  # spółdzielnia pracy
    DISABLED_COOPERATIVE = "disabled-cooperative"  # spółdzielnia inwalidów i niewidomych
    CIS = "cis"  # centrum integracji społecznej
    KIS = "kis"  # klub integracji społecznej
    ZAZ = "zaz"  # zakład aktywności zawodowej
    WTZ = "wtz"  # warsztat terapii zajęciowej
    NONPROFIT_COMPANY = "nonprofit-company"  # spółka non-profit (z o.o. / akcyjna)
    CHURCH_LEGAL_PERSON = "church-legal-person"  # kościelna osoba prawna
    COMPANY = "company"  # spółka handlowa
    SOLE_TRADER = "sole-trader"  # jednoosobowa działalność gospodarcza
    PUBLIC_UNIT = "public-unit"  # jednostka sektora publicznego


# Forms registered in the KRS (where a KRS number is expected); CIS, KIS, WTZ, ZAZ run by public units, sole
# traders and public units are not. An ordinary association is in its starost's register, not the KRS.
KRS_FORMS = frozenset(
    {
        LegalForm.FOUNDATION,
        LegalForm.ASSOCIATION,
        LegalForm.SOCIAL_COOPERATIVE,
        LegalForm.WORKERS_COOPERATIVE,
        LegalForm.DISABLED_COOPERATIVE,
        LegalForm.NONPROFIT_COMPANY,
        LegalForm.COMPANY,
    }
)

LEGAL_FORM_NAMES_PL = {
    LegalForm.FOUNDATION: "fundacja",
    LegalForm.ASSOCIATION: "stowarzyszenie",
    LegalForm.ORDINARY_ASSOCIATION: "stowarzyszenie zwykłe",
    LegalForm.SOCIAL_COOPERATIVE: "spółdzielnia socjalna",
    LegalForm.WORKERS_COOPERATIVE: "spółdzielnia pracy",
    LegalForm.DISABLED_COOPERATIVE: "spółdzielnia inwalidów i niewidomych",
    LegalForm.CIS: "centrum integracji społecznej (CIS)",
    LegalForm.KIS: "klub integracji społecznej (KIS)",
    LegalForm.ZAZ: "zakład aktywności zawodowej (ZAZ)",
    LegalForm.WTZ: "warsztat terapii zajęciowej (WTZ)",
    LegalForm.NONPROFIT_COMPANY: "spółka non-profit",
    LegalForm.CHURCH_LEGAL_PERSON: "kościelna osoba prawna",
    LegalForm.COMPANY: "spółka handlowa",
    LegalForm.SOLE_TRADER: "jednoosobowa działalność gospodarcza",
    LegalForm.PUBLIC_UNIT: "jednostka sektora finansów publicznych",
}


class ProviderStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class Provider(Stamped, Base):
    __tablename__ = "providers"
    __table_args__ = (
        Index("ix_providers_search_vector", "search_vector", postgresql_using="gin"),
        Index("ix_providers_operating_areas", "operating_areas", postgresql_using="gin"),
        Index("uq_providers_krs", "krs", unique=True, postgresql_where="krs IS NOT NULL"),
        Index("uq_providers_regon", "regon", unique=True, postgresql_where="regon IS NOT NULL"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(100))
    legal_form: Mapped[str] = mapped_column(String(32), index=True)
    nip: Mapped[str] = mapped_column(String(10), unique=True)
    regon: Mapped[str | None] = mapped_column(String(14))
    krs: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(Text)
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(6))
    city: Mapped[str] = mapped_column(String(100))
    terc: Mapped[str] = mapped_column(String(7), index=True)
    voivodeship: Mapped[str] = mapped_column(String(2), index=True)
    operating_areas: Mapped[list[str]] = mapped_column(ARRAY(String(7)), default=list)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    website: Mapped[str | None] = mapped_column(String(500))
    contacts: Mapped[list[dict[str, str | None]]] = mapped_column(JSONB, default=list)
    is_pes: Mapped[bool] = mapped_column(Boolean, default=False)
    social_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    social_enterprise_decision_number: Mapped[str | None] = mapped_column(String(100))
    social_enterprise_decision_date: Mapped[date | None] = mapped_column(Date)
    public_benefit: Mapped[bool] = mapped_column(Boolean, default=False)
    employees: Mapped[int | None] = mapped_column(Integer)
    excluded_employees: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=ProviderStatus.PENDING.value, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    registered_by: Mapped[str] = mapped_column(Text)
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR)

    @property
    def excluded_share(self) -> float | None:
        """Share of employees from socially excluded groups (0..1), when both counts are known."""
        if not self.employees or self.excluded_employees is None:
            return None
        return round(self.excluded_employees / self.employees, 4)


class ProviderStatusEvent(Base):
    """Who changed a provider's status, when and why: the verification history."""

    __tablename__ = "provider_status_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Order of events: several can share one transaction's timestamp.
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    actor_subject: Mapped[str] = mapped_column(Text)
    actor_role: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())


class ProviderMember(Base):
    """A user account (token subject) that acts for a provider. The account that registered it is the first."""

    __tablename__ = "provider_members"

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True)
    subject: Mapped[str] = mapped_column(Text, primary_key=True, index=True)
    added_by: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())


class ProviderInvitation(Base):
    """A member's invitation of another account; the invited account accepts it (by invitation only)."""

    __tablename__ = "provider_invitations"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(Text, index=True)
    invited_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
