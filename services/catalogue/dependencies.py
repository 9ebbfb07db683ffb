"""What a catalogue app holds, typed."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from services.catalogue.settings import CatalogueSettings


def settings_of(app: FastAPI) -> CatalogueSettings:
    settings: CatalogueSettings = app.state.settings
    return settings


async def get_app_settings(request: Request) -> CatalogueSettings:
    return settings_of(request.app)


SettingsDep = Annotated[CatalogueSettings, Depends(get_app_settings)]
