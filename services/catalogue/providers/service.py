"""Provider rules: self-registration, uniqueness of identifiers, verification and its history, visibility."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.outbox import EventType
from services.catalogue.models.providers import (
    KRS_FORMS,
    LegalForm,
    Provider,
    ProviderInvitation,
    ProviderMember,
    ProviderStatus,
    ProviderStatusEvent,
)
from services.catalogue.outbox import service as outbox
from services.catalogue.providers import repository
from services.catalogue.providers.schemas import ProviderCreate, ProviderUpdate, SocialEconomy, StatusAction
from services.catalogue.search import repository as search_vectors
from shared.auth import Principal, Role, require_role
from shared.concurrency import load_for_write
from shared.errors import Conflict, Forbidden, NotFound, ValidationProblem

# Changing these on a verified provider means the verifier's check no longer holds.
VERIFIED_FACTS = ("name", "legal_form", "regon", "krs", "social_economy", "address")

# action -> (statuses it applies to, resulting status, reason required)
TRANSITIONS: dict[str, tuple[frozenset[ProviderStatus], ProviderStatus, bool]] = {
    "verify": (frozenset({ProviderStatus.PENDING}), ProviderStatus.VERIFIED, False),
    "reject": (frozenset({ProviderStatus.PENDING}), ProviderStatus.REJECTED, True),
    "suspend": (frozenset({ProviderStatus.VERIFIED}), ProviderStatus.SUSPENDED, True),
    "reinstate": (frozenset({ProviderStatus.SUSPENDED}), ProviderStatus.VERIFIED, True),
}


def _check_krs_for_form(legal_form: LegalForm, krs: str | None) -> None:
    if legal_form in KRS_FORMS and not krs:
        raise ValidationProblem.field(
            "krs",
            f"a {legal_form.value} is entered in the KRS: give its 10-digit number",
            pl=f"podmiot o formie {legal_form.value} jest wpisany do KRS: podaj jego 10-cyfrowy numer",
        )


def _social_economy_columns(facts: SocialEconomy) -> dict[str, Any]:
    ps = facts.social_enterprise
    return {
        "is_pes": facts.is_pes,
        "social_enterprise": ps is not None,
        "social_enterprise_decision_number": ps.decision_number if ps else None,
        "social_enterprise_decision_date": ps.decision_date if ps else None,
        "public_benefit": facts.public_benefit,
        "employees": facts.employees,
        "excluded_employees": facts.excluded_employees,
    }


def _columns(data: dict[str, Any], social_economy: SocialEconomy | None) -> dict[str, Any]:
    """Flatten the API shape into provider columns."""
    columns = {k: v for k, v in data.items() if k not in ("address", "social_economy", "contacts")}
    if "address" in data and data["address"] is not None:
        address = data["address"]
        columns.update(address)
        columns["voivodeship"] = address["terc"][:2]
    if "contacts" in data and data["contacts"] is not None:
        columns["contacts"] = data["contacts"]
    if social_economy is not None:
        columns.update(_social_economy_columns(social_economy))
    return columns


async def _refuse_duplicates(
    session: AsyncSession,
    *,
    nip: str | None,
    krs: str | None,
    regon: str | None,
    exclude: uuid.UUID | None = None,
) -> None:
    taken = await repository.find_duplicates(session, nip=nip, krs=krs, regon=regon, exclude=exclude)
    if taken:
        fields = ", ".join(f.upper() for f in taken)
        raise Conflict(
            f"A provider with this {fields} is already registered.",
            pl=f"Podmiot o tym numerze ({fields}) jest już zarejestrowany.",
            fields=taken,
        )


def require_may_register(principal: Principal) -> None:
    """Self-registration: a provider user (not yet bound to a provider) or an admin registers an entity."""
    require_role(principal, Role.PROVIDER, Role.ADMIN)
    if principal.role is Role.PROVIDER and principal.provider_id is not None:
        raise Forbidden(
            "This account already represents a provider; one account registers one provider.",
            pl="To konto reprezentuje już podmiot; jedno konto rejestruje jeden podmiot.",
        )


async def register(session: AsyncSession, *, principal: Principal, data: ProviderCreate) -> Provider:
    """The registering account becomes the provider's first member; an account registers one provider (it joins
    others by invitation)."""
    require_may_register(principal)
    if principal.role is Role.PROVIDER and await repository.registered_by(session, principal.subject):
        raise Conflict(
            "This account has already registered a provider; one account registers one. To act for another "
            "provider, be invited by one of its members.",
            pl="To konto zarejestrowało już podmiot; jedno konto rejestruje jeden. Aby działać w imieniu innego "
            "podmiotu, przyjmij zaproszenie od jednego z jego członków.",
        )
    _check_krs_for_form(data.legal_form, data.krs)
    await _refuse_duplicates(session, nip=data.nip, krs=data.krs, regon=data.regon)
    columns = _columns(data.model_dump(mode="python"), data.social_economy)
    columns["operating_areas"] = sorted(set(data.operating_areas) or {data.address.terc})
    provider = Provider(
        **columns,
        status=ProviderStatus.PENDING.value,
        registered_by=principal.subject,
    )
    session.add(provider)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same NIP/KRS/REGON won the race
        raise Conflict(
            "A provider with this NIP, KRS or REGON is already registered.",
            pl="Podmiot o tym numerze NIP, KRS lub REGON jest już zarejestrowany.",
        ) from exc
    await search_vectors.refresh_provider_vector(session, provider.id)
    await repository.add_status_event(
        session,
        ProviderStatusEvent(
            provider_id=provider.id,
            from_status=None,
            to_status=ProviderStatus.PENDING.value,
            reason="registered",
            actor_subject=principal.subject,
            actor_role=principal.role.value,
        ),
    )
    if principal.role is Role.PROVIDER:
        session.add(ProviderMember(provider_id=provider.id, subject=principal.subject, added_by=principal.subject))
        outbox.membership_changed(session, provider, principal.subject, EventType.MEMBER_ADDED)
        await session.flush()
    await session.refresh(provider)
    outbox.provider_changed(session, provider, EventType.PROVIDER_REGISTERED)
    await session.flush()
    return provider


async def acting_for(session: AsyncSession, principal: Principal, provider_id: uuid.UUID) -> Principal:
    """The principal as it acts for this provider: a member's token needs no `provider_id` claim, the provider
    named in the route is enough (the claim stays a shortcut for identity providers that can carry it)."""
    if (
        principal.role is Role.PROVIDER
        and principal.provider_id != provider_id
        and await repository.is_member(session, principal.subject, provider_id)
    ):
        return replace(principal, provider_id=provider_id)
    return principal


async def me(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    """Who the caller is, the providers it acts for, and its pending invitations."""
    providers = list(await repository.providers_of(session, principal.subject))
    if principal.provider_id and all(p.id != principal.provider_id for p in providers):
        claimed = await session.get(Provider, principal.provider_id)
        providers += [claimed] if claimed else []
    return {
        "subject": principal.subject,
        "role": principal.role.value,
        "providers": [{"id": p.id, "name": p.name, "status": p.status} for p in providers],
        "invitations": [
            {
                "id": invitation.id,
                "provider_id": provider.id,
                "provider_name": provider.name,
                "invited_by": invitation.invited_by,
                "created_at": invitation.created_at,
            }
            for invitation, provider in await repository.invitations_for(session, principal.subject)
        ],
    }


async def _require_member(session: AsyncSession, principal: Principal, provider_id: uuid.UUID) -> Provider:
    provider = await session.get(Provider, provider_id)
    acting = await acting_for(session, principal, provider_id)
    if provider is None or not (acting.is_admin or acting.acts_for_provider(provider_id)):
        raise NotFound(
            f"Provider {provider_id} does not exist or you are not one of its members.",
            pl=f"Podmiot {provider_id} nie istnieje lub nie jesteś jego członkiem.",
        )
    return provider


async def members(session: AsyncSession, principal: Principal, provider_id: uuid.UUID) -> list[ProviderMember]:
    await _require_member(session, principal, provider_id)
    return list(await repository.members_of(session, provider_id))


async def invite(
    session: AsyncSession, *, principal: Principal, provider_id: uuid.UUID, subject: str
) -> ProviderInvitation:
    await _require_member(session, principal, provider_id)
    if await repository.is_member(session, subject, provider_id):
        raise Conflict(
            f"{subject} is already a member of this provider.", pl=f"{subject} jest już członkiem tego podmiotu."
        )
    if await repository.invitation(session, provider_id, subject):
        raise Conflict(f"{subject} is already invited.", pl=f"{subject} ma już zaproszenie.")
    invitation = ProviderInvitation(provider_id=provider_id, subject=subject, invited_by=principal.subject)
    session.add(invitation)
    await session.flush()
    await session.refresh(invitation)
    return invitation


async def accept(session: AsyncSession, *, principal: Principal, invitation_id: uuid.UUID) -> ProviderMember:
    """The invited account joins the provider."""
    invitation = await session.get(ProviderInvitation, invitation_id, with_for_update=True)
    if invitation is None or invitation.subject != principal.subject or principal.role is not Role.PROVIDER:
        raise NotFound(
            f"Invitation {invitation_id} does not exist or is not yours.",
            pl=f"Zaproszenie {invitation_id} nie istnieje lub nie jest skierowane do Ciebie.",
        )
    member = ProviderMember(
        provider_id=invitation.provider_id, subject=principal.subject, added_by=invitation.invited_by
    )
    session.add(member)
    await session.delete(invitation)
    provider = await session.get(Provider, invitation.provider_id)
    if provider is not None:
        outbox.membership_changed(session, provider, principal.subject, EventType.MEMBER_ADDED)
    await session.flush()
    await session.refresh(member)
    return member


async def remove_member(session: AsyncSession, *, principal: Principal, provider_id: uuid.UUID, subject: str) -> None:
    provider = await _require_member(session, principal, provider_id)
    current = await repository.members_of(session, provider_id)
    if all(m.subject != subject for m in current):
        raise NotFound(
            f"{subject} is not a member of this provider.", pl=f"{subject} nie jest członkiem tego podmiotu."
        )
    if len(current) == 1:
        raise Conflict(
            "A provider keeps at least one member: invite another before leaving.",
            pl="Podmiot musi mieć co najmniej jednego członka: zaproś kolejnego przed odejściem.",
        )
    await repository.delete_member(session, provider_id, subject)
    outbox.membership_changed(session, provider, subject, EventType.MEMBER_REMOVED)
    await session.flush()


def not_public(provider_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Provider {provider_id} does not exist or is not public (unverified).",
        pl=f"Podmiot {provider_id} nie istnieje lub nie jest publiczny (niezweryfikowany).",
    )


async def get_visible(session: AsyncSession, provider_id: uuid.UUID, principal: Principal | None) -> Provider:
    provider = await repository.get_visible(session, provider_id, principal)
    if provider is None:
        raise not_public(provider_id)
    return provider


def _may_edit(principal: Principal, provider: Provider) -> bool:
    return principal.is_admin or principal.acts_for_provider(provider.id)


async def update(
    session: AsyncSession,
    *,
    principal: Principal,
    provider_id: uuid.UUID,
    data: ProviderUpdate,
    if_match: str | None,
) -> Provider:

    async def may_edit(provider: Provider) -> bool:  # one who may read it is told why not
        if not _may_edit(principal, provider) and await repository.get_visible(session, provider.id, principal):
            raise Forbidden(
                "Only the provider's own users or an admin may change it.",
                pl="Zmieniać dane podmiotu mogą tylko jego użytkownicy lub administrator.",
            )
        return _may_edit(principal, provider)

    provider = await load_for_write(
        session, Provider, provider_id, if_match=if_match, missing=not_public(provider_id), may_write=may_edit
    )
    changes = data.model_dump(exclude_unset=True, mode="python")
    for required in ("name", "legal_form", "address", "operating_areas", "contacts", "social_economy"):
        if required in changes and changes[required] is None:
            raise ValidationProblem.field(required, "may not be null", pl="nie może być puste (null)")
    legal_form = LegalForm(changes.get("legal_form") or provider.legal_form)
    krs = changes.get("krs", provider.krs)
    _check_krs_for_form(legal_form, krs)
    await _refuse_duplicates(session, nip=None, krs=changes.get("krs"), regon=changes.get("regon"), exclude=provider.id)
    columns = _columns(changes, data.social_economy)
    if "operating_areas" in columns:
        columns["operating_areas"] = sorted(set(columns["operating_areas"]))
    old_status = ProviderStatus(provider.status)
    for key, value in columns.items():
        setattr(provider, key, value)
    if not principal.is_admin:
        await _back_to_pending_if_needed(session, principal, provider, old_status, set(changes))
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "Another provider already has this KRS or REGON.", pl="Inny podmiot ma już ten numer KRS lub REGON."
        ) from exc
    await search_vectors.refresh_provider_vector(session, provider.id)
    await search_vectors.refresh_offering_vectors(session, provider_id=provider.id)
    await session.refresh(provider)
    outbox.provider_changed(session, provider, EventType.PROVIDER_CHANGED)
    return provider


async def _back_to_pending_if_needed(
    session: AsyncSession,
    principal: Principal,
    provider: Provider,
    old_status: ProviderStatus,
    changed: set[str],
) -> None:
    """A rejected provider's correction is a resubmission; a verified one's change of key facts needs re-checking."""
    if old_status is ProviderStatus.REJECTED:
        reason = "resubmitted after correction"
    elif old_status is ProviderStatus.VERIFIED and changed & set(VERIFIED_FACTS):
        reason = "re-verification needed: changed " + ", ".join(sorted(changed & set(VERIFIED_FACTS)))
    else:
        return
    provider.status = ProviderStatus.PENDING.value
    provider.status_reason = reason
    await repository.add_status_event(
        session,
        ProviderStatusEvent(
            provider_id=provider.id,
            from_status=old_status.value,
            to_status=ProviderStatus.PENDING.value,
            reason=reason,
            actor_subject=principal.subject,
            actor_role=principal.role.value,
        ),
    )


async def change_status(
    session: AsyncSession, *, principal: Principal, provider_id: uuid.UUID, action: StatusAction
) -> ProviderStatusEvent:
    """Verification decisions: a regional verifier of the provider's voivodeship, or an admin."""
    require_role(principal, Role.REGIONAL, Role.ADMIN)
    provider = await session.get(Provider, provider_id, with_for_update=True, populate_existing=True)
    if provider is None or not principal.verifies_voivodeship(provider.voivodeship):
        if provider is not None and await repository.get_visible(session, provider_id, principal):
            raise Forbidden(
                f"Only a regional verifier of voivodeship {provider.voivodeship} or an admin may do this.",
                pl=f"Może to zrobić tylko regionalny weryfikator województwa {provider.voivodeship} lub administrator.",
            )
        raise NotFound(
            f"Provider {provider_id} does not exist or is not visible to you.",
            pl=f"Podmiot {provider_id} nie istnieje lub nie jest dla Ciebie widoczny.",
        )
    allowed_from, to_status, reason_required = TRANSITIONS[action.action]
    current = ProviderStatus(provider.status)
    if current not in allowed_from:
        raise Conflict(
            f"Cannot {action.action} a provider that is {current.value} "
            f"(only from: {', '.join(sorted(s.value for s in allowed_from))}).",
            pl=f"Nie można wykonać działania {action.action} wobec podmiotu o statusie {current.value} "
            f"(tylko ze statusu: {', '.join(sorted(s.value for s in allowed_from))}).",
            current_status=current.value,
        )
    reason = (action.reason or "").strip() or None
    if reason_required and not reason:
        raise ValidationProblem.field(
            "reason",
            f"a reason is required to {action.action}",
            pl=f"działanie {action.action} wymaga podania uzasadnienia",
        )
    provider.status = to_status.value
    provider.status_reason = reason
    event = ProviderStatusEvent(
        provider_id=provider.id,
        from_status=current.value,
        to_status=to_status.value,
        reason=reason,
        actor_subject=principal.subject,
        actor_role=principal.role.value,
    )
    await repository.add_status_event(session, event)
    await session.refresh(event)
    reinstated = current is ProviderStatus.SUSPENDED and to_status is ProviderStatus.VERIFIED
    outbox.provider_changed(
        session, provider, EventType.PROVIDER_REINSTATED if reinstated else outbox.STATUS_EVENTS[to_status]
    )
    await session.flush()
    return event


async def history(session: AsyncSession, *, principal: Principal, provider_id: uuid.UUID) -> list[ProviderStatusEvent]:
    """The provider itself, its regional verifiers and admins read the verification history."""
    provider = await session.get(Provider, provider_id)
    allowed = provider is not None and (
        principal.acts_for_provider(provider.id) or principal.verifies_voivodeship(provider.voivodeship)
    )
    if not allowed:
        if provider is not None and await repository.get_visible(session, provider_id, principal):
            raise Forbidden(
                "Only the provider, its regional verifier or an admin may read its history.",
                pl="Historię podmiotu może czytać tylko on sam, jego regionalny weryfikator lub administrator.",
            )
        raise NotFound(
            f"Provider {provider_id} does not exist or is not visible to you.",
            pl=f"Podmiot {provider_id} nie istnieje lub nie jest dla Ciebie widoczny.",
        )
    return list(await repository.status_history(session, provider_id))
