"""Offer queries."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from asyncpg import UniqueViolationError
from sqlalchemy import (
    DateTime,
    Table,
    and_,
    bindparam,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.calls.repository import call_visibility
from services.commissioning.models.calls import Call, Lot
from services.commissioning.models.idempotency import IdempotencyRecord
from services.commissioning.models.offers import Offer, OfferFacts, OfferRow, OfferStatus
from services.commissioning.models.standing import ProviderStanding, Standing
from shared.db import DriverConnection, Prepared
from shared.idempotency import answered_record


async def for_lot_and_provider(session: AsyncSession, lot_id: uuid.UUID, provider_id: uuid.UUID) -> Offer | None:
    query = select(Offer).where(Offer.lot_id == lot_id, Offer.provider_id == provider_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def locked_with_call(session: AsyncSession, offer_id: uuid.UUID) -> tuple[Offer, Call] | None:
    """The offer locked for update and its call locked shared, as they are now, in one statement."""
    query = (
        select(Offer, Call)
        .join(Call, Call.id == Offer.call_id)
        .where(Offer.id == offer_id)
        .suffix_with("FOR UPDATE OF offers FOR SHARE OF calls")
        .execution_options(populate_existing=True)
    )
    row = (await session.execute(query)).one_or_none()
    return None if row is None else (row[0], row[1])


_COLUMN_OF = {key: column.name for key, column in Offer.__mapper__.columns.items()}  # attribute -> column name
_OFFER_COLUMNS = [column.label(key) for key, column in Offer.__mapper__.columns.items()]


def _call_at_version() -> Any:
    """The call `of_call` while it is at `call_at_version`, the version a write was decided on, locked shared (a
    CTE): the opening at the deadline, which changes the call, waits for the write and counts it."""
    return (
        select(Call.id)
        .where(Call.id == bindparam("of_call"), Call.version == bindparam("call_at_version"))
        .with_for_update(read=True)
        .cte("decided_call")
    )


def _standing_superseded() -> Any:
    """The catalogue's events have told a newer version of the provider than the one the write was decided on."""
    return select(ProviderStanding.provider_id).where(
        ProviderStanding.provider_id == bindparam("of_provider"),
        ProviderStanding.catalogue_version > bindparam("decided_at_version"),
    )


def _guards(call_version: int, standing: Standing) -> dict[str, Any]:
    return {
        "call_at_version": call_version,
        "of_provider": standing.provider_id,
        "decided_at_version": standing.catalogue_version,
    }


def _revision_statement() -> Any:
    """Made once, with bound parameters: SQLAlchemy builds no statement and no cache key per request."""
    decided_call = _call_at_version()
    return (
        update(cast(Table, Offer.__table__))  # Core: no ORM bulk-update machinery per request
        .where(
            Offer.id == bindparam("of_offer"),
            Offer.version == bindparam("offer_at_version"),
            Offer.status == bindparam("offer_in_status"),
            Offer.call_id.in_(select(decided_call.c.id)),
            ~_standing_superseded().exists(),
        )
        .values(
            {
                Offer.total_price_grosze: bindparam("new_total_price_grosze"),
                Offer.quantity: bindparam("new_quantity"),
                Offer.answers: bindparam("new_answers", type_=JSONB),
                Offer.grant_offer: bindparam("new_grant_offer", type_=JSONB),
                Offer.content_hash: bindparam("new_content_hash"),
                Offer.status: OfferStatus.SUBMITTED.value,
                Offer.submitted_at: bindparam("moment", type_=DateTime(timezone=True)),
                Offer.version: Offer.version + 1,
            }
        )
        .returning(*_OFFER_COLUMNS)
    )


_REVISION = Prepared(_revision_statement())


async def revise_if_unchanged(
    driver: DriverConnection,
    *,
    offer: OfferFacts,
    call_version: int,
    standing: Standing,
    now: datetime,
    content: dict[str, Any],
) -> OfferRow | None:
    """A revision in one statement, atomic on its own, written only while the offer (its version and status), its
    call and the provider's standing are what it was decided on; the call locked shared, as in the full path. The
    revised offer, or None when any of them changed (the full path then decides afresh)."""
    parameters = {
        "of_offer": offer.id,
        "offer_at_version": offer.version,
        "offer_in_status": offer.status,
        "of_call": offer.call_id,
        "moment": now,
        **_guards(call_version, standing),
        **{f"new_{name}": value for name, value in content.items()},
    }
    row = await _REVISION.one_or_none(driver, parameters)
    return None if row is None else OfferRow(**row)


def _submission_statement() -> Any:
    """Made once, with bound parameters (`new_` and the attribute's name)."""
    offers = cast(Table, Offer.__table__)
    submitted = {
        "status": OfferStatus.SUBMITTED.value,
        **{
            _COLUMN_OF[name]: bindparam(f"new_{name}", type_=Offer.__mapper__.columns[name].type) for name in _SUBMITTED
        },
    }
    created = {
        _COLUMN_OF[name]: bindparam(f"new_{name}", type_=Offer.__mapper__.columns[name].type)
        for name in ("id", "call_id", "lot_id", "provider_id", "created_at")
    }
    return (
        pg_insert(offers)
        .values({**created, **submitted, "version": 1})
        .on_conflict_do_update(
            index_elements=[offers.c.lot_id, offers.c.provider_id],
            set_={**submitted, "version": offers.c.version + 1},
            where=offers.c.status == OfferStatus.WITHDRAWN.value,
        )
        .returning(*_OFFER_COLUMNS)
    )


_SUBMITTED = (
    "provider_name",
    "provider_nip",
    "total_price_grosze",
    "quantity",
    "answers",
    "grant_offer",
    "content_hash",
    "submitted_at",
)
_SUBMISSION = Prepared(_submission_statement())


async def submit_unless_active(
    session: AsyncSession,
    *,
    call_id: uuid.UUID,
    lot_id: uuid.UUID,
    provider_id: uuid.UUID,
    now: datetime,
    content: dict[str, Any],
) -> Offer | None:
    """The provider's offer for the lot, new, or its withdrawn one submitted again (same id, next version), in one
    statement; None when it has an offer there that is not withdrawn (a concurrent submission of the same
    provider waits for the first and finds it)."""
    values = submission_values(call_id=call_id, lot_id=lot_id, provider_id=provider_id, now=now, content=content)
    row = await _SUBMISSION.one_or_none_in(session, {f"new_{name}": value for name, value in values.items()})
    return None if row is None else Offer(**row)


def submission_values(
    *, call_id: uuid.UUID, lot_id: uuid.UUID, provider_id: uuid.UUID, now: datetime, content: dict[str, Any]
) -> dict[str, Any]:
    """A new offer's columns (a withdrawn one submitted again keeps its id and creation)."""
    values = {"id": uuid.uuid4(), "call_id": call_id, "lot_id": lot_id, "provider_id": provider_id, **content}
    return values | {"created_at": now, "submitted_at": now}


# What an offer's write is decided on, of the database: the call as a provider may see it, its lot, the offer.
# Read without a lock: the write checks every fact it relied on.
CALL_FACTS = (
    "id",
    "version",
    "status",
    "deadline",
    "published_at",
    "criteria",
    "eligibility",
    "mode",
    "rules_version",
    "municipality_terc",
    "grant_terms",
)
_CALL_LABELLED = [getattr(Call, name).label(f"call_{name}") for name in CALL_FACTS]
_TOLD_VERSION = ProviderStanding.catalogue_version.label("told_version")  # what the events told
_SUBMISSION_FACTS = Prepared(
    select(*_CALL_LABELLED, Lot.service_type_id.label("lot_service_type_id"), _TOLD_VERSION)
    .select_from(Call)
    .outerjoin(Lot, and_(Lot.call_id == Call.id, Lot.id == bindparam("of_lot")))
    .outerjoin(ProviderStanding, ProviderStanding.provider_id == bindparam("of_provider"))
    .where(Call.id == bindparam("of_call"), call_visibility(None))  # as a provider may see it
)
_OFFER_FACTS = ("id", "call_id", "lot_id", "provider_id", "version", "status")
_REVISION_FACTS = Prepared(
    select(*(getattr(Offer, name).label(f"offer_{name}") for name in _OFFER_FACTS), *_CALL_LABELLED, _TOLD_VERSION)
    .join(Call, Call.id == Offer.call_id)
    .outerjoin(ProviderStanding, ProviderStanding.provider_id == Offer.provider_id)
    .where(Offer.id == bindparam("of_offer"))
)


def _call_of(row: dict[str, Any]) -> Call:
    return Call(**{name: row[f"call_{name}"] for name in CALL_FACTS})


async def submission_facts(
    driver: DriverConnection, call_id: uuid.UUID, lot_id: uuid.UUID, provider_id: uuid.UUID
) -> tuple[Call, uuid.UUID | None, int | None] | None:
    """The published call (detached, with the columns a submission is decided on), the service type of its lot
    `lot_id` (None: no such lot) and the version of the provider the catalogue's events told (None: none); None
    when no such call is published."""
    parameters = {"of_call": call_id, "of_lot": lot_id, "of_provider": provider_id}
    row = await _SUBMISSION_FACTS.one_or_none(driver, parameters)
    return None if row is None else (_call_of(row), row["lot_service_type_id"], row["told_version"])


async def revision_facts(driver: DriverConnection, offer_id: uuid.UUID) -> tuple[OfferFacts, Call, int | None] | None:
    """The offer, its call and the version of its provider the events told, in one statement (no lock: the write
    checks)."""
    row = await _REVISION_FACTS.one_or_none(driver, {"of_offer": offer_id})
    if row is None:
        return None
    offer = OfferFacts(**{name: row[f"offer_{name}"] for name in _OFFER_FACTS})
    return offer, _call_of(row), row["told_version"]


def _submission_if_unchanged() -> Any:
    """A new offer, written only while its call is at the version it was decided on (locked shared, as in the
    full path: the opening at the deadline waits for it and counts it) and no newer version of the provider than
    the one it was decided on has been told; nothing if the provider has an offer for the lot (active or
    withdrawn). Made once."""
    offers = cast(Table, Offer.__table__)
    decided_call = _call_at_version()
    new = {
        name: bindparam(f"new_{name}", type_=Offer.__mapper__.columns[name].type)
        for name in ("id", "call_id", "lot_id", "provider_id", "created_at", *_SUBMITTED)
    }
    values = (
        select(*(value.label(_COLUMN_OF[name]) for name, value in new.items()))
        .add_columns(literal(OfferStatus.SUBMITTED.value).label("status"), literal(1).label("version"))
        .where(select(decided_call.c.id).exists(), ~_standing_superseded().exists())
    )
    names = [*(_COLUMN_OF[name] for name in new), "status", "version"]
    return (
        pg_insert(offers)
        .from_select(names, values)
        .on_conflict_do_nothing(index_elements=[offers.c.lot_id, offers.c.provider_id])
        .returning(*_OFFER_COLUMNS)
    )


_NEW_SUBMISSION = Prepared(_submission_if_unchanged())


@functools.cache
def _keyed_submission() -> Prepared:
    """The same, with the Idempotency-Key's record written by the same statement, answered."""
    written = _submission_if_unchanged().cte("written")
    answered = answered_record(IdempotencyRecord, written).cte("answered")
    return Prepared(select(*(written.c[key] for key in _COLUMN_OF)).add_cte(answered))


async def submit_if_unchanged(
    driver: DriverConnection,
    *,
    values: dict[str, Any],
    call_version: int,
    standing: Standing,
    answer: dict[str, Any] | None,
) -> OfferRow | None:
    """`_submission_if_unchanged` in one statement (atomic on its own, in autocommit): `values` are the offer's
    (`submission_values`), `answer` an Idempotency-Key's `record_parameters` made for it. The offer, or None
    when anything it relied on changed, the provider has an offer for the lot, or the key was used before."""
    parameters = {
        "of_call": values["call_id"],
        **_guards(call_version, standing),
        **{f"new_{name}": value for name, value in values.items()},
    }
    try:
        if answer is None:
            row = await _NEW_SUBMISSION.one_or_none(driver, parameters)
        else:
            row = await _keyed_submission().one_or_none(driver, {**parameters, **answer})
    except UniqueViolationError:
        return None  # the key has a record: replayed, or refused as reused, by the full path
    return None if row is None else OfferRow(**row)


async def of_call(
    session: AsyncSession, call_id: uuid.UUID, *, provider_id: uuid.UUID | None = None, include_withdrawn: bool
) -> Sequence[Offer]:
    query = select(Offer).where(Offer.call_id == call_id)
    if provider_id is not None:
        query = query.where(Offer.provider_id == provider_id)
    if not include_withdrawn:
        query = query.where(Offer.status != OfferStatus.WITHDRAWN.value)
    return (await session.scalars(query.order_by(Offer.lot_id, Offer.submitted_at, Offer.id))).all()


async def of_provider(session: AsyncSession, provider_id: uuid.UUID) -> Sequence[Offer]:
    query = select(Offer).where(Offer.provider_id == provider_id).order_by(Offer.submitted_at.desc(), Offer.id)
    return (await session.scalars(query)).all()


async def count_active(session: AsyncSession, call_id: uuid.UUID) -> int:
    """Offers of the call that were not withdrawn."""
    query = (
        select(func.count())
        .select_from(Offer)
        .where(Offer.call_id == call_id, Offer.status != OfferStatus.WITHDRAWN.value)
    )
    return int(await session.scalar(query) or 0)


async def ask_reconfirmation(session: AsyncSession, call_id: uuid.UUID) -> int:
    """Submitted offers of the call must be confirmed again (after an amendment); returns how many."""
    statement = (
        update(Offer)
        .where(Offer.call_id == call_id, Offer.status == OfferStatus.SUBMITTED.value)
        .values(status=OfferStatus.NEEDS_CONFIRMATION.value)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(statement)).rowcount or 0)  # type: ignore[attr-defined]
