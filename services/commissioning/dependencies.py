"""What a commissioning app holds, typed, and the dependencies that hand it to the routes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from services.commissioning.catalogue_client import CatalogueClient
from services.commissioning.clock import Clock
from services.commissioning.settings import CommissioningSettings
from services.commissioning.standing.service import HeldStandings, Standings
from shared import routes
from shared.concurrency import IfMatchHeader


@dataclass
class CommissioningState:
    """Made by create_app; the catalogue client is opened at start-up and closed at shutdown."""

    settings: CommissioningSettings
    clock: Clock
    catalogue: CatalogueClient | None = None
    held: HeldStandings = field(default_factory=HeldStandings)  # the standings this process read

    @property
    def standings(self) -> Standings:
        """Providers' standing, from the catalogue client of the moment, fresh within the settings' bound."""
        if self.catalogue is None:
            raise RuntimeError("The catalogue client is opened at start-up (lifespan).")
        return Standings(self.catalogue, self.standing_bound, self.held)

    @property
    def standing_bound(self) -> timedelta:
        return timedelta(seconds=self.settings.standing_fresh_seconds)


def state_of(app: FastAPI) -> CommissioningState:
    state: CommissioningState = app.state.commissioning
    return state


async def get_app_settings(request: Request) -> CommissioningSettings:
    return state_of(request.app).settings


async def get_catalogue(request: Request) -> CatalogueClient:
    catalogue = state_of(request.app).catalogue
    if catalogue is None:
        raise RuntimeError("The catalogue client is opened at start-up (lifespan).")
    return catalogue


async def get_standings(request: Request) -> Standings:
    return state_of(request.app).standings


async def get_clock(request: Request) -> Clock:
    return state_of(request.app).clock


SettingsDep = Annotated[CommissioningSettings, Depends(get_app_settings)]
CatalogueDep = Annotated[CatalogueClient, Depends(get_catalogue)]
ClockDep = Annotated[Clock, Depends(get_clock)]
StandingsDep = Annotated[Standings, Depends(get_standings)]


async def get_timed_write(write: routes.WriteDep, clock: ClockDep) -> routes.Write:
    """A write whose service function also takes the clock's time now (`now=`)."""
    return replace(write, named={"now": clock.now()})


TimedWriteDep = Annotated[routes.Write, Depends(get_timed_write)]


async def get_timed_change(write: TimedWriteDep, if_match: IfMatchHeader = None) -> routes.Change:
    return routes.Change(write, if_match)


TimedChangeDep = Annotated[routes.Change, Depends(get_timed_change)]
