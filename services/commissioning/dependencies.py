"""Commissioning dependencies: the catalogue client and the clock live on the app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.commissioning.catalogue_client import CatalogueClient
from services.commissioning.clock import Clock


async def get_catalogue(request: Request) -> CatalogueClient:
    client: CatalogueClient = request.app.state.catalogue
    return client


async def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


CatalogueDep = Annotated[CatalogueClient, Depends(get_catalogue)]
ClockDep = Annotated[Clock, Depends(get_clock)]
