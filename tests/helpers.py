"""Small helpers shared by the test modules."""

from __future__ import annotations

import json
import secrets
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


def page_config(html: str) -> dict[str, Any]:
    """The Gradio config the chat page carries (window.gradio_config); /config itself is not public."""
    start = html.index("window.gradio_config = ") + len("window.gradio_config = ")
    return json.JSONDecoder().raw_decode(html[start:])[0]


def gradio_call(client: httpx.Client, url: str, api_name: str, data: list[Any], session: str) -> list[dict[str, Any]]:
    """Run one UI event the way the page does (join Gradio's queue, read its event stream); its messages, up to
    the result."""
    deps = page_config(client.get(f"{url}/").text)["dependencies"]
    fn, dep = next((i, d) for i, d in enumerate(deps) if d.get("api_name") == api_name)
    trigger = dep["targets"][0][0] if dep.get("targets") else None
    joined = client.post(f"{url}/gradio_api/queue/join", json={"data": data, "fn_index": fn, "session_hash": session,
                                                               "event_data": None, "trigger_id": trigger})
    joined.raise_for_status()
    messages = []
    with client.stream("GET", f"{url}/gradio_api/queue/data", params={"session_hash": session}) as events:
        for line in events.iter_lines():
            messages.append(json.loads(line[5:]) if line.startswith("data:") else {})
            if messages[-1].get("msg") == "process_completed":
                return messages
    raise AssertionError(f"{api_name}: the event stream ended without a result")


class UiSession:
    """One chat session driven as the page drives it (gradio_call: the same routes and the same session state)."""

    def __init__(self, url: str) -> None:
        self.url, self.session = url, secrets.token_hex(6)
        self.http = httpx.Client(timeout=60)

    def ask(self, question: str) -> tuple[str, int]:
        """Ask in the chat; (the conversation HTML, bytes streamed back)."""
        messages = gradio_call(self.http, self.url, "respond", [question, None], self.session)
        assert messages[-1].get("success"), messages[-1]
        return messages[-1]["output"]["data"][0], len(json.dumps(messages, ensure_ascii=False).encode())


def put_rows(db: Path, *rows: tuple) -> None:
    """Ratings (at, question) written straight into a feedback table, as an earlier day would have."""
    with sqlite3.connect(db) as raw:
        raw.executemany("INSERT INTO feedback (at, question, answer, rating) VALUES (?, ?, 'a', 'up')", rows)
