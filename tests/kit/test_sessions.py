"""The two session types a request can get: a read session refuses every write (it is autocommit, so a write
through it would not be part of the request's unit of work); the write session commits once."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from services.catalogue.models.taxonomy import Area
from shared.db import ReadOnlyWrite, database_of
from tests.catalogue.conftest import catalogue_app, db  # noqa: F401  (fixtures used here)


async def test_a_read_session_refuses_to_flush_or_to_update(catalogue_app, db):
    sessions = database_of(catalogue_app)
    async with sessions.read() as read:
        area = await read.get(Area, "health")
        assert area is not None
        area.name_en = "changed by mistake"
        with pytest.raises(ReadOnlyWrite):
            await read.flush()
    async with sessions.read() as read:
        with pytest.raises(ReadOnlyWrite):
            await read.execute(update(Area).where(Area.code == "health").values(name_en="changed by mistake"))
    async with sessions.write() as write:
        assert (await write.get(Area, "health")).name_en != "changed by mistake"


async def test_the_production_read_session_is_read_only_too(catalogue_app):
    """Outside the tests' rolled-back transaction: the app's own factories, as a request gets them."""
    async with database_of(catalogue_app).read() as read:
        area = await read.get(Area, "health")
        area.name_en = "changed by mistake"
        with pytest.raises(ReadOnlyWrite):
            await read.commit()


async def test_requests_survive_the_database_dropping_every_connection(catalogue_app, catalogue_engine):
    from sqlalchemy import text

    from tests.conftest import asgi_client

    async with asgi_client(catalogue_app, "http://catalogue") as http:
        assert (await http.get("/v1/areas")).status_code == 200  # the app's pool holds a connection now
        async with catalogue_engine.connect() as admin:
            dropped = await admin.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        assert dropped >= 1
        answers = [await http.get("/v1/areas") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]


@pytest.mark.parametrize("seen_closed", [True, False], ids=["seen-closed", "silent-drop-pinged"])
async def test_pooled_connections_the_server_dropped_are_replaced_before_use(
    catalogue_engine, monkeypatch, seen_closed
):
    """The pool is not pinged on every checkout, yet a dropped connection never reaches a query: one the client saw
    closed is replaced at once; one that dropped silently (a failover) is found out by the ping after idling."""
    import asyncpg
    from sqlalchemy import text

    from shared import db
    from shared.db import create_engine

    if not seen_closed:
        monkeypatch.setattr(asyncpg.Connection, "is_closed", lambda _self: False)
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    engine = create_engine(catalogue_engine.url.render_as_string(hide_password=False), pool_size=3)
    try:
        held = [await engine.connect() for _ in range(3)]
        pids = {await c.scalar(text("SELECT pg_backend_pid()")) for c in held}
        for connection in held:
            await connection.close()  # back to the pool, alive as far as it knows
        async with catalogue_engine.connect() as admin:
            for pid in pids:
                await admin.execute(text("SELECT pg_terminate_backend(:pid, 1000)"), {"pid": pid})
        seen = set()
        for _ in range(6):
            async with engine.connect() as connection:
                seen.add(await connection.scalar(text("SELECT pg_backend_pid()")))
        assert seen and not seen & pids
    finally:
        await engine.dispose()


async def test_a_lent_driver_goes_back_to_the_pool_only_as_it_came(catalogue_engine):
    """`Database.statement` lends a pooled connection's driver with no SQLAlchemy connection around it: given back
    clean it is pooled again; given back inside a transaction (a block cancelled mid-way) or closed, it is discarded,
    and the next statement gets a fresh connection, never one in an unfinished transaction."""
    from shared.db import Database

    database = Database.connect(catalogue_engine.url.render_as_string(hide_password=False), pool_size=1)
    try:
        async with database.statement() as driver:
            first = await driver.fetchval("SELECT pg_backend_pid()")
        async with database.statement() as driver:
            assert await driver.fetchval("SELECT pg_backend_pid()") == first  # pooled again
            transaction = driver.transaction()
            await transaction.start()  # and never finished
            await driver.execute("CREATE TEMPORARY TABLE left_behind (n int)")
        async with database.statement() as driver:
            assert not driver.is_in_transaction()
            assert await driver.fetchval("SELECT pg_backend_pid()") != first  # discarded
            assert await driver.fetchval("SELECT to_regclass('pg_temp.left_behind') IS NULL")
            second = await driver.fetchval("SELECT pg_backend_pid()")
            await driver.close()  # as a dropped connection would be
        async with database.statement() as driver:
            assert await driver.fetchval("SELECT pg_backend_pid()") != second
    finally:
        await database.engine.dispose()


async def test_a_unit_of_work_counts_once_however_many_flushes_and_a_stale_writer_loses(catalogue_engine):
    """Versioned rows: one version more per transaction, with updated_at from the session's clock; the UPDATE still
    checks the version it read, so a writer that read it before a commit fails (answered 412)."""
    from datetime import UTC, datetime

    from sqlalchemy import delete
    from sqlalchemy.orm.exc import StaleDataError

    from services.catalogue.models.taxonomy import ServiceType
    from shared.db import create_sessionmaker

    moment = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    sessions = create_sessionmaker(catalogue_engine, now=lambda: moment)
    async with sessions() as setup, setup.begin():
        made = ServiceType(code="kit-versions", area_code="health", name_pl="próba", name_en="trial", unit="hour")
        setup.add(made)
    try:
        async with sessions() as first, sessions() as late:
            mine, theirs = await first.get(ServiceType, made.id), await late.get(ServiceType, made.id)
            mine.name_en = "first flush"
            await first.flush()
            mine.name_pl = "drugi zapis"
            await first.flush()
            await first.commit()
            assert (mine.version, mine.updated_at) == (2, moment)
            theirs.name_en = "a stale change"
            with pytest.raises(StaleDataError):
                await late.commit()
        async with sessions() as check:
            stored = await check.get(ServiceType, made.id)
            assert (stored.version, stored.name_en, stored.updated_at) == (2, "first flush", moment)
    finally:
        async with sessions() as cleanup, cleanup.begin():
            await cleanup.execute(delete(ServiceType).where(ServiceType.id == made.id))
