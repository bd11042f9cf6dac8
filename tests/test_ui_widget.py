"""Real headless Chromium: the embeddable widget on /embed-demo by keyboard, and axe-core on /, /embed-demo and the widget."""

# The fixtures (browser, served, server, page) are imported from test_browser, so their names are redefined as
# test parameters on purpose:
# ruff: noqa: F811
from __future__ import annotations

import pytest
from test_browser import (  # noqa: F401 - fixtures shared with the UI's browser tests
    DESKTOP,
    PHONE,
    SHOTS,
    XSS,
    ask_ui,
    browser,
    new_page,
    open_ui,
    page,
    pytestmark,
    served,
    server,
)


def widget_open(page) -> None:  # noqa: ANN001
    """Open the bubble from the keyboard: Tab to it, Enter."""
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('kdx-bubble')"):
            break
    page.keyboard.press("Enter")
    page.locator("#kdx-input").wait_for()


def widget_ask(page, question: str) -> None:  # noqa: ANN001
    """Type into the widget, press Enter, wait for the answer."""
    n = page.locator(".kdx-bot").count()
    page.locator("#kdx-input").fill(question)
    page.locator("#kdx-input").press("Enter")
    page.wait_for_function(f"document.querySelectorAll('.kdx-bot').length > {n} && "
                           "!document.querySelector('.kdx-log').innerText.includes('作成しています')", timeout=20000)


def test_widget_by_keyboard_with_a_scrollable_log(browser, server: str) -> None:  # noqa: ANN001
    page = new_page(browser, PHONE, is_mobile=True, has_touch=True)
    page.goto(server + "/embed-demo", wait_until="load")
    bubble = page.get_by_role("button", name="DXアクションプランについて質問する")
    assert bubble.get_attribute("aria-expanded") == "false" and bubble.locator("svg").count() == 1
    widget_open(page)
    assert bubble.get_attribute("aria-expanded") == "true"
    assert page.locator("#kdx-title").inner_text() == "DXの取組について質問"  # data-title from the host page
    for sel in (".kdx-x", ".kdx-new", ".kdx-ask", ".kdx-form button"):
        box = page.locator(sel).first.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, sel
    widget_ask(page, "2026年度に新しく始まる取組は？")
    log = page.locator(".kdx-log")
    assert "25件" in log.inner_text() and page.locator(".kdx-src li:visible").count() == 5
    page.get_by_role("button", name="すべて表示 (25)").click()
    assert page.locator(".kdx-src li:visible").count() == 25
    page.locator(".kdx-x").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('kdx-log')")
    before = log.evaluate("el => el.scrollTop")
    page.keyboard.press("PageDown")
    page.wait_for_timeout(400)
    assert log.evaluate("el => el.scrollTop") > before
    box = page.locator("#kdx-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "widget-phone.png"))
    page.keyboard.press("Escape")
    assert page.locator("#kdx-panel").is_hidden()
    page.context.close()


def test_widget_follow_up_new_chat_and_source_link(page, server: str) -> None:  # noqa: ANN001
    page.goto(server + "/embed-demo", wait_until="load")
    widget_open(page)
    page.locator(".kdx-ask").first.click()  # an example question asks at once
    page.wait_for_function("document.querySelectorAll('.kdx-user').length === 1 && "
                           "!document.querySelector('.kdx-log').innerText.includes('作成しています')", timeout=20000)
    widget_ask(page, "ハッカソンの担当は？")
    widget_ask(page, "その課の他の取組は？")
    assert "マッチ箱" in page.locator(".kdx-bot").last.inner_text()
    widget_ask(page, "産業政策課の取組をすべて教えて")
    assert "マッチ箱" not in page.locator(".kdx-bot").last.inner_text()
    page.get_by_role("button", name="新しい会話").click()
    assert page.locator(".kdx-user").count() == 0
    widget_ask(page, "ハッカソンの担当は？")
    n = page.locator(".kdx-bot").count()
    page.get_by_role("button", name="市民協働推進課の取組をすべて教えて").click()  # a suggested next question
    page.wait_for_function(f"document.querySelectorAll('.kdx-bot').length > {n} && "
                           "!document.querySelector('.kdx-log').innerText.includes('作成しています')", timeout=20000)
    assert "マッチ箱" in page.locator(".kdx-bot").last.inner_text()
    link = page.locator(".kdx-bot").last.locator(".kdx-src a").nth(1)  # a source of the follow-up's list
    assert "マッチ箱" in link.inner_text() and "p.12" in link.inner_text()
    page.goto(link.get_attribute("href"), wait_until="load")
    source = page.locator('#chat .sources li[data-id="I36"] .passage')
    source.wait_for(state="visible", timeout=20000)
    assert "市民協働推進課" in source.inner_text() and "2029年度" in source.inner_text()


def test_widget_shows_markup_as_text(page, server: str) -> None:  # noqa: ANN001
    page.goto(server + "/embed-demo", wait_until="load")
    widget_open(page)
    widget_ask(page, XSS)
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert XSS in page.locator(".kdx-log").inner_text()
    assert page.locator(".kdx-log img").count() == 0


def serious(page) -> list[str]:  # noqa: ANN001
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}) {v['nodes'][0]['target']}" for v in found
            if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations(browser, server: str, scheme: str) -> None:  # noqa: ANN001
    pg = new_page(browser, DESKTOP, color_scheme=scheme)
    open_ui(pg, server)
    ask_ui(pg, "2026年度に新しく始まる取組は？").locator(".text a.ref").first.click()
    assert serious(pg) == []
    pg.goto(server + "/embed-demo", wait_until="load")
    assert serious(pg) == []
    widget_open(pg)
    widget_ask(pg, "ハッカソンの担当は？")
    assert serious(pg) == []
    pg.context.close()
