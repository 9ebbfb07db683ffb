"""The shape of a municipality's public summary."""

from __future__ import annotations

from pydantic import Field

from services.commissioning.calls.schemas import CallOut
from services.commissioning.contracts.schemas import ContractOut
from services.commissioning.monitoring.schemas import IndicatorsOut
from services.commissioning.municipalities.schemas import MunicipalityOut
from services.commissioning.planning.schemas import ProgrammeOut
from shared.schemas import Schema


class OpenCalls(Schema):
    total: int = Field(description="Open calls of the municipality.")
    items: list[CallOut] = Field(description="The first 100 of them.")


class SummaryOut(Schema):
    municipality: MunicipalityOut
    programmes: list[ProgrammeOut]
    open_calls: OpenCalls
    active_contracts: list[ContractOut]
    indicators: IndicatorsOut = Field(description="This calendar year's indicators.")
