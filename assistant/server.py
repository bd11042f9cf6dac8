"""One server: the JSON API and widget from api.py, the Gradio UI mounted at /."""

from __future__ import annotations

import argparse
import socket
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
from .errors import AssistantError
from .feedback import FeedbackStore
from .ui import CSS, HEAD, MIDDLEWARE, build_ui, theme


def create_app(bot: Any) -> FastAPI:
    """API routes first, then the UI at / (so /api, /docs, /widget.js keep their handlers)."""
    store = FeedbackStore(bot.settings.feedback_path)
    app = create_api(bot, store)
    return gr.mount_gradio_app(app, build_ui(bot, store), path="/", theme=theme(), css=CSS, head=HEAD,
                               footer_links=[], run_history=False, app_kwargs={"middleware": MIDDLEWARE})


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """Run an app with uvicorn on a free loopback port in a thread; yields its base URL, stops on exit."""
    import httpx
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main(argv: list[str] | None = None) -> int:
    """python app.py [--host H] [--port P]: build the index if needed and serve."""
    settings = Settings()
    p = argparse.ArgumentParser(description="金沢市DXアクションプラン2.0 アシスタントを起動します")
    p.add_argument("--host", default=settings.host, help=f"default {settings.host} (ASSISTANT_HOST)")
    p.add_argument("--port", type=int, default=settings.port, help=f"default {settings.port} (ASSISTANT_PORT)")
    args = p.parse_args(argv)
    import uvicorn

    from .engine import Assistant

    try:
        bot = Assistant(settings)
    except AssistantError as exc:
        print(f"エラー: {exc.detail}", file=sys.stderr)
        return 2
    print(f"http://{args.host}:{args.port}/ で UI、/docs で API、/embed-demo でウィジェットの見本を公開します",
          file=sys.stderr)
    uvicorn.run(create_app(bot), host=args.host, port=args.port, log_level="warning")
    return 0
