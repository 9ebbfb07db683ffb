"""The public pages through the running gateway: what a resident finds, what is escaped, what is never shown
(a sealed offer, an unverified provider, anything a token would unlock), and the headers that keep them safe."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx

from tests.e2e.conftest import CITY, IN_KIELCE, KIELCE, Stack, gateway_before
from tests.e2e.factories import care_service_type, open_call
from tests.helpers import running


def page(gateway: httpx.Client, path: str, status: int = 200, **headers: str) -> str:
    response = gateway.get(path, headers=headers)
    assert response.status_code == status, (path, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert 'lang="pl"' in response.text and "<main" in response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), "an inline script"
    assert " style=" not in response.text, "an inline style"
    return response.text


ESCAPED_NAME = "Fundacja &#34;Razem&#34; &amp; &lt;Przyjaciele&gt; – Łódź"


def test_the_catalogue_finds_a_service_by_gmina_name_or_terc(gateway: httpx.Client, public: dict[str, Any]):
    home = page(gateway, "/")
    assert "Katalog usług społecznych" in home and 'name="gmina"' in home and "opiekuńcze" in home.lower()
    for gmina in ("Kielce", KIELCE, f"Kielce ({KIELCE})"):
        found = page(gateway, f"/uslugi?gmina={quote(gmina)}&tylko_pes=1")
        assert public["offering"]["title"] in found, gmina
        assert f'href="/dostawcy/{public["provider"]["id"]}"' in found
        assert ESCAPED_NAME in found and "<Przyjaciele>" not in found
        assert "52,50\u00a0zł / godz." in found and "640 z 640 na miesiąc" in found
        assert "Wyniki: Kielce" in found
    unknown = page(gateway, f"/uslugi?gmina={quote('Gmina, której nie ma')}")
    assert "Nie znaleziono gminy „Gmina, której nie ma”" in unknown
    assert "Nie znaleziono gminy „9999999”" in page(gateway, "/uslugi?gmina=9999999")  # no such TERC code
    hostile = page(gateway, f"/uslugi?gmina={quote('<script>alert(1)</script>')}&obszar=%22%3E%3Cb%3E&strona=x")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile and "<script>alert" not in hostile
    by_area = page(gateway, f"/uslugi?gmina={KIELCE}&obszar=nie-ma-takiego")  # an unknown area is ignored
    assert public["offering"]["title"] in by_area and "Część danych jest chwilowo niedostępna" not in by_area


def test_a_providers_page_shows_its_standing_offerings_and_record(gateway: httpx.Client, public: dict[str, Any]):
    text = page(gateway, f"/dostawcy/{public['provider']['id']}")
    assert f"<h1>{ESCAPED_NAME}</h1>" in text
    assert "zweryfikowany" in text and "spółdzielnia socjalna" in text.lower()
    assert public["offering"]["title"] in text and "Kielce" in text
    assert "Dorobek w zamówieniach" in text and "Wygrane postępowania: <strong>0</strong>" in text
    # unverified: not public, whoever asks (the page passes no token on, not even its member's)
    pending = public["pending"]["id"]
    assert "nie jest publiczny" in page(gateway, f"/dostawcy/{pending}", 404)
    member = public["pending_account"]
    assert gateway.get(f"/v1/providers/{pending}", headers=member).status_code == 200  # the API shows it to them
    page(gateway, f"/dostawcy/{pending}", 404, authorization=member["Authorization"])
    page(gateway, "/dostawcy/nie-uuid", 404)


def test_the_calls_page_counts_down_and_links_the_ocds_record(gateway: httpx.Client, public: dict[str, Any]):
    call = public["call"]
    text = page(gateway, "/zamowienia")
    row = text[text.index(call["title"]) :][:1500]
    assert "otwarty konkurs ofert" in row and "zostało 2" in row  # 25 days less the moments since it opened
    assert f'href="/ocds/records/{call["ocid"]}"' in row
    assert gateway.get(f"/ocds/records/{call['ocid']}").status_code == 200
    # sealed until the deadline: no offer's price or bidder, even for the bidder's own token
    for headers in ({}, {"authorization": public["own"]["Authorization"]}, {"authorization": CITY["Authorization"]}):
        seen = page(gateway, "/zamowienia", **headers)
        assert "287\u00a0654,00" not in seen and ESCAPED_NAME not in seen


def test_pages_files_and_unknown_addresses(gateway: httpx.Client):
    css = gateway.get("/strony/pages.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    script = gateway.get("/strony/pages.js")
    assert script.status_code == 200 and "/v1/places" in script.text
    assert gateway.get("/strony/../main.py").status_code == 404
    assert gateway.get("/nie-ma-takiej-strony").status_code == 404
    for path in ("/", "/uslugi", "/mapa", "/raporty", "/zamowienia"):  # link checkers ask with HEAD
        head = gateway.head(path)
        assert head.status_code == 200 and head.content == b"" and head.headers["content-type"].startswith("text/html")


def test_the_pes_map_counts_providers_by_powiat_and_lists_a_powiats(gateway: httpx.Client, public: dict[str, Any]):
    whole = page(gateway, "/mapa?woj=26")
    tile = re.search(r'aria-label="powiat starachowicki: (\d+)"', whole)
    assert tile and int(tile.group(1)) >= 1, "the provider's powiat (its seat: Starachowice) has a tile with it"
    assert "kartogram" in whole and "<svg" in whole
    powiat = page(gateway, "/mapa?woj=26&powiat=2611")
    assert f'href="/dostawcy/{public["provider"]["id"]}"' in powiat and ESCAPED_NAME in powiat
    assert "Starachowice (2611011)" in powiat
    assert public["pending"]["name"] not in powiat  # not verified: not public
    other_form = page(gateway, "/mapa?woj=26&powiat=2611&forma=association&tylko_pes=1")
    assert public["provider"]["id"] not in other_form
    odd = page(gateway, f"/mapa?woj={quote('<x>')}&powiat=99&forma={quote('<b>')}&obszar={quote('&')}")
    assert "świętokrzyskie" in odd and "<x>" not in odd and "<b>" not in odd
    assert "Część danych jest chwilowo niedostępna" not in odd
    assert "Mapa PES: województwo świętokrzyskie" in page(gateway, "/mapa?woj=99")  # no such voivodeship


def test_reports_draw_each_figure_with_its_table_and_csv(gateway: httpx.Client, public: dict[str, Any]):
    text = page(gateway, "/raporty?woj=26")
    assert text.count("<svg") == 5 and text.count("<table>") == 5
    for caption in ("Wartość zleceń według trybu", "Udział PES w wartości zleceń", "Osoby objęte usługami"):
        assert caption in text
    csv = re.search(r'href="(/v1/monitoring\?[^"]*format=csv)"', text)
    assert csv and "voivodeship=26" in csv.group(1)
    sheet = gateway.get(csv.group(1).replace("&amp;", "&"))
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    city = page(gateway, f"/raporty?gmina={quote('Kielce')}&rok=2026")
    assert "Raport: gmina Kielce, 2026" in city and "municipality=2661011" in city
    assert "287\u00a0654,00" not in city  # the sealed offer counts for nothing before the deadline
    assert "Raport: województwo świętokrzyskie" in page(gateway, "/raporty?woj=zz&rok=abc")


def test_a_calls_page_keeps_its_offers_sealed(gateway: httpx.Client, public: dict[str, Any]):
    call = public["call"]
    for headers in ({}, {"authorization": public["own"]["Authorization"]}):
        text = page(gateway, f"/zamowienia/{call['id']}", **headers)
        assert call["title"] in text and "Oferty są zapieczętowane" in text and "zostało 2" in text
        assert "287\u00a0654,00" not in text and ESCAPED_NAME not in text
    assert f'href="/zamowienia/{call["id"]}"' in page(gateway, "/zamowienia")
    assert "nie istnieje" in page(gateway, f"/zamowienia/{uuid.uuid4()}", 404)
    page(gateway, "/zamowienia/nie-uuid", 404)


async def test_a_page_is_kept_for_its_seconds_then_rendered_again(stack: Stack, public: dict[str, Any]):
    """A gateway that keeps pages (the default) answers from what it rendered until the time is up: a call opened
    meanwhile shows on /zamowienia only after that."""
    async with running(gateway_before(stack, pages_cache_seconds=2)) as kept:
        first = await kept.get("/zamowienia")
        assert first.headers["cache-control"] == "public, max-age=2"
        with httpx.Client(base_url=stack.gateway.url, timeout=10) as gateway:
            title = f"Nabór otwarty po wyrenderowaniu strony {uuid.uuid4().hex[:6]}"
            open_call(gateway, care_service_type(gateway), title, stack.now() + timedelta(days=25), **IN_KIELCE)
        again = await kept.get("/zamowienia")
        assert again.content == first.content and title not in again.text  # kept
        await asyncio.sleep(2.1)
        assert title in (await kept.get("/zamowienia")).text  # rendered again, with the new call
