"""The UI's HTML on real answers: markers, per-answer sources, list tables, CSV, next questions, English, errors."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from urllib.parse import unquote

import pytest

from assistant.errors import InputError
from assistant.limits import HISTORY_TURNS
from assistant.models import Answer, Citation
from assistant.ui import GENERIC_ERROR, feedback_of, history_of, respond_turn
from assistant.ui_chat import TEXT, Turn, answer_html, follow_ups, log_html
from assistant.ui_render import blocks, csv_link, list_rows


@pytest.fixture(scope="module")
def new_2026(bot) -> Answer:  # noqa: ANN001
    return bot.ask("2026年度に新しく始まる取組は？")


def test_markers_sit_on_the_line_that_names_the_source(bot) -> None:  # noqa: ANN001
    html = answer_html(Turn("ハッカソンの担当は？", bot.ask("ハッカソンの担当は？")), 1)
    headline = re.search(r'<p class="headline">(.*?)</p>', html).group(1)
    assert "市民協働推進課" in headline and 'href="#src-1-1"' in headline
    assert re.search(r'関連KPI.*href="#src-1-2"', html)
    assert 'id="src-1-1" data-id="I35"' in html and "p.12・359行目・2.5 具体的な取組" in html
    assert "<th scope=\"row\">市民協働推進課</th><td>継続・拡大</td>" in html  # the passage is the full row


def test_a_25_item_list_is_grouped_tables_with_5_sources_and_a_show_all_toggle(new_2026: Answer) -> None:
    html = answer_html(Turn("2026年度に新しく始まる取組は？", new_2026), 3)
    assert html.count('class="ref"') == 25 and html.count("<table class=\"list\">") >= 5
    assert "すべて表示 (25)" in html and '<ol start="6">' in html
    first_five = html.split('<details class="more">')[0]
    assert first_five.count('<li id="src-3-') == 5
    assert "状況: <span class=\"status\"><span class=\"nw\">2026: 新規導入</span>" in html  # said once for the group
    assert "<td>料金センター、保険年金課、会計課、納税課</td>" in html


def test_a_department_list_says_the_department_once(bot) -> None:  # noqa: ANN001
    html = answer_html(Turn("q", bot.ask("産業政策課の取組をすべて教えて")), 1)
    assert "担当課: 産業政策課" in html and "<td>産業政策課</td>" not in html


def test_csv_download_has_every_listed_initiative(new_2026: Answer) -> None:
    href = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)"', csv_link(new_2026)).group(1)
    lines = unquote(href).lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("ID,取組・KPI,担当課") and len(lines) == 26
    assert len(list_rows(new_2026)) == 25


def test_everything_from_the_plan_and_the_user_is_escaped() -> None:
    evil = "<img src=x onerror=alert(1)>"
    cite = Citation(id="I1", kind="section", title=evil, quote=evil, location=f"p.1・x 1行目（{evil}）")
    html = log_html([Turn(evil, Answer(text=f"「{evil}」です", grounded=True, kind="who", citations=[cite]))])
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_english_answers_get_english_labels_and_glossed_departments(bot) -> None:  # noqa: ANN001
    html = answer_html(Turn("q", bot.ask("Which department runs the hackathons?")), 1)
    assert "Sources" in html and "Answered from the plan" in html and "出典" not in html
    assert "市民協働推進課 <span class=\"gloss\">(Civic Collaboration Division)</span>" in html
    assert "FY2026" in html


def test_candidates_become_buttons(bot) -> None:  # noqa: ANN001
    answer = bot.ask("アプリについて")
    assert answer.kind == "candidates"
    html = answer_html(Turn("アプリについて", answer), 1)
    buttons = re.findall(r'<div class="choices">.*?</div>', html)[0]
    assert buttons.count('class="ask"') == len(answer.citations) >= 2


QUESTIONS = ["ハッカソンの担当は？", "産業政策課の取組をすべて教えて", "電子申請サービスの利用件数の目標は？",
             "2026年度に新しく始まる取組は？", "明日の天気は？", "Which department runs the hackathons?"]


def test_every_suggested_next_question_is_answered_from_the_plan(bot) -> None:  # noqa: ANN001
    asked = []
    for q in QUESTIONS:
        suggestions = follow_ups(bot.ask(q))
        assert suggestions, q
        asked += suggestions
    welcome = TEXT["welcome"]["citizens"] + TEXT["welcome"]["staff"]
    for q in dict.fromkeys(asked + welcome):
        answer = bot.ask(q)
        assert answer.grounded, (q, answer.text[:80])


def test_history_is_the_last_answered_user_turns_the_engine_reads() -> None:
    done = [Turn(f"q{i}", Answer(text="a", grounded=True, kind="who")) for i in range(5)]
    turns = done + [Turn("bad", error="⚠")]
    assert history_of(turns) == [{"role": "user", "content": f"q{i}"} for i in range(5)][-HISTORY_TURNS:]


class Broken:
    """An assistant whose ask fails the way the test says."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def ask(self, question: str, history: list) -> Answer:
        """Raise."""
        raise self.exc


def test_errors_show_the_input_message_or_a_generic_one_never_the_exception_text() -> None:
    assert respond_turn(Broken(InputError("質問が長すぎます。")), "x", []).error.endswith("質問が長すぎます。")
    turn = respond_turn(Broken(RuntimeError("secret /etc/passwd")), "x", [])
    assert GENERIC_ERROR in turn.error and "secret" not in turn.error
    assert "secret" not in log_html([turn])


def test_blocks_keep_text_lines_that_are_not_list_items(bot) -> None:  # noqa: ANN001
    answer = bot.ask("電子申請サービスの利用件数の目標は？")
    assert any(line for b in blocks(answer.text, answer.citations) for line, _ in b.lines)


def test_a_rating_takes_question_answer_and_sources_from_the_session_not_the_page() -> None:
    cite = Citation(id="I35", kind="initiative", title="t", quote="q", location="l")
    turns = [Turn("ハッカソンの担当は？", Answer(text="市民協働推進課です。", grounded=True, kind="who", citations=[cite])),
             Turn("x", error="⚠")]
    item, turn = feedback_of('{"turn": 1, "rating": "down", "reason": "わかりにくい", "question": "forged"}', turns)
    assert turn == 1 and (item.question, item.answer, item.kind, item.citations, item.reason, item.source) == (
        "ハッカソンの担当は？", "市民協働推進課です。", "who", ["I35"], "わかりにくい", "ui")
    for bad in ('{"turn": 2, "rating": "up"}', '{"turn": 3, "rating": "up"}', '{"turn": 0, "rating": "up"}',
                '{"turn": 1, "rating": "meh"}', "not json", '{"turn": "x", "rating": "up"}'):
        assert feedback_of(bad, turns) is None, bad


def test_the_list_csv_shows_a_formula_in_a_record_as_text() -> None:
    from assistant.ui_render import csv_text

    cite = Citation(id="I01", kind="initiative", title='=HYPERLINK("http://evil.example/","詳細")', quote="q",
                    location="l", departments=["@SUM(A1)"], field="+1", viewpoint="-1", goal="\t=1")
    row = list(csv.reader(io.StringIO(csv_text([cite]), newline="")))[1]
    assert row[:6] == ["I01", "'" + cite.title, "'@SUM(A1)", "'+1", "'-1", "'\t=1"]


def json_value(rng: random.Random, depth: int = 0) -> object:
    """A random JSON value: numbers of every size and sign, strings, booleans, null, lists and objects."""
    leaves = [10 ** rng.randrange(0, 400), -rng.randrange(0, 10**6), rng.random() * 10 ** rng.randrange(-5, 5),
              float("inf"), float("-inf"), float("nan"), "1", "", "up", True, False, None, 1, 2]
    if depth > 3 or rng.random() < 0.5:
        return rng.choice(leaves)
    if rng.random() < 0.5:
        return [json_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {rng.choice(["turn", "rating", "reason", "x"]): json_value(rng, depth + 1) for _ in range(rng.randrange(4))}


@pytest.mark.parametrize("payload", [
    '{"turn": 1e999, "rating": "up"}', '{"turn": -1e999, "rating": "up"}', '{"turn": NaN, "rating": "up"}',
    '{"turn": 1.0, "rating": "up"}', '{"turn": 1.5, "rating": "up"}', '{"turn": true, "rating": "up"}',
    '{"turn": "1", "rating": "up"}', '{"turn": [1], "rating": "up"}', '{"turn": {"n": 1}, "rating": "up"}',
    '{"turn": null, "rating": "up"}', '{"turn": -1, "rating": "up"}', '{"turn": 1' + "0" * 5000 + ', "rating": "up"}',
    '{"turn": -1' + "0" * 5000 + ', "rating": "up"}', '{"rating": "up"}', '{"turn": 1}', '{"turn": 1, "rating": ["up"]}',
    '{"turn": 1, "rating": "up", "reason": {"a": 1}}', "[1]", '"x"', "null", "", "1e999", "[" * 100000 + "]" * 100000,
    '{"turn": 1, "rating": "up"', "\ud800",
])
def test_a_rating_payload_ui_js_never_sends_is_refused_without_raising(payload: str) -> None:
    turns = [Turn("q", Answer(text="a", grounded=True, kind="who"))]
    assert feedback_of(payload, turns) is None


def test_random_json_rating_payloads_never_raise() -> None:
    rng = random.Random(11)
    turns = [Turn("q", Answer(text="a", grounded=True, kind="who"))]
    for _ in range(2000):
        found = feedback_of(json.dumps(json_value(rng)), turns)
        assert found is None or (found[0].question, found[0].answer, found[1]) == ("q", "a", 1)
    assert feedback_of(json.dumps({"turn": 1, "rating": "up", "extra": [1e300]}), turns) is not None


def test_a_rating_of_a_very_long_turn_is_kept_cut_not_refused() -> None:
    from assistant.feedback import STORED_ANSWER_CHARS, STORED_QUESTION_CHARS

    turns = [Turn("質" * 3000, Answer(text="答" * 30000, grounded=True, kind="list"))]  # past the API's own limits
    item, _turn = feedback_of('{"turn": 1, "rating": "up"}', turns)
    assert len(item.question) <= STORED_QUESTION_CHARS and len(item.answer) <= STORED_ANSWER_CHARS
    assert item.answer.startswith("答" * 100) and "文字省略" in item.answer
