"""Provider endpoints: self-registration, profile, search, verification."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status

from services.catalogue.filters import SearchQueryDep
from services.catalogue.models.idempotency import IdempotencyRecord
from services.catalogue.models.providers import ProviderStatus
from services.catalogue.models.public import PUBLIC_LISTS
from services.catalogue.providers import repository, service
from services.catalogue.providers.schemas import (
    InvitationIn,
    InvitationOut,
    MemberOut,
    MeOut,
    ProviderCreate,
    ProviderOut,
    ProviderUpdate,
    StatusAction,
    StatusEventOut,
    provider_out,
)
from shared.auth import CurrentPrincipal, OptionalPrincipal, Role
from shared.cache import cached_json
from shared.db import ReadSessionDep
from shared.errors import Forbidden, problem_responses
from shared.idempotency import IdempotencyKeyHeader
from shared.pagination import Page, PageParamsDep, page_of
from shared.responses import model_response
from shared.routes import ChangeDep, WriteDep, created_once, tagged

router = APIRouter(prefix="/v1/providers", tags=["providers"])
me_router = APIRouter(prefix="/v1/me", tags=["providers"])


@me_router.get(
    "",
    summary="Who I am: the providers I act for and my invitations",
    responses=problem_responses(401),
    description=(
        "The providers the caller's account acts for (registered or joined by invitation) and its pending invitations."
    ),
)
async def get_me(session: ReadSessionDep, principal: CurrentPrincipal) -> MeOut:
    return MeOut.model_validate(await service.me(session, principal))


@me_router.post(
    "/invitations/{invitation_id}/acceptance",
    summary="Accept an invitation: act for that provider too",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 404),
    description="The invited account accepts and becomes a member.",
)
async def accept_invitation(invitation_id: uuid.UUID, write: WriteDep) -> MemberOut:
    return MemberOut.model_validate(await write(service.accept, invitation_id=invitation_id))


ProviderSort = Literal["name", "-name", "created_at", "-created_at"]


@router.post(
    "",
    summary="Register a provider (self-registration; starts as pending)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 409, 422),
    description=(
        "A provider registers itself with its NIP, REGON and KRS (checksums verified) and social-economy "
        "facts; it is pending until its regional centre verifies it. The registering account becomes its "
        "first member; one account registers one provider. Idempotency-Key accepted."
    ),
)
async def register_provider(
    data: ProviderCreate, write: WriteDep, idempotency_key: IdempotencyKeyHeader = None
) -> ProviderOut:
    service.require_may_register(write.principal)

    async def register() -> ProviderOut:
        provider = write.tagged(await write(service.register, data=data))
        write.response.headers["Location"] = f"/v1/providers/{provider.id}"
        return provider_out(provider)

    route = "POST /v1/providers"
    return await created_once(
        write, idempotency_key, data, register, out=ProviderOut, record=IdempotencyRecord, route=route
    )


@router.get(
    "",
    summary="Search providers",
    response_model=Page[ProviderOut],
    responses=problem_responses(401, 403, 422),
    description=(
        "Verified providers by name, legal form, place and PES status. Regional verifiers and administrators "
        "may filter by status to find pending ones."
    ),
)
async def search_providers(
    request: Request,
    session: ReadSessionDep,
    principal: OptionalPrincipal,
    paging: PageParamsDep,
    query: SearchQueryDep,
    status_: Annotated[
        list[ProviderStatus] | None,
        Query(alias="status", description="Statuses (regional verifiers and admins; default: all they may see)."),
    ] = None,
    sort: Annotated[ProviderSort, Query(description="Sort order.")] = "name",
) -> Response:
    if status_ and (principal is None or principal.role not in (Role.ADMIN, Role.REGIONAL)):
        raise Forbidden(
            "Only regional verifiers and admins filter by status; the public sees verified providers.",
            pl="Według statusu filtrują tylko regionalni weryfikatorzy i administratorzy; publicznie widać podmioty "
            "zweryfikowane.",
        )

    async def page() -> Page[ProviderOut]:
        shared = await query.validated(session)
        filters = repository.ProviderFilters(**vars(shared), statuses=[s.value for s in status_ or []])
        rows, total = await repository.search(
            session, principal=principal, filters=filters, sort=sort, offset=paging.offset, limit=paging.per_page
        )
        return Page.build([provider_out(p) for p in rows], total, paging)

    async def public() -> dict[str, Any]:
        return (await page()).model_dump(mode="json")

    if principal is None:  # the public's list, the same for everyone: kept until the next write
        return await cached_json(request, PUBLIC_LISTS, public, max_age=0)
    return model_response(await page())


@router.get(
    "/{provider_id}/members",
    summary="The accounts that act for a provider (its members and admins)",
    responses=problem_responses(401, 404),
    description="The accounts that act for the provider (its members and administrators only).",
)
async def list_members(
    provider_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, paging: PageParamsDep
) -> Page[MemberOut]:
    return page_of(
        [MemberOut.model_validate(m) for m in await service.members(session, principal, provider_id)], paging
    )


@router.post(
    "/{provider_id}/invitations",
    summary="Invite an account to act for the provider (its members): it joins when it accepts",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 404, 409, 422),
    description="A member invites another account (a consultant may belong to several providers, by invitation only).",
)
async def invite_member(provider_id: uuid.UUID, data: InvitationIn, write: WriteDep) -> InvitationOut:
    return InvitationOut.model_validate(await write(service.invite, provider_id=provider_id, subject=data.subject))


@router.delete(
    "/{provider_id}/members/{subject}",
    summary="Remove a member (its members and admins; a provider keeps at least one)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 409),
    description="A member removes a member; the last one cannot be removed.",
)
async def remove_member(provider_id: uuid.UUID, subject: str, write: WriteDep) -> None:
    await write(service.remove_member, provider_id=provider_id, subject=subject)


@router.get(
    "/{provider_id}",
    summary="Read a provider",
    responses=problem_responses(401, 404),
    description=(
        "A verified provider (public), or a pending one for its members, its regional verifier and administrators."
    ),
)
async def get_provider(
    provider_id: uuid.UUID, session: ReadSessionDep, principal: OptionalPrincipal, response: Response
) -> ProviderOut:
    viewer = await service.acting_for(session, principal, provider_id) if principal else None
    return provider_out(tagged(response, await service.get_visible(session, provider_id, viewer)))


@router.patch(
    "/{provider_id}",
    summary="Change a provider's data (its own users or an admin; If-Match)",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
    description="A member changes its provider's data (If-Match). NIP cannot change; KRS and REGON stay unique.",
)
async def update_provider(provider_id: uuid.UUID, data: ProviderUpdate, change: ChangeDep) -> ProviderOut:
    acting = await service.acting_for(change.write.session, change.write.principal, provider_id)
    return provider_out(await change.by(acting)(service.update, provider_id=provider_id, data=data))


@router.post(
    "/{provider_id}/status-changes",
    summary="Verify, reject, suspend or reinstate a provider (regional verifier or admin)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
    description=(
        "verify or reject a pending provider, suspend a verified one, reinstate a suspended one: the regional"
        " centre of its voivodeship (ROPS) or an administrator, with a reason except to verify. Suspended "
        "providers cannot bid."
    ),
)
async def change_provider_status(provider_id: uuid.UUID, action: StatusAction, write: WriteDep) -> StatusEventOut:
    return StatusEventOut.model_validate(await write(service.change_status, provider_id=provider_id, action=action))


@router.get(
    "/{provider_id}/status-changes",
    summary="The verification history: who changed the status, when and why",
    responses=problem_responses(401, 403, 404),
    description=(
        "Who verified, rejected, suspended or reinstated the provider, when and why (its members, its "
        "regional verifier, administrators)."
    ),
)
async def list_provider_status_changes(
    provider_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, paging: PageParamsDep
) -> Page[StatusEventOut]:
    acting = await service.acting_for(session, principal, provider_id)
    events = await service.history(session, principal=acting, provider_id=provider_id)
    return page_of([StatusEventOut.model_validate(e) for e in events], paging)
