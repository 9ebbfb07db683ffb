"""Catalogue API under test: the real app, its real session dependency, on a connection rolled back per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.catalogue.main import create_app
from shared.auth import Role
from tests.conftest import ADMIN as ADMIN  # the tests of this service import it from here
from tests.conftest import asgi_client, auth, rolled_back


@pytest.fixture(scope="session")
async def catalogue_app(catalogue_db_url: str) -> AsyncIterator[FastAPI]:
    app = create_app(database_url=catalogue_db_url, consume_events=False)  # tests drive the consumer themselves
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def db(catalogue_app: FastAPI, catalogue_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with rolled_back(catalogue_app, catalogue_engine) as session:
        yield session


@pytest.fixture
async def client(catalogue_app: FastAPI, db: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(catalogue_app, "http://catalogue") as http:
        yield http


REGIONAL_26 = auth(Role.REGIONAL, subject="rops-kielce", voivodeship="26")
REGIONAL_14 = auth(Role.REGIONAL, subject="rops-warszawa", voivodeship="14")


def new_provider_user() -> dict[str, str]:
    """A provider account that has registered nothing yet (one account registers one provider)."""
    return auth(Role.PROVIDER, subject=f"new-user-{uuid.uuid4()}")


NEW_PROVIDER_USER = new_provider_user()  # one such account, where a test needs the same one twice
MUNICIPALITY = auth(Role.MUNICIPALITY, subject="cus-starachowice", terc="2611011")


def provider_user(provider_id: uuid.UUID | str) -> dict[str, str]:
    return auth(Role.PROVIDER, subject=f"user-of-{provider_id}", provider_id=str(provider_id))
