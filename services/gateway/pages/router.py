"""The public pages' routes: each reads the public API's parts (no token is ever passed on), renders a template,
and answers with a strict Content-Security-Policy. A part that cannot be had is said on the page, not a 500."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.gateway.pages import charts, present
from services.gateway.proxy.state import state_of
from services.gateway.views.parts import Part, gather

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes .html
templates.env.filters.update(money=present.money, moment=present.moment, day=present.day, number=present.number)
templates.env.globals.update(
    units=present.UNITS,
    call_status=present.CALL_STATUS,
    modes=present.MODES,
    contract_status=present.CONTRACT_STATUS,
    provider_status=present.PROVIDER_STATUS,
)

# no inline script or style anywhere: the pages' own files only
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
        " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PER_PAGE = 20
TERC = re.compile(r"(?<!\d)(\d{7})(?!\d)")

router = APIRouter(include_in_schema=False)
KEPT_PAGES = 512  # addresses kept at most (then all are let go of: the next requests render again)


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    body = templates.get_template(template).render(request=request, **context).encode()
    if status == 200 and _keep(request):
        kept = state_of(request.app).rendered_pages
        if len(kept) >= KEPT_PAGES:
            kept.clear()
        kept[str(request.url)] = (time.monotonic(), status, body)
    return _html(body, status, _keep(request))


def _keep(request: Request) -> float:
    """How long a page is kept (settings; countdowns move by the minute, so seconds)."""
    return state_of(request.app).settings.pages_cache_seconds


def _html(body: bytes, status: int, keep: float) -> Response:
    headers = {**SECURITY_HEADERS, "Cache-Control": f"public, max-age={int(keep)}" if keep else "no-cache"}
    return HTMLResponse(body, status_code=status, headers=headers)


def _cached(request: Request) -> Response | None:
    hit = state_of(request.app).rendered_pages.get(str(request.url))
    keep = _keep(request)
    if hit and time.monotonic() - hit[0] < keep:
        return _html(hit[2], hit[1], keep)
    return None


async def _areas(request: Request, asked: str) -> tuple[list[dict[str, Any]], str]:
    """The statutory areas, and the one asked for if it is one of them ("" otherwise: an unknown code is ignored,
    not sent on to be refused)."""
    data, _ = await gather(request, [Part("areas", "catalogue", "/v1/areas")])
    areas = data.get("areas") or []
    return areas, asked if asked in {a["code"] for a in areas} else ""


def _number(value: str | None, default: int = 1, high: int = 1000) -> int:
    return min(max(int(value), 1), high) if value and value.isdigit() and len(value) < 6 else default


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
@router.api_route("/uslugi", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def catalogue(request: Request) -> Response:
    """Find a social service near you: by gmina, statutory area and service type, PES only by default."""
    if cached := _cached(request):
        return cached
    asked = request.query_params
    gmina_text = (asked.get("gmina") or "").strip()[:100]
    areas, area = await _areas(request, (asked.get("obszar") or "").strip()[:64])
    service_type = (asked.get("rodzaj") or "").strip()
    service_type = service_type if _is_uuid(service_type) else ""
    pes_only = asked.get("tylko_pes", "1" if not asked else "") == "1"
    page = _number(asked.get("strona"))

    types_query = urlencode({"per_page": 100, **({"area": area} if area else {})})
    lookups = [Part("service_types", "catalogue", "/v1/service-types", types_query)]
    match = TERC.search(gmina_text)
    if gmina_text and not match:
        lookups.append(Part("places", "catalogue", "/v1/places", urlencode({"q": gmina_text, "level": "gmina"})))
    data, missing = await gather(request, lookups)

    candidates = (data.get("places") or {}).get("items", [])
    terc = match.group(1) if match else (candidates[0]["code"] if candidates else None)
    results: dict[str, Any] | None = None
    searched = bool(asked)
    if searched and not (gmina_text and terc is None):
        query = {"per_page": PER_PAGE, "page": page, "sort": "price"}
        query.update({k: v for k, v in (("place", terc), ("area", area), ("service_type", service_type)) if v})
        if pes_only:
            query["pes_only"] = "true"
        found, more_missing = await gather(request, [Part("offerings", "catalogue", "/v1/offerings", urlencode(query))])
        missing += more_missing
        results = found.get("offerings")
    names = await _place_names(request, results["items"] if results else [])
    if terc and terc not in names:
        names.update(await _place_names(request, [{"delivery_areas": [terc]}]))
    if match and terc not in names:  # a code that names no gmina of the register
        terc, results = None, None
    return _page(
        request,
        "katalog.html",
        title="Katalog usług społecznych",
        areas=areas,
        service_types=(data.get("service_types") or {}).get("items", []),
        chosen={"gmina": gmina_text, "area": area, "service_type": service_type, "pes_only": pes_only},
        terc=terc,
        gmina_unknown=bool(gmina_text) and terc is None,
        candidates=candidates[1:6],
        results=results,
        names=names,
        missing=missing,
        pages=_pagination(request, results, page),
    )


async def _place_names(request: Request, offerings: list[dict[str, Any]]) -> dict[str, str]:
    """Names of the units (gminas, powiats, voivodeships) where these offerings are delivered: one list of a
    parent's units per parent."""
    codes = {code for o in offerings for code in o.get("delivery_areas", [])}
    parents = {(code[:4], "gmina") if len(code) == 7 else (code[:2], "powiat") for code in codes if len(code) in (4, 7)}
    parts = [
        Part(
            f"{level}-{parent}",
            "catalogue",
            "/v1/places",
            urlencode({"parent": parent, "level": level, "per_page": 100}),
        )
        for parent, level in sorted(parents)[:12]
    ]
    if any(len(code) == 2 for code in codes):
        parts.append(Part("voivodeships", "catalogue", "/v1/places", "level=voivodeship&per_page=100"))
    data, _ = await gather(request, parts)
    prefix = {"powiat": "powiat ", "voivodeships": "województwo "}
    return {
        place["code"]: prefix.get(name.split("-")[0], "") + place["name"]
        for name, page in data.items()
        for place in page.get("items", [])
    }


def _pagination(request: Request, results: dict[str, Any] | None, page: int) -> dict[str, str]:
    if not results:
        return {}
    links = {}
    others = {k: v for k, v in request.query_params.items() if k != "strona"}
    if page > 1:
        links["previous"] = f"{request.url.path}?{urlencode({**others, 'strona': page - 1})}"
    if page < results.get("pages", 1):
        links["next"] = f"{request.url.path}?{urlencode({**others, 'strona': page + 1})}"
    return links


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@router.api_route("/dostawcy/{provider_id}", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def provider(request: Request, provider_id: str) -> Response:
    """A provider's public page: verified status, legal form, offerings and its track record."""
    if not _is_uuid(provider_id):
        return _not_found(request, "Nie ma takiego podmiotu: adres strony jest niepoprawny.")
    if cached := _cached(request):
        return cached
    data, missing = await gather(
        request,
        [
            Part("provider", "catalogue", f"/v1/providers/{provider_id}"),
            Part("offerings", "catalogue", f"/v1/providers/{provider_id}/offerings", "per_page=100"),
            Part("track_record", "commissioning", f"/v1/track-records/{provider_id}"),
        ],
    )
    if "provider" not in data:
        if any("answered 404" in m["reason"] for m in missing):
            return _not_found(request, "Ten podmiot nie istnieje albo nie jest publiczny (czeka na weryfikację).")
        return _page(request, "niedostepne.html", status=503, title="Strona chwilowo niedostępna", missing=missing)
    offerings = (data.get("offerings") or {}).get("items", [])
    return _page(
        request,
        "dostawca.html",
        title=data["provider"]["name"],
        provider=data["provider"],
        offerings=offerings,
        track=data.get("track_record"),
        names=await _place_names(request, offerings),
        missing=missing,
    )


@router.api_route("/zamowienia", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def calls(request: Request) -> Response:
    """Open calls with the time left by the server's clock, results, and contracts, each linked to its OCDS record."""
    if cached := _cached(request):
        return cached
    data, missing = await gather(
        request,
        [
            Part("open", "commissioning", "/v1/calls", "status=open&sort=deadline&per_page=50"),
            Part("awarded", "commissioning", "/v1/calls", "status=awarded&sort=-deadline&per_page=20"),
            Part("contracts", "commissioning", "/v1/contracts", "sort=-signed_on&per_page=20"),
            Part("clock", "commissioning", "/v1/clock"),
        ],
    )
    # counted by the clock the deadlines are kept by (commissioning's), this gateway's only if it cannot be read
    clock = data.get("clock") or {}
    now = datetime.fromisoformat(clock["now"]) if "now" in clock else datetime.now(UTC)
    open_calls = [
        {**call, "time_left": present.time_left(call["deadline"], now)}
        for call in (data.get("open") or {}).get("items", [])
    ]
    return _page(
        request,
        "zamowienia.html",
        title="Zamówienia i konkursy",
        open_calls=open_calls,
        awarded=(data.get("awarded") or {}).get("items", []),
        contracts=(data.get("contracts") or {}).get("items", []),
        now=now.isoformat(),
        missing=missing,
    )


@router.api_route("/zamowienia/{call_id}", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def call_page(request: Request, call_id: str) -> Response:
    """One call: what is commissioned, by when (by commissioning's clock), and once decided its results and ranking."""
    if not _is_uuid(call_id):
        return _not_found(request, "Nie ma takiego postępowania: adres strony jest niepoprawny.")
    if cached := _cached(request):
        return cached
    data, missing = await gather(
        request,
        [
            Part("call", "commissioning", f"/v1/calls/{call_id}"),
            Part("results", "commissioning", f"/v1/calls/{call_id}/results", "per_page=100"),
            Part("clock", "commissioning", "/v1/clock"),
        ],
    )
    call = data.get("call")
    if call is None:
        if any("answered 404" in m["reason"] for m in missing):
            return _not_found(request, "To postępowanie nie istnieje albo nie zostało ogłoszone.")
        return _page(request, "niedostepne.html", status=503, title="Strona chwilowo niedostępna", missing=missing)
    clock = data.get("clock") or {}
    now = datetime.fromisoformat(clock["now"]) if "now" in clock else datetime.now(UTC)
    lots = {lot["id"]: lot for lot in call["lots"]}
    return _page(
        request,
        "postepowanie.html",
        title=call["title"],
        call=call,
        time_left=present.time_left(call["deadline"], now),
        criteria=call["criteria"],
        decisions=[{**d, "lot": lots.get(d["lot_id"], {})} for d in (data.get("results") or {}).get("items", [])],
        names=await _place_names(request, [{"delivery_areas": [call["municipality_terc"]]}]),
        missing=[m for m in missing if m["part"] != "results" or "answered 404" not in m["reason"]],
    )


MAP_PAGES = 10  # providers read for a map: at most this many pages of 100


@router.api_route("/mapa", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def pes_map(request: Request) -> Response:
    """The providers of a voivodeship by powiat (a TERC-ordered cartogram) and, for a chosen powiat, by gmina."""
    if cached := _cached(request):
        return cached
    asked = request.query_params
    register, _ = await gather(
        request, [Part("voivodeships", "catalogue", "/v1/places", "level=voivodeship&per_page=100")]
    )
    voivodeships = (register.get("voivodeships") or {}).get("items", [])
    voivodeship = (asked.get("woj") or "26").strip()[:2]
    voivodeship = voivodeship if voivodeship in {v["code"] for v in voivodeships} else "26"
    powiat = (asked.get("powiat") or "").strip()
    powiat = powiat if powiat.isdigit() and len(powiat) == 4 and powiat.startswith(voivodeship) else ""
    legal_form = (asked.get("forma") or "").strip()
    legal_form = legal_form if legal_form in present.LEGAL_FORMS else ""
    areas, area = await _areas(request, (asked.get("obszar") or "").strip()[:64])
    pes_only = asked.get("tylko_pes", "1" if not asked or set(asked) <= {"woj", "powiat"} else "") == "1"
    filters = {"place": voivodeship, "per_page": 100, "sort": "name"}
    filters.update({k: v for k, v in (("legal_form", legal_form), ("area", area)) if v})
    if pes_only:
        filters["pes_only"] = "true"
    lookups = [
        Part("voivodeships", "catalogue", "/v1/places", "level=voivodeship&per_page=100"),
        Part(
            "powiats", "catalogue", "/v1/places", urlencode({"parent": voivodeship, "level": "powiat", "per_page": 100})
        ),
        Part("page1", "catalogue", "/v1/providers", urlencode(filters)),
    ]
    if powiat:
        lookups.append(
            Part("gminas", "catalogue", "/v1/places", urlencode({"parent": powiat, "level": "gmina", "per_page": 100}))
        )
    data, missing = await gather(request, lookups)
    first = data.get("page1") or {"items": [], "pages": 0}
    more = [
        Part(f"page{n}", "catalogue", "/v1/providers", urlencode({**filters, "page": n}))
        for n in range(2, min(first.get("pages", 1), MAP_PAGES) + 1)
    ]
    rest, more_missing = await gather(request, more)
    missing += more_missing
    providers = first["items"] + [p for page in rest.values() for p in page["items"]]
    seated = [p for p in providers if p["address"]["terc"].startswith(voivodeship)]
    by_powiat: dict[str, int] = {}
    for p in seated:
        by_powiat[p["address"]["terc"][:4]] = by_powiat.get(p["address"]["terc"][:4], 0) + 1
    powiats = [(u["code"], u["name"]) for u in (data.get("powiats") or {}).get("items", [])]
    chosen = [p for p in seated if powiat and p["address"]["terc"].startswith(powiat)]
    by_gmina: dict[str, int] = {}
    for p in chosen:
        by_gmina[p["address"]["terc"]] = by_gmina.get(p["address"]["terc"], 0) + 1
    names = {v["code"]: v["name"].lower() for v in voivodeships}
    others = {k: v for k, v in asked.items() if k not in ("powiat",)}
    return _page(
        request,
        "mapa.html",
        title=f"Mapa PES: województwo {names.get(voivodeship, voivodeship)}",
        voivodeships=voivodeships,
        areas=areas,
        legal_forms=present.LEGAL_FORMS,
        chosen={"woj": voivodeship, "powiat": powiat, "forma": legal_form, "obszar": area, "pes_only": pes_only},
        map=charts.cartogram(powiats, by_powiat),
        link=lambda code: f"/mapa?{urlencode({**others, 'woj': voivodeship, 'powiat': code})}",
        total=len(seated),
        elsewhere=len(providers) - len(seated),
        truncated=first.get("pages", 1) > MAP_PAGES,
        powiat_name=dict(powiats).get(powiat, powiat),
        gminas=[
            (g["code"], g["name"], by_gmina.get(g["code"], 0)) for g in (data.get("gminas") or {}).get("items", [])
        ],
        in_powiat=chosen,
        missing=missing,
    )


REPORT_YEARS = 5  # the share to PES, year by year


async def _scope(request: Request, gmina_text: str, voivodeship: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The report's scope from the form: a gmina (name or TERC) or a voivodeship; and the lookups made for it."""
    lookups = [
        Part("voivodeships", "catalogue", "/v1/places", "level=voivodeship&per_page=100"),
        Part("clock", "commissioning", "/v1/clock"),
    ]
    match = TERC.search(gmina_text)
    if gmina_text:
        query = {"q": match.group(1) if match else gmina_text, "level": "gmina"}
        lookups.append(Part("places", "catalogue", "/v1/places", urlencode(query)))
    data, _ = await gather(request, lookups)
    found = (data.get("places") or {}).get("items", [])
    if match:
        found = [p for p in found if p["code"] == match.group(1)] or [{"code": match.group(1), "name": match.group(1)}]
    if gmina_text and found:
        return {"municipality": found[0]["code"], "name": f"gmina {found[0]['name']}"}, data
    names = {v["code"]: v["name"] for v in (data.get("voivodeships") or {}).get("items", [])}
    chosen = voivodeship if voivodeship in names else "26"
    return {"voivodeship": chosen, "name": f"województwo {names.get(chosen, chosen).lower()}"}, data


@router.api_route("/raporty", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def reports(request: Request) -> Response:
    """The monitoring figures of a gmina or a voivodeship as charts, each with its table and a CSV of the figures."""
    if cached := _cached(request):
        return cached
    asked = request.query_params
    gmina_text = (asked.get("gmina") or "").strip()[:100]
    scope, lookups = await _scope(request, gmina_text, (asked.get("woj") or "").strip()[:2])
    clock = lookups.get("clock") or {}
    this_year = int(clock["legal_date"][:4]) if "legal_date" in clock else datetime.now(UTC).year
    year = max(_number(asked.get("rok"), this_year, this_year + 1), 2000)
    where = {k: v for k, v in scope.items() if k != "name"}
    years = list(range(year - REPORT_YEARS + 1, year + 1))
    parts = [
        Part(f"y{y}", "commissioning", "/v1/monitoring", urlencode({**where, "from": f"{y}-01-01", "to": f"{y}-12-31"}))
        for y in years
    ]
    parts.append(Part("target_groups", "catalogue", "/v1/target-groups"))
    data, missing = await gather(request, parts)
    figures = data.get(f"y{year}")
    groups = {g["code"]: g["name_pl"] for g in data.get("target_groups") or []}
    period = {**where, "from": f"{year}-01-01", "to": f"{year}-12-31"}
    context: dict[str, Any] = {"figures": figures, "csv": f"/v1/monitoring?{urlencode({**period, 'format': 'csv'})}"}
    if figures:
        context["by_mode"] = charts.bars(
            [(present.MODES.get(m["mode"], m["mode"]), m["value_grosze"]) for m in figures["by_mode"]],
            charts.money,
        )
        yearly = [(str(y), data[f"y{y}"]["pes_share"]) for y in years if f"y{y}" in data]
        context["pes_share"] = charts.bars(yearly, charts.share)
        context["people"] = charts.bars(
            [(groups.get(code, code), n) for code, n in sorted(figures["people_served"].items())], charts.count
        )
        context["calls"] = charts.bars(
            [
                ("postępowania zamknięte", figures["calls_closed"]),
                ("bez żadnej oferty", figures["calls_without_offers"]),
            ],
            charts.count,
        )
        context["money"] = charts.bars(
            [
                ("zlecone", figures["value_commissioned_grosze"]),
                ("wypłacone", figures["paid_grosze"]),
                ("do wypłaty", figures["outstanding_grosze"]),
            ],
            charts.money,
        )
    return _page(
        request,
        "raporty.html",
        title=f"Raport: {scope['name']}, {year}",
        scope=scope,
        year=year,
        years=list(range(this_year - 6, this_year + 1)),
        voivodeships=(lookups.get("voivodeships") or {}).get("items", []),
        chosen={"gmina": gmina_text},
        missing=missing,
        **context,
    )


def _not_found(request: Request, message: str) -> Response:
    return _page(request, "brak.html", status=404, title="Nie znaleziono", message=message)
