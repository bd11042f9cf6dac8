"""👍/👎 feedback stored in SQLite (var/ by default, apart from the index: it survives restarts and rebuilds), and its
CSV export for staff."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import logging
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TextIO

from pydantic import BaseModel, Field, field_validator

from .config import Settings
from .errors import FeedbackFullError
from .spreadsheet import csv_row

Rating = Literal["up", "down"]
log = logging.getLogger(__name__)
# Columns added after the first release; older databases get them on open.
EXTRA_COLUMNS = {"kind": "TEXT", "language": "TEXT", "citations": "TEXT", "reason": "TEXT", "rater": "TEXT"}
COLUMNS = ["at", "question", "answer", "rating", "source", "kind", "language", "citations", "reason", "rater"]
# a rater's new rating of the same answer replaces the earlier one (rows without a rater are all kept)
UPSERT = (f"INSERT INTO feedback ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
          f"ON CONFLICT (rater) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in COLUMNS[:-1])} RETURNING id")
CSV_COLUMNS = ["id", "日時(UTC)", "評価", "理由", "質問", "回答", "回答の種類", "言語", "出典", "送信元"]
RATING_MARKS = {"up": "👍", "down": "👎"}
# what a row keeps of the question and the answer (the longest answer to the project's 950 questions: 7,131)
STORED_QUESTION_CHARS, STORED_ANSWER_CHARS = 1000, 8000
CUT = "…［以下 {n:,} 文字省略 / {n:,} more characters cut］"
# a text part of a message as repr() wrote it: 'text': '…' or 'text': "…"
LEGACY_TEXT = re.compile(r"""'text': ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""", re.S)
ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.S)
SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}


def unescape(match: re.Match[str]) -> str:
    """One backslash escape of a string literal as repr() writes it (\\n, \\', \\xe9, \\u3042 …)."""
    code = match[1] or match[2] or match[3]
    if code is None:
        return SIMPLE_ESCAPES.get(match[4], match[4])
    return chr(int(code, 16)) if int(code, 16) <= sys.maxunicode else match[0]


def plain(value: Any) -> str:
    """A stored value as text; a row stored before message parts were unwrapped ("[{'text': '…', …}]") gives its
    text parts, found with a regular expression (stored text is never evaluated)."""
    text = "" if value is None else value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    if text.startswith("[{") and "'text': " in text:
        parts = [ESCAPE.sub(unescape, literal[1:-1]) for literal in LEGACY_TEXT.findall(text)]
        return " ".join(parts).strip() if parts else text
    return text


def when(at: Any) -> str:
    """A stored time as UTC text, or '' when it is missing or not a time."""
    try:
        return dt.datetime.fromtimestamp(float(at), dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def clipped(text: str, limit: int) -> str:
    """The text, or as much of it as fits in `limit` characters with a marker saying how much was cut."""
    if len(text) <= limit:
        return text
    keep = limit - len(CUT.format(n=len(text)))  # the marker for the whole length is never shorter
    return text[:keep] + CUT.format(n=len(text) - keep)


class Feedback(BaseModel):
    """One rating of one answer: the question and answer as plain text, what kind of answer, its sources, why 👎."""

    question: str = Field(max_length=2000, description="at most 2,000 characters; the first "
                          f"{STORED_QUESTION_CHARS:,} are stored, the rest is cut with a marker")
    answer: str = Field(max_length=20000, description="at most 20,000 characters; the first "
                        f"{STORED_ANSWER_CHARS:,} are stored, the rest is cut with a marker")
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
    """A small SQLite table of ratings; safe to share between threads and processes (SQLite serialises writes)."""

    def __init__(self, path: Path, keep_days: int = 365, max_mb: float = 50) -> None:
        self.path, self.keep_days, self.max_bytes = Path(path), keep_days, int(max_mb * 1024 * 1024)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")  # an export reading for a while never holds up a new rating
            db.execute(
                "CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, at REAL, question TEXT, "
                "answer TEXT, rating TEXT CHECK (rating IN ('up','down')), source TEXT)"
            )
            have = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
            for name, kind in EXTRA_COLUMNS.items():
                if name not in have:
                    db.execute(f"ALTER TABLE feedback ADD COLUMN {name} {kind}")
            db.execute("CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at)")
            db.execute("CREATE UNIQUE INDEX IF NOT EXISTS feedback_rater ON feedback (rater)")
            self._forget_old(db, time.time())

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        """The store the settings describe: ASSISTANT_FEEDBACK_DB, _DAYS and _MAX_MB."""
        return cls(settings.feedback_path, settings.feedback_days, settings.feedback_max_mb)

    def _forget_old(self, db: sqlite3.Connection, now: float) -> None:
        """Delete the ratings older than keep_days (0 keeps every rating)."""
        if self.keep_days:
            db.execute("DELETE FROM feedback WHERE at < ?", (now - self.keep_days * 86400,))

    def _check_room(self, db: sqlite3.Connection) -> None:
        """FeedbackFullError (and a warning in the log) once the database holds max_bytes."""
        if self.used_bytes(db) >= self.max_bytes:
            db.commit()  # what retention has just deleted stays deleted
            log.warning("feedback database %s is full (ASSISTANT_FEEDBACK_MAX_MB=%g): ratings are refused",
                        self.path, self.max_bytes / 1024 / 1024)
            raise FeedbackFullError()

    @staticmethod
    def used_bytes(db: sqlite3.Connection) -> int:
        """What the database's pages in use take (pages freed by deletes are reused, so they do not count)."""
        return db.execute("SELECT (page_count - freelist_count) * page_size FROM pragma_page_count(), "
                          "pragma_freelist_count(), pragma_page_size()").fetchone()[0]

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection with a short busy timeout, committed on success and always closed."""
        db = sqlite3.connect(self.path, timeout=0.5)  # a locked database fails fast (503), never queues
        db.text_factory = lambda raw: raw.decode("utf-8", "replace")  # text another tool stored as bad UTF-8
        try:
            with db:
                yield db
        finally:
            db.close()

    def add(self, item: Feedback, rater: str | None = None) -> int:
        """Store a rating (a long question or answer cut to what a row keeps), or replace the one stored under the
        same rater key; returns its row id. FeedbackFullError once the database holds max_mb."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            now = time.time()
            self._forget_old(db, now)
            self._check_room(db)
            values = (now, clipped(item.question, STORED_QUESTION_CHARS),
                      clipped(item.answer, STORED_ANSWER_CHARS), item.rating, item.source, item.kind, item.language,
                      " ".join(item.citations), item.reason, rater)
            return int(db.execute(UPSERT, values).fetchone()[0])

    def counts(self) -> dict[str, int]:
        """How many 👍 and 👎 are stored."""
        with self._connect() as db:
            rows = db.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall()
        return {"up": 0, "down": 0} | {r: n for r, n in rows}

    def iter_rows(self, rating: Rating | None = None) -> Iterator[dict[str, Any]]:
        """The ratings (only 👍 or only 👎 if asked) one at a time from the cursor, oldest first: however many
        there are, only one is in memory."""
        where, args = ("WHERE rating = ? ", (rating,)) if rating else ("", ())
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            for r in db.execute(f"SELECT * FROM feedback {where}ORDER BY id", args):
                yield dict(r)

    def rows(self) -> list[dict[str, Any]]:
        """Every rating, oldest first, as a list (for a few; the export streams)."""
        return list(self.iter_rows())

    def export_csv(self, out: TextIO, rating: Rating | None = None) -> int:
        """Write the ratings as CSV, row by row as they are read (Japanese headers, every cell safe to open in
        Excel); returns the row count."""
        w = csv.writer(out)
        w.writerow(csv_row(CSV_COLUMNS))
        n = 0
        for r in self.iter_rows(rating):
            w.writerow(csv_line(r))
            n += 1
        return n

    def export_file(self, target: Path, rating: Rating | None = None) -> int:
        """The CSV export as a file (UTF-8 with BOM, so Excel reads it as UTF-8), put in place only once complete."""
        real = Path(os.path.realpath(target))
        if real.exists() and not real.is_file():  # /dev/stdout, a pipe: written as it goes
            with open(real, "w", encoding="utf-8-sig", newline="") as out:
                return self.export_csv(out, rating)
        part = real.with_name(f".{real.name}.{os.getpid()}.part")
        try:
            with part.open("w", encoding="utf-8-sig", newline="") as out:
                n = self.export_csv(out, rating)
            os.replace(part, real)
        finally:
            part.unlink(missing_ok=True)
        return n


def rater_key(*parts: str) -> str:
    """The key of one rater's rating of one answer, e.g. ("api", client, question, answer): a digest, so no address
    or text is kept in it."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()


def csv_line(r: dict[str, Any]) -> list[str]:
    """One stored rating as CSV cells, whatever the row holds (NULLs, numbers or bytes as text, a bad time)."""
    return csv_row([r["id"], when(r["at"]), RATING_MARKS.get(r["rating"], r["rating"]), r.get("reason"),
                    plain(r["question"]), plain(r["answer"]), r.get("kind"), r.get("language"), r.get("citations"),
                    r["source"]])
