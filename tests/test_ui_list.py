"""Real headless Chromium: the 「取組一覧」 page filtered to 分野5 on desktop and phone, its CSV, its URL, axe."""

# The fixtures (browser, served, server) are imported from test_browser, so their names are redefined as test
# parameters on purpose:
# ruff: noqa: F811
from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from test_browser import (  # noqa: F401 - fixtures shared with the UI's browser tests
    DESKTOP,
    PHONE,
    SHOTS,
    browser,
    new_page,
    pytestmark,
    served,
    server,
)
from test_ui_widget import serious

DOCS = SHOTS.parents[1] / "docs"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_filtering_to_field_5_shows_30_rows_and_its_csv_and_url_agree(browser, server: str, viewport: str) -> None:
    pg = new_page(browser, DESKTOP if viewport == "desktop" else PHONE, is_mobile=viewport == "phone")
    pg.goto(server + "/list", wait_until="load")
    assert pg.locator(".count strong").inner_text() == "94件"
    pg.select_option("select[name=field]", "5")
    pg.locator("form.filters button[type=submit]").focus()  # by keyboard: the form is plain HTML
    pg.keyboard.press("Enter")
    pg.wait_for_url("**field=5**")
    assert pg.locator(".count strong").inner_text() == "30件" and pg.locator("table.rows tbody tr").count() == 30
    assert "分野 5 都市づくり" in pg.locator(".said").inner_text()  # the condition is said back
    assert parse_qs(urlsplit(pg.url).query)["field"] == ["5"]
    again = new_page(browser, DESKTOP)
    again.goto(pg.url, wait_until="load")  # the URL reproduces the view
    names = again.locator("table.rows tbody th").all_inner_texts()
    assert len(names) == 30 and names == pg.locator("table.rows tbody th").all_inner_texts()
    href = pg.locator("a.csv").get_attribute("href")
    table = list(csv.reader(io.StringIO(httpx.get(f"{server}/list/../{href}").content.decode("utf-8-sig"))))
    assert len(table) == 31 and [r[1] for r in table[1:]] == names  # the CSV holds exactly what is shown
    if viewport == "phone":  # the table stacks: no sideways scrolling, each cell says what it is
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert pg.locator("table.rows tbody tr").first.locator("td").first.evaluate(
            "e => getComputedStyle(e, '::before').content").startswith('"')
    pg.screenshot(path=str(DOCS / f"list-{viewport}.png"), full_page=False)
    assert serious(pg) == []
    pg.context.close()
    again.context.close()


def test_sorting_the_row_link_and_english(browser, server: str) -> None:
    pg = new_page(browser, DESKTOP)
    pg.goto(server + "/list?department=デジタル政策課&new=true", wait_until="load")
    assert pg.locator(".count strong").inner_text() == "4件"
    plan_order = pg.locator("table.rows tbody th").all_inner_texts()
    pg.locator("thead a", has_text="取組").click()  # sort by name, filters kept
    pg.wait_for_url("**sort=name**")
    assert pg.locator("table.rows tbody th").all_inner_texts() == sorted(plan_order)
    assert pg.locator('thead th[aria-sort="ascending"]').count() == 1
    link = pg.locator("table.rows tbody th a").first
    assert "source=" in link.get_attribute("href")  # opens the row's card in the chat, with its source
    pg.locator("a.lang").click()
    pg.wait_for_url("**lang=en**")
    assert pg.locator("html").get_attribute("lang") == "en" and pg.locator(".count strong").inner_text() == "4 initiatives"
    pg.goto(server + "/list?department=<b>x</b>", wait_until="load")
    assert pg.locator("[role=alert]").is_visible() and pg.locator("table.rows").count() == 0  # nothing rather than all
    assert pg.locator("b").count() == 0
    assert serious(pg) == []
    pg.context.close()
