"""One server: the JSON API and widget from api.py, the Gradio UI mounted at /; one or several workers."""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gradio as gr
from fastapi import FastAPI

from .api import create_api
from .config import Settings
from .embeddings import one_thread_per_request
from .errors import AssistantError, ConfigError
from .feedback import FeedbackStore
from .http_protocol import Protocol
from .limits import MULTI_WORKER_ENV, UI_SESSIONS
from .ui import CSS, HEAD, MIDDLEWARE, build_ui, theme

UI_CONCURRENCY = 4  # UI questions answered side by side (each costs at most ~100 ms of CPU)
UI_QUEUE = 64  # UI requests waiting beyond that are refused with Gradio's "queue full"


def create_app(bot: Any) -> FastAPI:
    """API routes first, then the UI at / (so /api, /docs, /widget.js keep their handlers); one set of guards,
    which lets through only the Gradio routes the chat page needs and UI streams of sessions the queue knows."""
    store = FeedbackStore.from_settings(bot.settings)
    app = create_api(bot, store)
    ui = build_ui(bot, store).queue(default_concurrency_limit=UI_CONCURRENCY, max_size=UI_QUEUE)
    ui.state_session_capacity = UI_SESSIONS  # the oldest session's state goes first beyond this
    app = gr.mount_gradio_app(app, ui, path="/", theme=theme(), css=CSS, head=HEAD, footer_links=[],
                              run_history=False, app_kwargs={"middleware": MIDDLEWARE}, show_error=False,
                              max_file_size=1, enable_monitoring=False, root_path=bot.settings.public_url or None)
    exposure = app.state.exposure
    exposure.routes = app.state.routes
    exposure.known_session = lambda session: session in ui._queue.pending_messages_per_session
    app.state.ui = ui
    return app


def app_from_env() -> FastAPI:
    """The app of one worker process (`uvicorn --factory assistant.server:app_from_env`): settings from ASSISTANT_*."""
    from .engine import Assistant

    one_thread_per_request()
    return create_app(Assistant(Settings(), progress=False))


# X-Forwarded-For is read by our guard, from trusted proxies only (ASSISTANT_TRUSTED_PROXIES), never by uvicorn
UVICORN = {"proxy_headers": False, "server_header": False, "log_level": "warning", "http": Protocol}


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60) -> bool:
    """Poll /healthz until it answers 200."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Run an app with uvicorn on a free loopback port in a thread; yields its base URL, stops on exit."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **UVICORN | {"log_level": "error"}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, timeout=30)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def check_writable(settings: Settings) -> None:
    """Refuse to start when the feedback database cannot be written (before the URL is announced)."""
    try:
        FeedbackStore.from_settings(settings)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"評価を保存するデータベース {settings.feedback_path} に書き込めません（{exc}）。"
                          "ASSISTANT_FEEDBACK_DB で書き込める場所を指定してください。") from exc


def main(argv: list[str] | None = None) -> int:
    """python app.py [--host H] [--port P] [--workers N]: build the index if needed, check, then serve."""
    settings = Settings()
    p = argparse.ArgumentParser(description="金沢市DXアクションプラン2.0 アシスタントを起動します")
    p.add_argument("--host", default=settings.host, help=f"default {settings.host} (ASSISTANT_HOST)")
    p.add_argument("--port", type=int, default=settings.port, help=f"default {settings.port} (ASSISTANT_PORT)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1); the index is built once, "
                   "before they start, and the rate limit is shared between them")
    args = p.parse_args(argv)
    if args.workers < 1:
        p.error("--workers は 1 以上にしてください")
    import uvicorn

    one_thread_per_request()
    try:
        check_writable(settings)
        if args.workers == 1:
            from .engine import Assistant

            app: Any = create_app(Assistant(settings))
        else:
            prepare_index()
            os.environ[MULTI_WORKER_ENV] = "1"  # the workers inherit it: no per-process ask gate (limits.py)
            app = "assistant.server:app_from_env"
    except AssistantError as exc:
        print(f"エラー: {exc.detail}", file=sys.stderr)
        return 2
    print(f"http://{args.host}:{args.port}/ で UI、/docs で API、/embed-demo でウィジェットの見本を公開します"
          f"（ワーカー {args.workers}）", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, workers=args.workers if args.workers > 1 else None,
                factory=args.workers > 1, **UVICORN)
    return 0


def prepare_index() -> None:
    """Build the index in a child process (the supervisor stays small); workers then only open it."""
    done = subprocess.run([sys.executable, "-m", "assistant", "index"], env=os.environ.copy())
    if done.returncode != 0:
        raise AssistantError("インデックスを作成できませんでした（上のメッセージを参照してください）。")
