"""👍/👎 feedback stored in SQLite next to the index (survives restarts), and its CSV export for staff."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import re
import sqlite3
import time
from pathlib import Path
from typing import Any, Literal, TextIO

from pydantic import BaseModel, Field, field_validator

from .spreadsheet import csv_row

Rating = Literal["up", "down"]
# Columns added after the first release; older databases get them on open.
EXTRA_COLUMNS = {"kind": "TEXT", "language": "TEXT", "citations": "TEXT", "reason": "TEXT"}
CSV_COLUMNS = ["id", "日時(UTC)", "評価", "理由", "質問", "回答", "回答の種類", "言語", "出典", "送信元"]


def plain(value: Any) -> str:
    """Plain text from a string or from Gradio-style message parts ([{'type': 'text', 'text': ...}])."""
    if isinstance(value, list):
        return " ".join(plain(v) for v in value).strip()
    if isinstance(value, dict):
        return plain(value.get("text", value.get("content", "")))
    text = "" if value is None else str(value)
    if text.startswith("[{") and "'text'" in text:  # rows stored before message parts were unwrapped
        try:
            return plain(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            return text
    return text


class Feedback(BaseModel):
    """One rating of one answer: the question and answer as plain text, what kind of answer, its sources, why 👎."""

    question: str = Field(max_length=2000)
    answer: str = Field(max_length=20000)
    rating: Rating
    source: str = Field(default="api", max_length=20)
    kind: str = Field(default="", max_length=40, description="Answer.kind, e.g. who / list / decline")
    language: str = Field(default="", max_length=5)
    citations: list[str] = Field(default=[], max_length=200, description="ids of the cited records (I35, K08 …)")
    reason: str = Field(default="", max_length=500, description="why the answer did not help (👎)")

    @field_validator("citations")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        """Only short record ids."""
        return [v for v in value if re.fullmatch(r"[A-Za-z0-9.\-]{1,20}", v)]


class FeedbackStore:
    """A small SQLite table of ratings; safe to share between threads (SQLite itself serialises writes)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, at REAL, question TEXT, "
                "answer TEXT, rating TEXT CHECK (rating IN ('up','down')), source TEXT)"
            )
            have = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
            for name, kind in EXTRA_COLUMNS.items():
                if name not in have:
                    db.execute(f"ALTER TABLE feedback ADD COLUMN {name} {kind}")

    def _connect(self) -> sqlite3.Connection:
        """A connection with a busy timeout."""
        return sqlite3.connect(self.path, timeout=0.5)  # a locked database fails fast (503), never queues

    def add(self, item: Feedback) -> int:
        """Store a rating; returns its row id."""
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (at, question, answer, rating, source, kind, language, citations, reason) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), item.question, item.answer, item.rating, item.source, item.kind, item.language,
                 " ".join(item.citations), item.reason),
            )
            return int(cur.lastrowid)

    def counts(self) -> dict[str, int]:
        """How many 👍 and 👎 are stored."""
        with self._connect() as db:
            rows = db.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall()
        return {"up": 0, "down": 0} | {r: n for r, n in rows}

    def rows(self) -> list[dict[str, Any]]:
        """Every rating, oldest first."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]

    def export_csv(self, out: TextIO, rating: Rating | None = None) -> int:
        """Write the ratings as CSV (Japanese headers, every cell safe to open in Excel); returns the row count."""
        w = csv.writer(out)
        w.writerow(csv_row(CSV_COLUMNS))
        n = 0
        for r in self.rows():
            if rating and r["rating"] != rating:
                continue
            at = dt.datetime.fromtimestamp(r["at"] or 0, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
            w.writerow(csv_row([r["id"], at, "👍" if r["rating"] == "up" else "👎", r.get("reason"),
                                plain(r["question"]), plain(r["answer"]), r.get("kind"), r.get("language"),
                                r.get("citations"), r["source"]]))
            n += 1
        return n
