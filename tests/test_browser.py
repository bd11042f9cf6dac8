"""Real headless Chromium (Debian package) against the real server: UI, widget, and script injection."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
XSS = "<img src=x onerror=alert(1)>"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make test installs it)"),
]


@pytest.fixture(scope="module")
def served(bot, tmp_path_factory):  # noqa: ANN001, ANN201
    """The full app (UI + API + widget) served by uvicorn on loopback in a thread, and its assistant."""
    from assistant.server import create_app, serve_in_thread

    quiet = bot.with_settings(rate_limit_per_minute=0, feedback_db=tmp_path_factory.mktemp("fb") / "fb.sqlite3")
    with serve_in_thread(create_app(quiet)) as url:
        yield url, quiet


@pytest.fixture(scope="module")
def server(served) -> str:  # noqa: ANN001
    """The base URL of the served app."""
    return served[0]


@pytest.fixture(scope="module")
def browser() -> Iterator:  # noqa: ANN201
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):  # noqa: ANN001, ANN201
    """A fresh page that records any JavaScript dialog (alert) it sees."""
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, locale="ja-JP")
    pg = ctx.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    ctx.close()


def ask_ui(page, question: str) -> None:  # noqa: ANN001
    """Type a question into the Gradio UI and send it."""
    box = page.locator("#question textarea")
    box.fill(question)
    page.locator("#send").click()


def test_ui_answers_with_department_and_citation_card(page, server: str) -> None:  # noqa: ANN001
    page.goto(server + "/", wait_until="networkidle")
    ask_ui(page, "のりまっし金沢の担当は？")
    page.locator("#citations .card").first.wait_for(timeout=20000)
    assert "交通政策課" in page.locator("#chat").inner_text()
    card = page.locator("#citations .card").first.inner_text()
    assert "のりまっし金沢" in card and "2026年度" in card
    page.screenshot(path=str(SHOTS / "ui-desktop.png"), full_page=True)


def test_ui_follow_up_and_decline_marker(page, server: str) -> None:  # noqa: ANN001
    page.goto(server + "/", wait_until="networkidle")
    ask_ui(page, "ハッカソンの担当は？")
    page.locator("#citations .card").first.wait_for(timeout=20000)
    ask_ui(page, "その課の他の取組は？")
    page.wait_for_function("document.querySelector('#chat').innerText.includes('マッチ箱')", timeout=20000)
    ask_ui(page, "明日の天気は？")
    page.locator("#citations .badge.no").wait_for(timeout=20000)


def test_ui_thumbs_are_stored_in_sqlite(page, served) -> None:  # noqa: ANN001
    from assistant.feedback import FeedbackStore

    url, quiet = served
    store = FeedbackStore(quiet.settings.feedback_path)
    before = store.counts()
    page.goto(url + "/", wait_until="networkidle")
    ask_ui(page, "かなパスの担当は？")
    page.locator("#citations .card").first.wait_for(timeout=20000)
    page.locator("#chat button[aria-label='いいね']").last.click()  # Gradio's Japanese label
    for _ in range(50):
        if store.counts()["up"] > before["up"]:
            break
        page.wait_for_timeout(100)
    assert store.counts()["up"] == before["up"] + 1


def test_ui_shows_markup_as_text_and_runs_nothing(page, server: str) -> None:  # noqa: ANN001
    page.goto(server + "/", wait_until="networkidle")
    ask_ui(page, XSS)
    page.wait_for_function("document.querySelector('#chat').innerText.includes('HTML')", timeout=20000)
    page.wait_for_timeout(500)
    assert page.dialogs == []
    assert XSS in page.locator("#chat").inner_text()
    assert page.locator("#chat img[src='x']").count() == 0


def test_ui_on_a_phone(browser, server: str) -> None:  # noqa: ANN001
    ctx = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, locale="ja-JP")
    pg = ctx.new_page()
    pg.goto(server + "/", wait_until="networkidle")
    ask_ui(pg, "自治体ポイントは2029年度にどうなる？")
    pg.locator("#citations .card").first.wait_for(timeout=20000)
    width = pg.evaluate("document.documentElement.scrollWidth")
    pg.screenshot(path=str(SHOTS / "ui-phone.png"), full_page=True)
    ctx.close()
    assert width <= 370


def widget_ask(page, question: str) -> None:  # noqa: ANN001
    """Open the bubble (keyboard), type, press Enter."""
    page.locator(".kdx-bubble").focus()
    page.keyboard.press("Enter")
    page.locator("#kdx-input").fill(question)
    page.locator("#kdx-input").press("Enter")


def test_widget_on_embed_demo(browser, server: str) -> None:  # noqa: ANN001
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, locale="ja-JP")
    page = ctx.new_page()
    page.goto(server + "/embed-demo", wait_until="networkidle")
    bubble = page.get_by_role("button", name="DXアクションプランについて質問する")
    assert bubble.get_attribute("aria-expanded") == "false"
    widget_ask(page, "にげまっしの担当は？")
    page.wait_for_function("document.querySelector('.kdx-log').innerText.includes('河川水防課')", timeout=20000)
    assert bubble.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("log").inner_text().count("出典") >= 1
    box = page.locator("#kdx-panel").bounding_box()
    page.screenshot(path=str(SHOTS / "widget-phone.png"))
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    page.keyboard.press("Escape")
    assert page.locator("#kdx-panel").is_hidden()
    ctx.close()


def test_widget_shows_markup_as_text(page, server: str) -> None:  # noqa: ANN001
    page.goto(server + "/embed-demo", wait_until="networkidle")
    widget_ask(page, XSS)
    page.wait_for_function("document.querySelectorAll('.kdx-bot').length >= 2 && "
                           "!document.querySelector('.kdx-log').innerText.includes('作成しています')", timeout=20000)
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert XSS in page.locator(".kdx-log").inner_text()
    assert page.locator(".kdx-log img").count() == 0
