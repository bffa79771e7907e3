"""The supervisor's page in a real headless Chromium over the in-process desk:
the measures of a prepared period drawn as charts (SVG of the desk's own),
the worst conversation with its transcript, and the knowledge-gap clusters.
With DESK_SCREENSHOT=1 it saves docs/images/supervisor.png for the README."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import expect

from tests.browser import async_chromium
from tests.desk.conftest import CHIEF, SERVICE_TOKEN, DeskClient
from tests.desk.test_desk_metrics import prepare

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "supervisor.png"
GAPS = [
    "Как купить подарочный сертификат?",
    "подарочный сертификат как оформить",
    "можно подарить сертификат другу?",
    "привезёте на дачу в область?",
    "доставляете в деревню за мкад",
]


async def test_the_supervisor_page_draws_the_period(desk: DeskClient, desk_database: str) -> None:
    await prepare(desk, desk_database)
    nearest = [{"id": "delivery", "title": "Способы, сроки и стоимость доставки", "score": 0.4}]
    for number, query in enumerate(GAPS):
        body = {"sender_id": f"tg:{number}", "query": query, "kind": "no_answer", "nearest": nearest}
        await desk.ok("POST", "/api/internal/knowledge-gaps", SERVICE_TOKEN, body)
    token = await desk.login(*CHIEF)
    base = str(desk.http.make_url("/"))

    async with async_chromium() as browser:
        page = await browser.new_page(viewport={"width": 1360, "height": 1500})
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        await page.goto(base)
        await page.evaluate("token => localStorage.setItem('desk.token', token)", token)
        await page.goto(base + "supervisor?from=2026-11-02&to=2026-11-03")
        await expect(page.get_by_test_id("kpis")).to_contain_text("28.6 %")  # 2 of 7 contained
        await expect(page.get_by_test_id("chart-days").locator("svg")).to_be_visible()
        drawn = await page.evaluate(
            """() => Object.fromEntries(["chart-days", "chart-csat", "chart-reasons"].map((id) => [id,
                [...document.querySelectorAll(`#${id} svg rect`)].filter((r) => +r.getAttribute("height") > 0
                  && +r.getAttribute("width") > 1).length]))"""
        )
        # days: bot / person / other on each of two days, and the three legend keys;
        # ratings 2, 4, 5; two reasons
        assert drawn == {"chart-days": 9, "chart-csat": 3, "chart-reasons": 2}, drawn
        await expect(page.get_by_test_id("worst")).to_contain_text("долго")
        await expect(page.get_by_test_id("agents-now")).to_contain_text("0 из 3")  # the agent's load
        await expect(page.get_by_test_id("gaps")).to_contain_text("подарочный сертификат")
        assert await page.get_by_test_id("gap-cluster").count() == 4  # and two from prepare()
        # Everything the page needs comes from the desk itself.
        assert requested and all(url.startswith(base) for url in requested), requested
        if os.environ.get("DESK_SCREENSHOT"):
            await page.screenshot(path=str(SCREENSHOT), full_page=True)
