"""Provider API shapes. Identifiers are validated and normalised here (NIP, REGON, KRS, TERC)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from services.catalogue.models.providers import LegalForm, ProviderStatus
from shared.i18n import Refusal
from shared.identifiers import GminaTercStr, KrsStr, NipStr, RegonStr, TercStr
from shared.schemas import Body, CalendarDate, Schema, UpdatedAt, Version, When, examples

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
PHONE_PATTERN = r"^\+?[0-9 ()-]{7,20}$"
URL_PATTERN = r"^https?://[^\s]{3,490}$"


class Address(Body):
    street: str = Field(min_length=2, max_length=200, description="Street and number.", examples=["ul. Radomska 12"])
    postal_code: str = Field(pattern=r"^\d{2}-\d{3}$", description="Polish postal code NN-NNN.", examples=["27-200"])
    city: str = Field(min_length=2, max_length=100, description="Town.", examples=["Starachowice"])
    terc: GminaTercStr = Field(description="TERC code of the gmina (7 digits, WWPPGGR).", examples=["2611011"])


class Contact(Body):
    name: str = Field(min_length=2, max_length=200, description="Person's name.")
    role: str | None = Field(default=None, max_length=200, description="Their role, e.g. prezes zarządu.")
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN, description="E-mail.")
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN, description="Phone number.")


class SocialEnterpriseStatus(Body):
    """Status of przedsiębiorstwo społeczne, granted by a decision of the voivode."""

    decision_number: str = Field(min_length=1, max_length=100, description="Number of the voivode's decision.")
    decision_date: CalendarDate = Field(description="Date of the decision.")

    @field_validator("decision_date")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > date.today():
            raise Refusal("the decision date is in the future", "data decyzji przypada w przyszłości")
        if value.year < 2022:
            raise Refusal(
                "the PS status exists since the Act on the social economy of 2022",
                "status przedsiębiorstwa społecznego istnieje od ustawy o ekonomii społecznej z 2022 r.",
            )
        return value


class SocialEconomy(Body):
    """Social-economy facts that decide eligibility for reserved calls."""

    is_pes: bool = Field(default=False, description="A PES (podmiot ekonomii społecznej) under the 2022 Act.")
    social_enterprise: SocialEnterpriseStatus | None = Field(
        default=None, description="Social-enterprise (PS) status, if granted."
    )
    public_benefit: bool = Field(default=False, description="Public-benefit organisation status (OPP).")
    employees: int | None = Field(default=None, ge=0, le=100_000, description="Number of employees.")
    excluded_employees: int | None = Field(
        default=None, ge=0, le=100_000, description="Employees from socially excluded groups."
    )

    @model_validator(mode="after")
    def _consistent(self) -> SocialEconomy:
        if self.excluded_employees is not None:
            if self.employees is None:
                raise Refusal("excluded_employees needs employees", "excluded_employees wymaga podania employees")
            if self.excluded_employees > self.employees:
                raise Refusal(
                    "excluded_employees cannot exceed employees", "excluded_employees nie może przekraczać employees"
                )
        if self.social_enterprise is not None:
            if not self.is_pes:
                raise Refusal(
                    "a social enterprise (PS) is a PES: set is_pes",
                    "przedsiębiorstwo społeczne jest podmiotem ekonomii społecznej: ustaw is_pes",
                )
            if self.employees is None or self.employees < 3:
                raise Refusal(
                    "a social enterprise (PS) employs at least 3 people",
                    "przedsiębiorstwo społeczne zatrudnia co najmniej 3 osoby",
                )
        return self


class ProviderBase(Body):
    name: str = Field(min_length=2, max_length=300, description="Full registered name.")
    short_name: str | None = Field(default=None, max_length=100, description="Short name.")
    legal_form: LegalForm = Field(description="Legal form.")
    regon: RegonStr | None = Field(default=None, description="REGON, 9 or 14 digits with checksums.")
    krs: KrsStr | None = Field(default=None, description="KRS number, 10 digits (forms in the KRS).")
    description: str | None = Field(default=None, max_length=4000, description="What the provider does.")
    address: Address = Field(description="Registered address.")
    operating_areas: list[TercStr] = Field(
        default_factory=list,
        max_length=100,
        description="TERC codes where it operates (voivodeship, powiat or gmina). Default: its address's gmina.",
    )
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN, description="E-mail.")
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN, description="Phone.")
    website: str | None = Field(default=None, max_length=500, pattern=URL_PATTERN, description="Web site.")
    contacts: list[Contact] = Field(default_factory=list, max_length=20, description="Contact people.")
    social_economy: SocialEconomy = Field(default_factory=SocialEconomy, description="Social-economy facts.")


class ProviderCreate(ProviderBase):
    model_config = examples(
        {
            "name": "Spółdzielnia Socjalna „Pomocna Dłoń”",
            "legal_form": "social-cooperative",
            "nip": "6641234568",
            "regon": "123456785",
            "krs": "0000123456",
            "address": {
                "street": "ul. Radomska 12",
                "postal_code": "27-200",
                "city": "Starachowice",
                "terc": "2611011",
            },
            "operating_areas": ["2611"],
            "email": "biuro@pomocnadlon.pl",
            "social_economy": {
                "is_pes": True,
                "social_enterprise": {"decision_number": "PS.1.2024", "decision_date": "2024-03-01"},
                "employees": 8,
                "excluded_employees": 4,
            },
        },
        extra="forbid",
    )

    nip: NipStr = Field(description="NIP, 10 digits with a mod-11 checksum (dashes allowed).")


class ProviderUpdate(Body):
    """Partial update; NIP identifies the entity and cannot change (register anew instead)."""

    model_config = examples({"phone": "+48 41 274 00 00"})

    name: str | None = Field(default=None, min_length=2, max_length=300, description="Full registered name.")
    short_name: str | None = Field(default=None, max_length=100, description="Short name.")
    legal_form: LegalForm | None = Field(default=None, description="Legal form.")
    regon: RegonStr | None = Field(default=None, description="REGON.")
    krs: KrsStr | None = Field(default=None, description="KRS.")
    description: str | None = Field(default=None, max_length=4000, description="Description.")
    address: Address | None = Field(default=None, description="Registered address.")
    operating_areas: list[TercStr] | None = Field(default=None, max_length=100, description="TERC codes.")
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN, description="E-mail.")
    phone: str | None = Field(default=None, pattern=PHONE_PATTERN, description="Phone.")
    website: str | None = Field(default=None, max_length=500, pattern=URL_PATTERN, description="Web site.")
    contacts: list[Contact] | None = Field(default=None, max_length=20, description="Contact people.")
    social_economy: SocialEconomy | None = Field(default=None, description="Social-economy facts (whole object).")


class ProviderOut(BaseModel):
    id: uuid.UUID = Field(description="Provider id.")
    name: str = Field(description="Full registered name.")
    short_name: str | None = Field(description="Short name.")
    legal_form: LegalForm = Field(description="Legal form.")
    legal_form_pl: str = Field(description="Legal form, in Polish.")
    nip: str = Field(description="NIP (10 digits).")
    regon: str | None = Field(description="REGON.")
    krs: str | None = Field(description="KRS.")
    description: str | None = Field(description="Description.")
    address: Address = Field(description="Registered address.")
    voivodeship: str = Field(description="Voivodeship TERC code of the address (decides who verifies).")
    operating_areas: list[str] = Field(description="TERC codes where it operates.")
    email: str | None = Field(description="E-mail.")
    phone: str | None = Field(description="Phone.")
    website: str | None = Field(description="Web site.")
    contacts: list[Contact] = Field(description="Contact people.")
    social_economy: SocialEconomy = Field(description="Social-economy facts.")
    excluded_share: float | None = Field(description="Share of employees from excluded groups, 0..1.")
    status: ProviderStatus = Field(description="Verification status: pending, verified, rejected, suspended.")
    status_reason: str | None = Field(description="Reason of the last rejection or suspension.")
    created_at: datetime = Field(description="Registered at (UTC).")
    updated_at: UpdatedAt
    version: Version


class ProviderSummary(Body):
    id: uuid.UUID = Field(description="Provider id.")
    name: str = Field(description="Name.")
    legal_form: LegalForm = Field(description="Legal form.")
    is_pes: bool = Field(description="PES or not.")
    social_enterprise: bool = Field(description="Holds the social-enterprise (PS) status.")
    voivodeship: str = Field(description="Voivodeship code.")
    city: str = Field(description="Town of the address.")
    status: ProviderStatus = Field(description="Verification status.")


class StatusChange(StrEnum):
    VERIFY = "verify"  # a pending provider checked and found right
    REJECT = "reject"  # a pending provider that is not what it says
    SUSPEND = "suspend"  # a verified provider that may not bid for now
    REINSTATE = "reinstate"  # a suspended provider verified again


class StatusAction(Body):
    model_config = examples({"action": "verify", "reason": "KRS i status PS sprawdzone w rejestrze"})

    action: StatusChange = Field(
        description="verify or reject a pending provider; suspend a verified one; reinstate a suspended one.",
    )
    reason: str | None = Field(
        default=None, max_length=2000, description="Why. Required to reject, suspend or reinstate."
    )


class StatusEventOut(Schema):
    id: uuid.UUID = Field(description="Event id.")
    provider_id: uuid.UUID = Field(description="Provider id.")
    from_status: ProviderStatus | None = Field(description="Status before (null at registration).")
    to_status: ProviderStatus = Field(description="Status after.")
    reason: str | None = Field(description="Why.")
    actor_subject: str = Field(description="Who (token subject).")
    actor_role: str = Field(description="In which role.")
    at: When


def provider_out(p: Any) -> ProviderOut:
    """Build the API shape from a Provider row."""
    from services.catalogue.models.providers import LEGAL_FORM_NAMES_PL

    social_enterprise = None
    if p.social_enterprise and p.social_enterprise_decision_number and p.social_enterprise_decision_date:
        social_enterprise = SocialEnterpriseStatus.model_construct(
            decision_number=p.social_enterprise_decision_number,
            decision_date=p.social_enterprise_decision_date,
        )
    return ProviderOut(
        id=p.id,
        name=p.name,
        short_name=p.short_name,
        legal_form=p.legal_form,
        legal_form_pl=LEGAL_FORM_NAMES_PL[LegalForm(p.legal_form)],
        nip=p.nip,
        regon=p.regon,
        krs=p.krs,
        description=p.description,
        address=Address.model_construct(street=p.street, postal_code=p.postal_code, city=p.city, terc=p.terc),
        voivodeship=p.voivodeship,
        operating_areas=list(p.operating_areas),
        email=p.email,
        phone=p.phone,
        website=p.website,
        contacts=[Contact.model_construct(**c) for c in p.contacts],
        social_economy=SocialEconomy.model_construct(
            is_pes=p.is_pes,
            social_enterprise=social_enterprise,
            public_benefit=p.public_benefit,
            employees=p.employees,
            excluded_employees=p.excluded_employees,
        ),
        excluded_share=p.excluded_share,
        status=p.status,
        status_reason=p.status_reason,
        created_at=p.created_at,
        updated_at=p.updated_at,
        version=p.version,
    )


class MembershipOut(Schema):
    id: uuid.UUID = Field(description="Provider id.")
    name: str = Field(description="Name.")
    status: ProviderStatus = Field(description="Verification status.")


class InvitationOut(Schema):
    id: uuid.UUID = Field(description="Invitation id.")
    provider_id: uuid.UUID = Field(description="The provider you are invited to.")
    provider_name: str | None = Field(default=None, description="Its name.")
    subject: str | None = Field(default=None, description="The invited account (token `sub`).")
    invited_by: str = Field(description="The member who invited.")
    created_at: datetime = Field(description="When (UTC).")


class MeOut(Schema):
    subject: str = Field(description="Your account (token `sub`).")
    role: str = Field(description="Your role.")
    providers: list[MembershipOut] = Field(description="The providers you act for (as a member, or by your token).")
    invitations: list[InvitationOut] = Field(description="Invitations waiting for you to accept.")


class MemberOut(Schema):
    subject: str = Field(description="The member's account (token `sub`).")
    added_by: str = Field(description="Who registered or invited it.")
    added_at: datetime = Field(description="When (UTC).")


class InvitationIn(Body):
    model_config = examples({"subject": "konsultant@example.pl"})

    subject: str = Field(min_length=1, max_length=255, description="The invited account (its token `sub`).")
