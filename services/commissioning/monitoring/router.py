"""Monitoring: what a municipality or a voivodeship commissioned, how much went to the social economy."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.commissioning.clock import WARSAW
from services.commissioning.dependencies import ClockDep
from services.commissioning.monitoring import repository
from services.commissioning.monitoring.exports import indicator_sheets
from services.commissioning.monitoring.schemas import IndicatorsOut
from shared.db import ReadSessionDep
from shared.errors import ValidationProblem, problem_responses
from shared.exports import ExportFormat, ExportFormatQuery, export, export_responses, wanted
from shared.i18n import polish_of
from shared.identifiers import GminaTercStr, IdentifierError, TercLevel, parse_terc

router = APIRouter(prefix="/v1/monitoring", tags=["monitoring"])


@router.get(
    "",
    summary="Indicators over a period: value by mode, share to PES, services by area, people served, calls "
    "without offers (public); as a spreadsheet with format=csv|xlsx",
    response_model=IndicatorsOut,
    responses={**export_responses(), **problem_responses(422)},
    description=(
        "What a municipality or a voivodeship commissioned in a period (default: this year): value by mode, "
        "the share to social-economy entities, services by area, people served, calls closed and without "
        "offers (counted only once their deadline passed), paid and outstanding. `format=csv|xlsx` for three "
        "sheets."
    ),
)
async def indicators(
    request: Request,
    session: ReadSessionDep,
    clock: ClockDep,
    from_: Annotated[
        date | None, Query(alias="from", description="First day of the period (default: 1 January).")
    ] = None,
    to: Annotated[date | None, Query(description="Last day of the period, inclusive (default: 31 December).")] = None,
    municipality: Annotated[GminaTercStr | None, Query(description="A gmina's TERC code.")] = None,
    voivodeship: Annotated[str | None, Query(max_length=2, description="A voivodeship's two-digit code.")] = None,
    format_: ExportFormatQuery = None,
) -> IndicatorsOut | Response:  # a spreadsheet is a Response
    if (municipality is None) == (voivodeship is None):
        raise ValidationProblem.field(
            "municipality",
            "give a municipality or a voivodeship (one of them)",
            pl="podaj gminę albo województwo (jedno z nich)",
            location="query",
        )
    if voivodeship is not None:
        try:
            parse_terc(voivodeship, levels=(TercLevel.VOIVODESHIP,))
        except IdentifierError as exc:
            raise ValidationProblem.field("voivodeship", str(exc), pl=polish_of(exc), location="query") from exc
    year = clock.now().astimezone(WARSAW).year  # the current year, by the municipality's calendar
    from_ = from_ or date(year, 1, 1)
    to = to or date(year, 12, 31)
    if to < from_:
        raise ValidationProblem.field("to", "is before from", pl="przypada przed from", location="query")
    figures = await repository.indicators(
        session, municipality=municipality, voivodeship=voivodeship, start=from_, end=to, now=clock.now()
    )
    out = IndicatorsOut.model_validate(figures)
    if (wanted_format := wanted(request, format_)) is not ExportFormat.JSON:
        scope = municipality or voivodeship
        return await export(
            indicator_sheets(out), wanted_format, f"monitoring-{scope}-{out.period.from_}-{out.period.to}"
        )
    return out
