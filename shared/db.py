"""Async SQLAlchemy: declarative base with a naming convention, engine and one unit of work per request."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, NewType, cast

import orjson
from fastapi import Depends, FastAPI, Request
from sqlalchemy import DateTime, Integer, MetaData, event, func, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import (
    InstanceState,
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    declared_attr,
    mapped_column,
)
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import greenlet_spawn

from shared import embedded_pg
from shared.settings import ServiceSettings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    """A service's own MetaData with the shared naming convention (each service has its own declarative base,
    tables and database; two services' models never share a MetaData)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """Optimistic locking, one change per unit of work: `version` is 1 on insert and one more after every unit of
    work (transaction) that changes the row, however many flushes it takes; the UPDATE checks the version it read
    (a lost race raises StaleDataError, answered 412). It is the ETag. The model's `updated_at`, if it has one, is
    set with it (and on insert its `created_at`, unless given) to the time of the unit of work: the session's clock
    (`create_sessionmaker(now=...)`) as first read in it. `touch` counts a change of what a row holds."""

    version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}  # type: ignore[attr-defined]


class Stamped(Versioned):
    """A versioned row with the usual times, created_at and updated_at, set as `Versioned` says."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


Now = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


_UNIT_OF_WORK, _NOW = "versioned.unit_of_work", "versioned.now"  # keys of Session.info


@dataclass
class _UnitOfWork:
    """One transaction's versioned rows: those already counted, and the moment their times are set to."""

    transaction: SessionTransaction
    clock: Now
    counted: set[InstanceState[Any]] = field(default_factory=set)
    moment: datetime | None = None

    @classmethod
    def of(cls, session: Session) -> _UnitOfWork:
        transaction = session.get_transaction() or session.begin()
        unit: _UnitOfWork | None = session.info.get(_UNIT_OF_WORK)
        if unit is None or unit.transaction is not transaction:  # a new transaction counts every row again
            unit = session.info[_UNIT_OF_WORK] = cls(transaction, session.info.get(_NOW, utc_now))
        return unit

    def count(self, row: Versioned, *, new: bool = False) -> None:
        """The row's one change in this unit of work: a new one keeps version 1 and gets its times unless it has
        them; another goes one version up, and its updated_at to the moment."""
        state = instance_state(row)
        if state in self.counted:
            return
        self.counted.add(state)
        if not new:
            row.version += 1
        for name in ("created_at", "updated_at") if new else ("updated_at",):
            if name in state.mapper.columns and not (new and getattr(row, name) is not None):
                setattr(row, name, self.now())

    def now(self) -> datetime:
        if self.moment is None:  # read once, and only for a row with a time to set
            self.moment = self.clock()
        return self.moment


def touch(row: Versioned) -> None:
    """Count this unit of work as a change of `row` though none of its own columns changed (what it holds did:
    its lots, its amendments, an answer). A row not yet written is counted by its insert."""
    state = instance_state(row)
    if state.session is not None and state.persistent:
        _UnitOfWork.of(state.session).count(row)


@event.listens_for(Session, "before_flush")
def _count_versioned_changes(session: Session, *_: Any) -> None:
    for row in session.new:
        if isinstance(row, Versioned):
            _UnitOfWork.of(session).count(row, new=True)
    for row in session.dirty:
        if isinstance(row, Versioned) and session.is_modified(row):
            _UnitOfWork.of(session).count(row)


def escape_like(text: str) -> str:
    """Make user text literal inside a LIKE pattern (default escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


async def ensure_database(url: str) -> None:
    """Create the URL's database if the server lacks it (connecting to `postgres` to do so)."""
    target = make_url(url)
    admin = create_async_engine(with_database(url, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        await admin.dispose()


async def _as_admin(url: str, statements: list[str]) -> None:
    admin = create_async_engine(with_database(url, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await admin.dispose()


async def fresh_database(server_url: str, name: str) -> str:
    """An empty database `name` on the server (an existing one is dropped first); its URL. Tests, benchmarks."""
    await _as_admin(server_url, [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'])
    return with_database(server_url, name)


async def drop_database(url: str) -> None:
    """Drop the URL's database, disconnecting whoever is still connected."""
    await _as_admin(url, [f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'])


def resolve_database_url(settings: ServiceSettings) -> str:
    """The configured URL, or the embedded server's (started on demand) with the service's database name."""
    if settings.database_url:
        return settings.database_url
    return with_database(embedded_pg.ensure_running(), settings.database_name)


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode()


PING_AFTER_IDLE_SECONDS = 1.0


def _replace_dead_connections(engine: AsyncEngine) -> None:
    """A pooled connection the server dropped (a restart, a failover) is replaced before use, not a 500: one the
    server closed is seen closed at no cost, and one idle for more than a second is pinged first. A connection
    in steady use is not pinged: SQLAlchemy's own pre-ping costs three round trips on every checkout
    (docs/performance.md)."""
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _idle_from(_dbapi: Any, entry: ConnectionPoolEntry) -> None:
        entry.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _alive(dbapi: Any, entry: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        idle_since = entry.info.pop("idle_since", None)
        driver = entry.driver_connection
        if driver is not None and driver.is_closed():
            raise DisconnectionError("the server closed the connection while it was pooled")  # the pool reconnects
        if idle_since is not None and time.monotonic() - idle_since > PING_AFTER_IDLE_SECONDS:
            try:
                dbapi.ping()
            except Exception as exc:  # any failure of the ping means this connection is gone
                raise DisconnectionError("the pooled connection did not answer a ping") from exc


def create_engine(url: str, *, pool_size: int = 20, pre_ping: bool = True) -> AsyncEngine:
    """At most `pool_size` connections, opened as needed and kept: no overflow connections closed and opened again
    as the load swings around a smaller pool (each new one costs PostgreSQL a backend and asyncpg a type
    introspection: docs/performance.md)."""
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )
    if pre_ping:
        _replace_dead_connections(engine)
    return engine


# A request's unit of work (commits when the endpoint returns) and a read-only session (autocommit, no
# BEGIN/COMMIT round trips). Distinct types, so a signature says which it needs; the read one refuses writes.
WriteSession = NewType("WriteSession", AsyncSession)
ReadSession = NewType("ReadSession", AsyncSession)


class ReadOnlyWrite(RuntimeError):
    """A write through a read session: it would not be atomic (autocommit), so it is refused."""


class ReadOnlySyncSession(Session):
    """The synchronous session behind a ReadSession."""


@event.listens_for(ReadOnlySyncSession, "before_flush")
def _refuse_flush(session: Session, *_: Any) -> None:
    raise ReadOnlyWrite("A read session does not write: use the request's WriteSession (SessionDep).")


@event.listens_for(ReadOnlySyncSession, "do_orm_execute")
def _refuse_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlyWrite("A read session does not write: use the request's WriteSession (SessionDep).")


def create_sessionmaker(
    bind: AsyncEngine | AsyncConnection, *, read_only: bool = False, now: Now = utc_now, **options: Any
) -> async_sessionmaker[AsyncSession]:
    """`now`: the clock the versioned rows' `updated_at` is set by (a service that controls its time passes its own)."""
    return async_sessionmaker(
        bind,
        expire_on_commit=False,
        autoflush=False,
        sync_session_class=ReadOnlySyncSession if read_only else Session,
        info={_NOW: now},
        **options,
    )


class Prepared:
    """A Core statement compiled once for asyncpg, run on the driver's own connection with none of SQLAlchemy's
    work per execution (the session, the compiled cache's lookup, parameter and result processing), or in a session's
    transaction. Two reasons to use it: the hottest
    single statements, and PostgreSQL's `insert` (ON CONFLICT), which SQLAlchemy does not cache and so compiles
    on every execution (docs/performance.md). Only for statements whose columns need no SQLAlchemy result
    processing (plain types; JSON is decoded by the driver's codec, set up by the dialect). Parameters by their
    bind names; the statement's literals are bound as compiled."""

    def __init__(self, statement: ClauseElement) -> None:
        dialect = asyncpg_dialect(json_serializer=_json_dumps)  # type: ignore[no-untyped-call]
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("a prepared statement cannot expand its parameters per execution")
        self.sql = compiled.string
        self._names: tuple[str, ...] = tuple(compiled.positiontup or ())
        binds = {name: compiled.binds[name] for name in self._names}
        self._required = frozenset(name for name, bind in binds.items() if bind.required)
        self._fixed = {name: compiled.params[name] for name in self._names if name not in self._required}
        # the types' own conversions of a parameter, as SQLAlchemy applies them (JSON is serialised here)
        self._convert = {
            name: convert
            for name, bind in binds.items()
            if (convert := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        missing = self._required - parameters.keys()
        if missing:
            raise TypeError(f"parameters missing: {sorted(missing)}")
        values = [parameters[name] if name in parameters else self._fixed[name] for name in self._names]
        for position, name in enumerate(self._names):
            convert = self._convert.get(name)
            if convert is not None:
                values[position] = convert(values[position])
        return values

    async def one_or_none(self, driver: Any, parameters: Mapping[str, Any]) -> dict[str, Any] | None:
        """The statement's one row (by its labels), or None: on an asyncpg connection (`Database.statement`)."""
        record = await driver.fetchrow(self.sql, *self.arguments(parameters))
        return None if record is None else dict(record.items())

    async def one_or_none_in(self, session: AsyncSession, parameters: Mapping[str, Any]) -> dict[str, Any] | None:
        """The same inside a session's transaction (begun by it if need be), compiled once all the same."""
        connection = await session.connection()
        result = await connection.exec_driver_sql(self.sql, tuple(self.arguments(parameters)))
        row = result.mappings().one_or_none()
        return None if row is None else dict(row)


DriverConnection = Any  # asyncpg.Connection: typed loosely, asyncpg ships no type hints


@dataclass
class Database:
    """A service's database handles, made at start-up: one engine, a write and a read session factory, a
    snapshot factory: read-only sessions whose every query sees the database as of their first one (REPEATABLE
    READ), for reads that span many queries (a bulk download), and `statement`, which lends a pooled
    connection's driver in autocommit for `Prepared` statements: each is atomic on its own, with no BEGIN/COMMIT
    round trips. A second write there would not be atomic with the first: one write each, after reads it does
    not depend on for its atomicity (the write checks what it relies on)."""

    engine: AsyncEngine
    write: async_sessionmaker[AsyncSession]
    read: async_sessionmaker[AsyncSession]
    snapshot: async_sessionmaker[AsyncSession]
    statement: Callable[[], AbstractAsyncContextManager[DriverConnection]]
    now: Now = utc_now  # the write sessions' clock

    @classmethod
    def connect(cls, url: str, *, pool_size: int, pre_ping: bool = True, now: Now = utc_now) -> Database:
        engine = create_engine(url, pool_size=pool_size, pre_ping=pre_ping)
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        repeatable = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        return cls(
            engine,
            create_sessionmaker(engine, now=now),
            create_sessionmaker(autocommit, read_only=True),
            create_sessionmaker(repeatable, read_only=True),
            lambda: lend_driver(engine),
            now,
        )

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A write session that commits when the block ends and rolls back when it raises."""
        async with self.write() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            else:
                await session.commit()


@asynccontextmanager
async def lend_driver(engine: AsyncEngine) -> AsyncIterator[DriverConnection]:
    """A pooled connection's driver (asyncpg: autocommit unless a transaction is begun on it), lent without an
    SQLAlchemy connection around it: the pool's checkout, liveness checks and return apply, at a fraction of the CPU
    of an AsyncConnection in AUTOCOMMIT (docs/performance.md). One given back inside a transaction (a block
    cancelled mid-way) or closed is not pooled again but discarded."""
    pooled = await engine.raw_connection()
    driver = pooled.driver_connection
    try:
        yield driver
    finally:
        if driver is None or driver.is_closed() or driver.is_in_transaction():
            await greenlet_spawn(pooled.invalidate)
        else:
            pooled.close()  # no await: SQLAlchemy's own transaction on it never began, so nothing to roll back


def database_of(app: FastAPI) -> Database:
    database: Database = app.state.database
    return database


async def get_session(request: Request) -> AsyncIterator[WriteSession]:
    """One unit of work per request: commit when the endpoint returns, roll back when it raises.

    Used with `scope="function"` so the commit happens before the response is sent: a failed commit is an
    error answer, never a 2xx for data that was not saved.
    """
    async with database_of(request.app).unit_of_work() as session:
        yield WriteSession(session)


async def get_read_session(request: Request) -> AsyncIterator[ReadSession]:
    """For read-only requests: autocommit, so no BEGIN/COMMIT round trips around the queries."""
    async with database_of(request.app).read() as session:
        yield ReadSession(session)


async def get_database(request: Request) -> Database:
    """For a route that opens its unit of work only when it needs one (`Database.unit_of_work`)."""
    return database_of(request.app)


SessionDep = Annotated[WriteSession, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[ReadSession, Depends(get_read_session, scope="function")]
DatabaseDep = Annotated[Database, Depends(get_database)]
