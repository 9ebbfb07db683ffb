"""The public pages in a real browser (Playwright driving Debian's Chromium) against the running stack: a resident
finds a service by typing a gmina, follows the provider's link, reads the calls; every page passes axe-core's
WCAG 2.1 AA rules, runs no inline code (the browser reports no CSP violation), works at a phone's width, and is
saved as a screenshot under screenshots/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Stack

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / ".browser" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = REPO / "screenshots"

playwright_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed (make install)")
if not CHROMIUM.exists() or not AXE.exists():
    pytest.skip(
        f"no browser for the pages' tests: {CHROMIUM} and {AXE.relative_to(REPO)} come from `make browser`"
        " (Debian's chromium needs root and the Debian registry; axe-core needs npm)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
async def browser() -> Any:
    async with playwright_api.async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        await launched.close()


async def accessible(browser: Any, url: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page (axe is injected, so this context lets it past the CSP)."""
    context = await browser.new_context(bypass_csp=True, locale="pl-PL")
    try:
        tab = await context.new_page()
        await tab.goto(url)
        await tab.add_script_tag(path=str(AXE))
        result = await tab.evaluate(
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        return [f"{v['id']}: {v['help']} ({len(v['nodes'])}×)" for v in result["violations"]]
    finally:
        await context.close()


async def test_a_resident_finds_a_service_and_its_provider(stack: Stack, browser: Any, public: dict[str, Any]):
    SHOTS.mkdir(exist_ok=True)
    context = await browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})
    tab = await context.new_page()
    violations: list[str] = []
    tab.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    base = stack.gateway.url

    await tab.goto(f"{base}/")
    assert await tab.title() == "Katalog usług społecznych – usługi społeczne"
    await tab.screenshot(path=str(SHOTS / "katalog.png"), full_page=True)
    # typing a gmina fills its list from the public API (the page's own script), then the form is sent
    await tab.get_by_label("Gmina (nazwa lub kod TERC)").fill("Kielc")
    await tab.locator("#gminy option").first.wait_for(state="attached")
    suggestion = await tab.locator("#gminy option").first.get_attribute("value")
    assert suggestion is not None and suggestion.endswith("(2661011)")
    await tab.get_by_label("Gmina (nazwa lub kod TERC)").fill(suggestion)
    await tab.get_by_role("button", name="Szukaj").click()
    await tab.wait_for_url("**/uslugi?**")
    card = tab.locator(".card", has_text=public["offering"]["title"])
    await card.wait_for()
    assert "52,50" in await card.inner_text()
    await tab.screenshot(path=str(SHOTS / "uslugi.png"), full_page=True)

    await card.get_by_role("link", name=public["provider"]["name"]).click()
    await tab.wait_for_url(f"**/dostawcy/{public['provider']['id']}")
    assert await tab.locator("h1").inner_text() == public["provider"]["name"]
    assert await tab.get_by_text("zweryfikowany", exact=True).count() == 1
    await tab.screenshot(path=str(SHOTS / "dostawca.png"), full_page=True)

    await tab.get_by_role("link", name="Zamówienia").click()
    await tab.wait_for_url("**/zamowienia")
    row = tab.locator("tr", has_text=public["call"]["title"])
    assert "zostało" in await row.inner_text()
    await tab.screenshot(path=str(SHOTS / "zamowienia.png"), full_page=True)

    await row.get_by_role("link", name=public["call"]["title"]).click()
    await tab.wait_for_url(f"**/zamowienia/{public['call']['id']}")
    assert await tab.get_by_text("Oferty są zapieczętowane").count() == 1
    await tab.screenshot(path=str(SHOTS / "postepowanie.png"), full_page=True)

    # the map: a powiat's tile is a link; following it lists the powiat's providers
    await tab.get_by_role("link", name="Mapa PES").click()
    await tab.wait_for_url("**/mapa")
    await tab.locator('svg a[aria-label^="powiat starachowicki"]').click()
    await tab.wait_for_url("**/mapa?*powiat=2611*")
    assert await tab.get_by_role("link", name=public["provider"]["name"]).count() >= 1
    await tab.screenshot(path=str(SHOTS / "mapa.png"), full_page=True)

    await tab.get_by_role("link", name="Raporty").click()
    await tab.wait_for_url("**/raporty")
    assert await tab.locator("figure.chart svg").count() == 5
    await tab.screenshot(path=str(SHOTS / "raporty.png"), full_page=True)

    # keyboard: the first Tab reaches the skip link, which leads to the content
    await tab.keyboard.press("Tab")
    assert await tab.evaluate("document.activeElement.textContent") == "Przejdź do treści"
    # and the map's tiles are reached and followed with the keyboard alone
    await tab.goto(f"{base}/mapa?woj=26")
    for _ in range(40):
        await tab.keyboard.press("Tab")
        label = await tab.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if label.startswith("powiat"):
            break
    assert label.startswith("powiat buski"), label  # the first tile in TERC order (2601)
    await tab.keyboard.press("Enter")
    await tab.wait_for_url("**/mapa?*powiat=2601*")
    await context.close()
    assert violations == [], violations

    pages = ("/", "/uslugi?gmina=2661011&tylko_pes=1", f"/dostawcy/{public['provider']['id']}", "/zamowienia")
    pages += (f"/zamowienia/{public['call']['id']}", "/mapa?woj=26&powiat=2611", "/raporty?woj=26")
    for path in pages:
        assert await accessible(browser, f"{base}{path}") == [], path


async def test_pages_fit_a_phone(stack: Stack, browser: Any, public: dict[str, Any]):
    context = await browser.new_context(locale="pl-PL", viewport={"width": 375, "height": 740}, is_mobile=True)
    tab = await context.new_page()
    phone = (
        ("uslugi-telefon", "/uslugi?gmina=2661011&tylko_pes=1"),
        ("zamowienia-telefon", "/zamowienia"),
        ("mapa-telefon", "/mapa?woj=26&powiat=2611"),
        ("raporty-telefon", "/raporty?woj=26"),
    )
    for name, path in phone:
        await tab.goto(f"{stack.gateway.url}{path}")
        overflow = await tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is wider than the phone by {overflow}px"
        await tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    await context.close()
