"""The webhooks API a service mounts over its own outbox (see shared.webhooks): subscriptions, their delivery log,
manual redelivery, secret rotation. Only the owner (and administrators) see or change a subscription; another
caller is told it does not exist.

Annotations are evaluated at run time here (no `from __future__ import annotations`): the request models are made
per service, with its event types, and FastAPI reads them from the handlers' signatures.
"""

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import Field, create_model
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import CurrentPrincipal, Principal
from shared.db import ReadSessionDep, SessionDep
from shared.errors import Conflict, NotFound, ValidationProblem, problem_responses
from shared.events import TYPE_PREFIX, EventTables
from shared.i18n import Refusal, polish_of
from shared.idempotency import IdempotencyColumns, IdempotencyKeyHeader, idempotent
from shared.identifiers import GminaTercStr
from shared.pagination import Page, PageParamsDep
from shared.schemas import Body, Schema
from shared.webhooks import (
    ACTIVE,
    DELIVERED,
    DISABLED,
    FAILED,
    PENDING,
    SKIPPED,
    OwnerScope,
    WebhookPolicy,
    check_url,
    deliveries_of,
    feed_end,
    make_room,
    new_secret,
    subscriptions_of,
)


class WebhookOut(Schema):
    id: uuid.UUID
    url: str = Field(description="Where deliveries are POSTed.")
    types: list[str] = Field(description="The event types delivered (empty: every type).")
    municipality: str | None = Field(description="Only events of this municipality (TERC).")
    provider: uuid.UUID | None = Field(description="Only events of this provider.")
    description: str | None = Field(description="The owner's own note.")
    status: str = Field(description="`active`, or `disabled` (after persistent failure, or by its owner).")
    disabled_reason: str | None = Field(description="Why it was disabled.")
    disabled_at: datetime | None
    failures_in_row: int = Field(description="Delivery attempts failed in a row (a success resets it).")
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="The signing secret (Standard Webhooks `whsec_…`), shown now and on rotation only. Verify "
        "each delivery's `webhook-signature` over `webhook-id.webhook-timestamp.body` with it."
    )


class SecretOut(Schema):
    secret: str = Field(description="The new signing secret; the old one stops signing at once.")


class AttemptOut(Schema):
    at: datetime
    status_code: int | None = Field(description="The receiver's HTTP status (none: no answer).")
    error: str | None = Field(description="Why the attempt failed.")
    response: str | None = Field(description="The start of the receiver's answer.")
    duration_ms: int


class DeliveryOut(Schema):
    id: uuid.UUID
    event_id: uuid.UUID = Field(description="The event's id, sent as `webhook-id` on every attempt.")
    event_type: str
    status: str = Field(
        description="`pending` (to be tried, or retried), `delivered`, `failed` (given up), or `skipped` (not sent: "
        "you may no longer read the event, say since you were removed from its provider)."
    )
    attempts: int
    next_attempt_at: datetime | None = Field(description="When it is tried next (pending only).")
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    log: list[AttemptOut] = Field(description="The latest attempts, oldest first.")


def webhook_out(row: Any, model: type[WebhookOut] = WebhookOut, **extra: Any) -> Any:
    return model(
        id=row.id,
        url=row.url,
        types=[t.removeprefix(TYPE_PREFIX) for t in row.types],
        municipality=row.municipality_terc,
        provider=row.provider_id,
        description=row.description,
        status=row.status,
        disabled_reason=row.disabled_reason,
        disabled_at=row.disabled_at,
        failures_in_row=row.failures_in_row,
        created_at=row.created_at,
        updated_at=row.updated_at,
        **extra,
    )


def delivery_out(row: Any) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        event_id=row.event_id,
        event_type=row.event_type.removeprefix(TYPE_PREFIX),
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if row.status == PENDING else None,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
        log=[AttemptOut.model_validate(entry) for entry in row.log],
    )


def _models(prefix: str, event_types: type[StrEnum]) -> tuple[Any, Any]:
    """The service's request bodies, named after it (its event types differ from another service's)."""
    url_doc, types_doc = "An https:// URL on a public address.", "Event types to deliver (empty: every type)."
    types: Any = list[event_types]  # type: ignore[valid-type]
    filters: dict[str, Any] = {
        "municipality": (GminaTercStr | None, Field(default=None, description="Only events of this municipality.")),
        "provider": (uuid.UUID | None, Field(default=None, description="Only events of this provider.")),
        "description": (str | None, Field(default=None, max_length=500, description="Your own note.")),
    }
    create: dict[str, Any] = {
        "url": (str, Field(min_length=8, max_length=2000, description=url_doc)),
        "types": (types, Field(default_factory=list, max_length=50, description=types_doc)),
        **filters,
    }
    update: dict[str, Any] = {
        "url": (str | None, Field(default=None, min_length=8, max_length=2000, description=url_doc)),
        "types": (types | None, Field(default=None, max_length=50, description=types_doc)),
        **filters,
        "active": (
            bool | None,
            Field(default=None, description="false disables it; true enables it again (its failures forgotten)."),
        ),
    }
    return (
        create_model(f"{prefix}WebhookCreate", __base__=Body, **create),
        create_model(f"{prefix}WebhookUpdate", __base__=Body, **update),
    )


async def _allowed(request: Request, url: str) -> None:
    policy: WebhookPolicy = request.app.state.webhook_policy
    try:
        await check_url(url, policy.allowed_hosts)
    except Refusal as exc:
        raise ValidationProblem.field("url", str(exc), pl=polish_of(exc)) from None


async def _same_scope(session: AsyncSession, principal: Principal) -> Principal:
    return principal


def _stamp_owner(row: Any, principal: Principal) -> None:
    row.owner_subject, row.owner_role, row.owner_terc = principal.subject, principal.role.value, principal.terc
    row.owner_provider_claim = principal.provider_id if principal.providers else None
    row.owner_providers = sorted(str(p) for p in principal.providers)


def webhook_router(
    *,
    path: str,
    event_types: type[StrEnum],
    tables: EventTables,
    idempotency_record: type[IdempotencyColumns],
    schema_prefix: str = "",
    tag: str = "webhooks",
    scope: OwnerScope = _same_scope,
) -> APIRouter:
    """The routes under `path` (`/v1/webhooks`) over the service's two webhook tables. `scope` widens a principal
    to what it may read in the service's feed (the catalogue adds a provider account's memberships)."""
    subscriptions, deliveries = tables.subscriptions, tables.deliveries
    create_model_, update_model = _models(schema_prefix, event_types)
    router = APIRouter(prefix=path, tags=[tag])

    async def owned(session: AsyncSession, subscription_id: uuid.UUID, principal: Principal, lock: bool) -> Any:
        row = await session.get(subscriptions, subscription_id, with_for_update=lock)
        if row is None or not row.owned_by(principal):
            raise NotFound(
                f"No webhook subscription {subscription_id} of yours.",
                pl=f"Nie ma Twojej subskrypcji webhooków {subscription_id}.",
            )
        return row

    @router.post(
        "",
        summary="Subscribe a URL to events (signed deliveries, Standard Webhooks)",
        status_code=status.HTTP_201_CREATED,
        responses=problem_responses(401, 409, 422),
        description="Events committed from now on that you may read in the feed (public ones; your municipality's "
        "or your providers' private ones), filtered by type, municipality and provider, are POSTed to the URL as "
        "CloudEvents (JSON), signed with the secret returned now (`webhook-id` is the event id: deduplicate by it; "
        "delivery is at least once and unordered). Any answer but 2xx is retried with exponential back-off; after "
        "persistent failure the subscription is disabled and you are told why. What you may read is checked again "
        "for every delivery: an event you may no longer read (removed from its provider, say) is skipped. The URL "
        "must be https on a public address. One owner may have a limited number of subscriptions (409 beyond it, "
        "with the `limit`; deleted ones do not count). Idempotency-Key accepted.",
    )
    async def create_subscription(
        request: Request,
        data: create_model_,  # type: ignore[valid-type]
        session: SessionDep,
        principal: CurrentPrincipal,
        response: Response,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> WebhookCreated:
        sent: Any = data
        async with idempotent(
            session, principal, idempotency_key, data, response, record=idempotency_record, route=f"POST {path}"
        ) as replay:
            if replay.response is not None:
                return WebhookCreated.model_validate(replay.response)
            await _allowed(request, sent.url)
            await make_room(session, subscriptions, principal, request.app.state.webhook_policy.max_subscriptions)
            now = datetime.now(UTC)
            row = subscriptions(
                id=uuid.uuid4(),
                url=sent.url,
                types=[TYPE_PREFIX + t.value for t in sent.types],
                municipality_terc=sent.municipality,
                provider_id=sent.provider,
                description=sent.description,
                secret=new_secret(),
                status=ACTIVE,
                failures_in_row=0,
                cursor=await feed_end(session),
                created_at=now,
                updated_at=now,
            )
            _stamp_owner(row, await scope(session, principal))
            session.add(row)
            await session.flush()
            response.headers["Location"] = f"{path}/{row.id}"
            out: WebhookCreated = webhook_out(row, WebhookCreated, secret=row.secret)
            replay.remember(201, out.model_dump(mode="json"))
            return out

    @router.get(
        "",
        summary="Your webhook subscriptions",
        responses=problem_responses(401, 422),
        description="The caller's subscriptions (an administrator's: everyone's), oldest first. Secrets are not shown.",
    )
    async def list_subscriptions(
        session: ReadSessionDep, principal: CurrentPrincipal, paging: PageParamsDep
    ) -> Page[WebhookOut]:
        rows, total = await subscriptions_of(
            session, subscriptions, principal, offset=paging.offset, limit=paging.per_page
        )
        return Page.build([webhook_out(r) for r in rows], total, paging)

    @router.get(
        "/{subscription_id}",
        summary="One of your webhook subscriptions",
        responses=problem_responses(401, 404, 422),
        description="Its filters, its state and, when disabled, why.",
    )
    async def get_subscription(
        subscription_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal
    ) -> WebhookOut:
        return webhook_out(await owned(session, subscription_id, principal, lock=False))  # type: ignore[no-any-return]

    @router.patch(
        "/{subscription_id}",
        summary="Change a subscription's URL or filters, disable it, or enable it again",
        responses=problem_responses(401, 404, 422),
        description="Fields sent are changed; `null` removes a filter. `active: true` enables a disabled "
        "subscription again: its failures are forgotten and what was not delivered is delivered (events of the "
        "time it was disabled included). What you may read is taken again from your token.",
    )
    async def update_subscription(
        request: Request,
        subscription_id: uuid.UUID,
        data: update_model,  # type: ignore[valid-type]
        session: SessionDep,
        principal: CurrentPrincipal,
    ) -> WebhookOut:
        row = await owned(session, subscription_id, principal, lock=True)
        fields: Any = data
        sent = fields.model_fields_set
        for name in ("url", "types", "active"):
            if name in sent and getattr(fields, name) is None:
                raise ValidationProblem.field(name, "may not be null", pl="nie może być null")
        now = datetime.now(UTC)
        if "url" in sent:
            await _allowed(request, fields.url)
            row.url = fields.url
        if "types" in sent:
            row.types = [TYPE_PREFIX + t.value for t in fields.types]
        if "municipality" in sent:
            row.municipality_terc = fields.municipality
        if "provider" in sent:
            row.provider_id = fields.provider
        if "description" in sent:
            row.description = fields.description
        if fields.active is True and row.status == DISABLED:
            row.status, row.disabled_reason, row.disabled_at, row.failures_in_row = ACTIVE, None, None, 0
        elif fields.active is False and row.status == ACTIVE:
            row.status, row.disabled_at, row.disabled_reason = DISABLED, now, "disabled by its owner"
        if not principal.is_admin:
            _stamp_owner(row, await scope(session, principal))
        row.updated_at = now
        await session.flush()
        return webhook_out(row)  # type: ignore[no-any-return]

    @router.delete(
        "/{subscription_id}",
        summary="Delete a subscription (and its delivery log)",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=problem_responses(401, 404, 422),
        description="Nothing more is delivered to it; attempts already under way may still arrive.",
    )
    async def delete_subscription(subscription_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> None:
        await session.delete(await owned(session, subscription_id, principal, lock=True))

    @router.post(
        "/{subscription_id}/secret",
        summary="Rotate a subscription's signing secret",
        responses=problem_responses(401, 404, 422),
        description="A new secret signs every attempt from now on; it is shown now only.",
    )
    async def rotate_secret(subscription_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal) -> SecretOut:
        row = await owned(session, subscription_id, principal, lock=True)
        row.secret, row.updated_at = new_secret(), datetime.now(UTC)
        return SecretOut(secret=row.secret)

    @router.get(
        "/{subscription_id}/deliveries",
        summary="A subscription's delivery log",
        responses=problem_responses(401, 404, 422),
        description="Its deliveries, newest first, each with its latest attempts (status, error, the start of the "
        "answer, duration).",
    )
    async def list_deliveries(
        subscription_id: uuid.UUID,
        session: ReadSessionDep,
        principal: CurrentPrincipal,
        paging: PageParamsDep,
        status_: Annotated[
            str | None,
            Query(alias="status", pattern=f"^({PENDING}|{DELIVERED}|{FAILED}|{SKIPPED})$", description="Only these."),
        ] = None,
    ) -> Page[DeliveryOut]:
        await owned(session, subscription_id, principal, lock=False)
        rows, total = await deliveries_of(
            session, deliveries, subscription_id, status=status_, offset=paging.offset, limit=paging.per_page
        )
        return Page.build([delivery_out(r) for r in rows], total, paging)

    @router.post(
        "/{subscription_id}/deliveries/{delivery_id}/redeliver",
        summary="Deliver an event again (now)",
        status_code=status.HTTP_202_ACCEPTED,
        responses=problem_responses(401, 404, 409, 422),
        description="The delivery, whatever its state, is tried again at once, with a fresh series of attempts "
        "and the same `webhook-id`. The subscription must be active.",
    )
    async def redeliver(
        subscription_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
    ) -> DeliveryOut:
        subscription = await owned(session, subscription_id, principal, lock=False)
        delivery = await session.get(deliveries, delivery_id, with_for_update=True)
        if delivery is None or delivery.subscription_id != subscription.id:
            raise NotFound(f"No delivery {delivery_id} here.", pl=f"Nie ma tu doręczenia {delivery_id}.")
        if subscription.status != ACTIVE:
            raise Conflict(
                "The subscription is disabled: enable it first (PATCH with active: true).",
                pl="Subskrypcja jest wyłączona: najpierw ją włącz (PATCH z active: true).",
            )
        delivery.status, delivery.attempts, delivery.next_attempt_at = PENDING, 0, datetime.now(UTC)
        delivery.leased_until = None
        await session.flush()
        return delivery_out(delivery)

    return router
