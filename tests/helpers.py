"""Small helpers shared by the test modules."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import httpx


def isolated(bot, tmp_path: Path, **settings):  # noqa: ANN001, ANN003, ANN201
    """The session assistant with other serving settings and its own feedback and rate-limit files."""
    return bot.with_settings(feedback_db=tmp_path / "fb.sqlite3", rate_limit_db=tmp_path / "rl.sqlite3", **settings)


def copy_index(bot, dest: Path) -> Path:  # noqa: ANN001
    """A private copy of the session's index (manifest and its build), so a test may rebuild or damage it."""
    dest.mkdir(parents=True)
    src = bot.settings.index_dir
    shutil.copy(src / "manifest.json", dest / "manifest.json")
    shutil.copytree(src / bot.manifest.build_dir, dest / bot.manifest.build_dir,
                    ignore=shutil.ignore_patterns(".in-use"))
    return dest


def gradio_call(client: httpx.Client, url: str, api_name: str, data: list[Any], session: str) -> list[dict[str, Any]]:
    """Run one UI event the way the page does (join Gradio's queue, read its event stream); its messages, up to
    the result."""
    deps = client.get(f"{url}/config").json()["dependencies"]
    fn = next(i for i, d in enumerate(deps) if d.get("api_name") == api_name)
    joined = client.post(f"{url}/gradio_api/queue/join", json={"data": data, "fn_index": fn, "session_hash": session,
                                                               "event_data": None, "trigger_id": None})
    joined.raise_for_status()
    messages = []
    with client.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session}) as events:
        for line in events.iter_lines():
            messages.append(json.loads(line[5:]) if line.startswith("data:") else {})
            if messages[-1].get("msg") == "process_completed":
                return messages
    raise AssertionError(f"{api_name}: the event stream ended without a result")


def put_rows(db: Path, *rows: tuple) -> None:
    """Ratings (at, question) written straight into a feedback table, as an earlier day would have."""
    with sqlite3.connect(db) as raw:
        raw.executemany("INSERT INTO feedback (at, question, answer, rating) VALUES (?, ?, 'a', 'up')", rows)
