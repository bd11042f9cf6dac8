"""Small helpers shared by the test modules."""

from __future__ import annotations

from pathlib import Path


def isolated(bot, tmp_path: Path, **settings):  # noqa: ANN001, ANN003, ANN201
    """The session assistant with other serving settings and its own feedback and rate-limit files."""
    return bot.with_settings(feedback_db=tmp_path / "fb.sqlite3", rate_limit_db=tmp_path / "rl.sqlite3", **settings)


class UiSession:
    """One chat session driven as the page drives it: POST /gradio_api/queue/join, then the SSE stream of
    /gradio_api/queue/data (no browser; the same routes and the same session state)."""

    def __init__(self, url: str, session: str = "", **headers: str) -> None:
        import json
        import re
        import secrets

        import httpx

        self.url, self.session = url, session or secrets.token_hex(6)
        self.http = httpx.Client(timeout=60, headers=headers)
        html = self.http.get(f"{url}/").text
        start = html.index("window.gradio_config = ") + len("window.gradio_config = ")
        config = json.JSONDecoder().raw_decode(html[start:])[0]
        self.fn = {d.get("api_name") or d["id"]: d["id"] for d in config["dependencies"]}
        self.trigger = {d["id"]: d["targets"][0][0] for d in config["dependencies"] if d.get("targets")}
        self._json, self._re = json, re

    def call(self, fn: str, data: list) -> tuple[int, dict | None, int]:
        """Run one UI event; (status of the join, the completed message or None, bytes streamed back)."""
        index = self.fn[fn]
        joined = self.http.post(f"{self.url}/gradio_api/queue/join", json={
            "data": data, "fn_index": index, "trigger_id": self.trigger.get(index), "session_hash": self.session,
            "event_data": None})
        if joined.status_code != 200:
            return joined.status_code, None, 0
        size, done = 0, None
        with self.http.stream("GET", f"{self.url}/gradio_api/queue/data",
                              params={"session_hash": self.session}) as stream:
            for line in stream.iter_lines():
                size += len(line.encode())
                if line.startswith("data: "):
                    msg = self._json.loads(line[6:])
                    if msg.get("msg") == "process_completed":
                        done = msg
                        break
        return 200, done, size

    def ask(self, question: str) -> tuple[str, int]:
        """Ask in the chat; (the conversation HTML, bytes streamed back)."""
        status, done, size = self.call("respond", [question, None])
        assert status == 200 and done is not None and done.get("success"), (status, done)
        return done["output"]["data"][0], size
