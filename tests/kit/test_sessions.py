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
