"""Real headless Chromium (Debian package) against the real server: the chat UI, the widget, accessibility."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
XSS = "<img src=x onerror=alert(1)>"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
TURNS = "#chat article.turn[data-turn]"
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


def new_page(browser, viewport: dict | None = None, **options):  # noqa: ANN001, ANN201
    """A page in a fresh context that records any JavaScript dialog (alert) it sees."""
    ctx = browser.new_context(viewport=viewport or DESKTOP, locale=options.pop("locale", "ja-JP"), **options)
    pg = ctx.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    return pg


@pytest.fixture()
def page(browser):  # noqa: ANN001, ANN201
    """A desktop page."""
    pg = new_page(browser)
    yield pg
    pg.context.close()


@pytest.fixture()
def phone(browser):  # noqa: ANN001, ANN201
    """A phone-sized page (390×844, touch)."""
    pg = new_page(browser, PHONE, is_mobile=True, has_touch=True)
    yield pg
    pg.context.close()


def open_ui(page, server: str, query: str = "") -> None:  # noqa: ANN001
    """Load the UI and wait for the welcome message."""
    page.goto(server + "/" + query, wait_until="load")
    page.locator("#chat .welcome").wait_for(timeout=30000)


def turns(page) -> int:  # noqa: ANN001
    """How many questions the chat shows."""
    return page.locator(TURNS).count()


def wait_turn(page, n: int):  # noqa: ANN001, ANN201
    """Wait until the chat shows turn n; returns it."""
    page.wait_for_function(f"document.querySelectorAll('{TURNS}').length >= {n}", timeout=20000)
    return page.locator(TURNS).nth(n - 1)


def ask_ui(page, question: str):  # noqa: ANN001, ANN201
    """Type a question into the UI, send it, wait for its answer; returns the new turn."""
    n = turns(page) + 1
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    return wait_turn(page, n)


def in_viewport(page, locator) -> bool:  # noqa: ANN001
    """Whether an element's top is inside the visible viewport."""
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_sources_sit_under_each_answer_and_open_the_passage(page, server: str) -> None:  # noqa: ANN001
    open_ui(page, server)
    first = ask_ui(page, "のりまっし金沢の担当は？")
    assert "交通政策課" in first.locator(".text").inner_text()
    second = ask_ui(page, "ハッカソンの担当は？")
    assert first.locator(".sources li").count() >= 1 and second.locator(".sources li").count() >= 1
    assert "のりまっし" in first.locator(".sources").inner_text()
    assert "ハッカソン" in second.locator(".sources").inner_text() and "のりまっし" not in second.inner_text()
    passage = second.locator(".sources li").first.locator(".passage")
    assert passage.is_hidden()
    second.locator(".text a.ref").first.click()
    assert passage.is_visible()
    text = passage.inner_text()
    assert "市民協働推進課" in text and "2029年度" in text and "p.12" in text and "359行目" in text
    page.screenshot(path=str(SHOTS / "ui-desktop-light.png"))


SIZES = {"phone": PHONE, "small-phone": {"width": 360, "height": 740}, "desktop": DESKTOP}


@pytest.mark.parametrize("size", list(SIZES))
def test_a_25_item_list_shows_its_count_headline_in_view(browser, server: str, size: str) -> None:  # noqa: ANN001
    pg = new_page(browser, SIZES[size], is_mobile=size != "desktop")
    open_ui(pg, server)
    turn = ask_ui(pg, "2026年度に新しく始まる取組は？")
    headline = turn.locator(".headline")
    headline.wait_for()
    pg.wait_for_timeout(600)  # the scroll to the new answer
    assert "25件" in headline.inner_text()
    assert in_viewport(pg, headline)
    assert turn.locator(".sources > ol > li").count() == 5 and "すべて表示 (25)" in turn.inner_text()
    assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"]
    assert "25件" in pg.locator("#announce").inner_text()  # announced to screen readers
    pg.screenshot(path=str(SHOTS / f"ui-{size}-list.png"))
    with pg.expect_download() as download:
        turn.locator("a.csv").click()
    rows = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 26 and "観光政策課" in rows[1]
    pg.context.close()


def test_suggested_questions_and_candidates_ask_at_once(page, server: str) -> None:  # noqa: ANN001
    open_ui(page, server)
    page.locator("#chat .welcome button.ask").first.click()  # a welcome example asks at once
    first = wait_turn(page, 1)
    assert first.locator(".badge.ok").count() == 1
    suggestion = first.locator(".next button.ask").first
    asked = suggestion.get_attribute("data-q")
    suggestion.click()
    second = wait_turn(page, 2)
    assert second.locator(".user .q").inner_text() == asked and second.locator(".badge.ok").count() == 1
    third = ask_ui(page, "アプリについて")
    choice = third.locator(".choices button.ask").nth(1)
    title = choice.inner_text()
    choice.click()
    fourth = wait_turn(page, 4)
    assert title in fourth.locator(".headline").inner_text() and fourth.locator(".badge.ok").count() == 1


def test_follow_up_resolves_and_a_new_question_starts_fresh(page, server: str) -> None:  # noqa: ANN001
    open_ui(page, server)
    ask_ui(page, "ハッカソンの担当は？")
    follow = ask_ui(page, "その課の他の取組は？")
    assert "マッチ箱" in follow.inner_text() and "市民協働推進課" in follow.locator(".headline").inner_text()
    fresh = ask_ui(page, "産業政策課の取組をすべて教えて")
    assert "産業政策課" in fresh.locator(".headline").inner_text() and "マッチ箱" not in fresh.inner_text()


def test_clear_resets_chat_and_sources_and_empty_send_does_nothing(page, server: str) -> None:  # noqa: ANN001
    open_ui(page, server)
    page.locator("#send").click()
    page.locator("#question textarea").press("Enter")
    page.wait_for_timeout(800)
    assert turns(page) == 0 and "⚠" not in page.locator("#chat").inner_text()
    ask_ui(page, "ハッカソンの担当は？")
    page.locator("#clear").click()
    page.wait_for_function(f"document.querySelectorAll('{TURNS}').length === 0", timeout=10000)
    assert page.locator("#chat .sources").count() == 0 and page.locator("#chat .welcome").count() == 1
    fresh = ask_ui(page, "その課の他の取組は？")  # nothing to refer to after clearing
    assert "マッチ箱" not in fresh.inner_text()


def stored(store, page, count: int) -> list[dict]:  # noqa: ANN001
    """The feedback rows once there are `count` of them (the UI stores them in the background)."""
    for _ in range(100):
        if len(store.rows()) >= count:
            break
        page.wait_for_timeout(50)
    return store.rows()


def test_feedback_stores_plain_text_with_a_reason(page, served) -> None:  # noqa: ANN001
    from assistant.feedback import FeedbackStore

    url, quiet = served
    store = FeedbackStore(quiet.settings.feedback_path)
    before = len(store.rows())
    open_ui(page, url)
    turn = ask_ui(page, "かなパスの担当は？")
    turn.get_by_role("button", name="役に立たなかった").click()
    turn.get_by_label("理由", exact=True).select_option("出典が合っていない")
    turn.get_by_role("button", name="送信する").click()
    turn.locator(".fb-status").filter(has_text="ありがとう").wait_for(timeout=5000)
    row = stored(store, page, before + 1)[-1]
    assert row["question"] == "かなパスの担当は？" and row["rating"] == "down" and row["source"] == "ui"
    assert row["reason"] == "出典が合っていない" and row["kind"] and row["citations"].startswith("I")
    assert "デジタル政策課" in row["answer"] and "<" not in row["answer"]
    english = ask_ui(page, "Which department runs the hackathons?")
    english.get_by_role("button", name="Helpful", exact=True).click()
    english.locator(".fb-status").filter(has_text="Thank you").wait_for(timeout=5000)
    row = stored(store, page, before + 2)[-1]
    assert (row["rating"], row["language"], row["source"]) == ("up", "en", "ui")
    assert row["question"] == "Which department runs the hackathons?"


def test_ui_shows_markup_as_text_and_runs_nothing(page, server: str) -> None:  # noqa: ANN001
    open_ui(page, server)
    turn = ask_ui(page, XSS)
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert XSS in turn.locator(".user").inner_text()
    assert page.locator("#chat img").count() == 0


def contrast_failures(page) -> list:  # noqa: ANN001
    """Text in the chat and header whose contrast with its background is under 4.5:1."""
    return page.evaluate("""() => {
      const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
      const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
      const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.length === 3 || c[3] > 0.5) return c.slice(0, 3); } return [255, 255, 255]; };
      const bad = [];
      for (const el of document.querySelectorAll('#masthead *, #chat *, #composer label, #composer button')) {
        if (!el.offsetParent || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
        const [a, b] = [lum(rgb(getComputedStyle(el).color).slice(0, 3)), lum(bg(el))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 4.5) bad.push([el.tagName, el.className, el.textContent.trim().slice(0, 30), ratio.toFixed(2)]);
      }
      return bad;
    }""")


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_text_contrast_is_at_least_4_5(browser, server: str, scheme: str) -> None:  # noqa: ANN001
    pg = new_page(browser, PHONE, color_scheme=scheme, is_mobile=True)
    open_ui(pg, server)
    turn = ask_ui(pg, "ハッカソンの担当は？")
    turn.locator(".text a.ref").first.click()
    pg.wait_for_timeout(400)
    assert pg.evaluate("document.body.classList.contains('dark')") == (scheme == "dark")
    assert contrast_failures(pg) == []
    assert pg.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # the open passage fits too
    pg.screenshot(path=str(SHOTS / f"ui-phone-{scheme}.png"))
    pg.context.close()


def test_page_is_japanese_with_our_link_preview_and_a_noscript_note(browser, server: str) -> None:  # noqa: ANN001
    pg = new_page(browser, locale="en-US")
    open_ui(pg, server)
    assert pg.evaluate("document.documentElement.lang") == "ja"
    assert pg.locator("h1").inner_text() == "金沢市DXアクションプラン2.0 アシスタント"
    og = pg.locator('meta[property="og:title"]')
    assert og.count() == 1 and "アシスタント" in og.get_attribute("content")
    assert "Gradio" not in pg.locator('meta[property="og:description"]').get_attribute("content")
    assert pg.locator("footer:visible").count() == 0
    pg.context.close()
    off = new_page(browser, java_script_enabled=False)
    off.goto(server + "/")
    assert "JavaScript を有効にしてください" in off.locator("body").inner_text()
    off.context.close()
