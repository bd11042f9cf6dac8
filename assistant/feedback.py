"""👍/👎 feedback stored in SQLite next to the index (survives restarts)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

Rating = Literal["up", "down"]


class Feedback(BaseModel):
    """One rating of one answer."""

    question: str = Field(max_length=2000)
    answer: str = Field(max_length=20000)
    rating: Rating
    source: str = Field(default="api", max_length=20)


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

    def _connect(self) -> sqlite3.Connection:
        """A connection with a busy timeout."""
        return sqlite3.connect(self.path, timeout=0.5)  # a locked database fails fast (503), never queues

    def add(self, item: Feedback) -> int:
        """Store a rating; returns its row id."""
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (at, question, answer, rating, source) VALUES (?, ?, ?, ?, ?)",
                (time.time(), item.question, item.answer, item.rating, item.source),
            )
            return int(cur.lastrowid)

    def counts(self) -> dict[str, int]:
        """How many 👍 and 👎 are stored."""
        with self._connect() as db:
            rows = db.execute("SELECT rating, COUNT(*) FROM feedback GROUP BY rating").fetchall()
        return {"up": 0, "down": 0} | {r: n for r, n in rows}
