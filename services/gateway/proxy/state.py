"""What a gateway app holds, typed: its settings, the upstreams opened at start-up, the pages it keeps."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI

from services.gateway.proxy.routes import RouteTable
from services.gateway.proxy.upstreams import Upstream
from services.gateway.settings import GatewaySettings


@dataclass
class GatewayState:
    settings: GatewaySettings
    upstreams: dict[str, Upstream] = field(default_factory=dict)
    routes: RouteTable | None = None  # learnt from the upstreams' OpenAPI documents at start-up
    # the public pages rendered lately: address -> (when, status, body); see pages.router
    rendered_pages: dict[str, tuple[float, int, bytes]] = field(default_factory=dict)


def state_of(app: FastAPI) -> GatewayState:
    state: GatewayState = app.state.gateway
    return state
