"""FastAPI JSON API, widget assets and the Gradio UI mounted at /. No answering logic here."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from .errors import AssistantError, InputError
from .feedback import Feedback, FeedbackStore
from .models import Answer

STATIC = Path(__file__).parent / "static"


class Turn(BaseModel):
    """One earlier turn of the conversation."""

    role: str = Field(default="user", max_length=20)
    content: str = Field(default="", max_length=20000)


class AskRequest(BaseModel):
    """Body of POST /api/ask."""

    question: str = Field(description="質問 (1–1000 characters)", max_length=100_000)
    history: list[Turn | str] = Field(default_factory=list, max_length=50)


class ErrorBody(BaseModel):
    """Every error the API returns."""

    code: str
    message_ja: str
    message_en: str


def error(status: int, code: str, ja: str, en: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error response in Japanese and English."""
    body = {"error": ErrorBody(code=code, message_ja=ja, message_en=en).model_dump()}
    return JSONResponse(body, status_code=status, headers=headers)


class RateLimiter:
    """A sliding one-minute window of requests per client."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.hits: dict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, client: str, now: float | None = None) -> int:
        """0 when the request may go ahead (and is counted), else seconds to wait."""
        if self.per_minute <= 0:
            return 0
        now = time.monotonic() if now is None else now
        window = self.hits[client]
        while window and now - window[0] >= 60:
            window.popleft()
        if len(window) >= self.per_minute:
            return max(1, int(60 - (now - window[0])) + 1)
        window.append(now)
        return 0


def create_api(bot: Any, feedback: FeedbackStore | None = None) -> FastAPI:
    """The FastAPI app around an Assistant (anything with .ask and .settings)."""
    settings = bot.settings
    app = FastAPI(title="金沢市DXアクションプラン2.0 アシスタント API", version="0.1.0")
    app.state.bot = bot
    app.state.feedback = feedback or FeedbackStore(settings.feedback_path)
    limiter = RateLimiter(settings.rate_limit_per_minute)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"])

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_request: Request, _exc: RequestValidationError) -> JSONResponse:
        return error(422, "invalid_request", "リクエストの形式が正しくありません。JSONで {\"question\": \"…\"} を送ってください。",
                     "The request body is malformed. Send JSON like {\"question\": \"...\"}.")

    @app.exception_handler(AssistantError)
    async def assistant_error(_request: Request, exc: AssistantError) -> JSONResponse:
        status = 400 if isinstance(exc, InputError) else 503
        return error(status, type(exc).__name__, exc.detail, exc.message_en)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        return error(500, "internal_error", "内部エラーが発生しました。時間をおいて再度お試しください。",
                     "Internal error. Please try again later.")

    @app.middleware("http")
    async def rate_limit(request: Request, call_next):  # noqa: ANN001, ANN202
        if request.url.path.startswith("/api/"):
            client = request.client.host if request.client else "unknown"
            wait = limiter.retry_after(client)
            if wait:
                return error(429, "rate_limited", f"リクエストが多すぎます。{wait}秒ほど待ってから再度お試しください。",
                             f"Too many requests. Please retry in about {wait} seconds.",
                             headers={"Retry-After": str(wait)})
        return await call_next(request)

    @app.post("/api/ask", response_model=Answer, responses={400: {"model": ErrorBody}, 429: {"model": ErrorBody}})
    def ask(req: AskRequest) -> Answer:
        """Answer a question about the plan, with citations."""
        history = [t if isinstance(t, str) else t.model_dump() for t in req.history]
        return app.state.bot.ask(req.question, history=history)

    @app.post("/api/feedback")
    def feedback_endpoint(item: Feedback) -> dict[str, Any]:
        """Store 👍/👎 for an answer."""
        return {"id": app.state.feedback.add(item), "counts": app.state.feedback.counts()}

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        """Liveness and what is loaded."""
        plan = getattr(bot, "plan", None)
        manifest = getattr(bot, "manifest", None)
        return {"status": "ok", "initiatives": len(plan.initiatives) if plan else None,
                "index": manifest.build_dir if manifest else None}

    @app.get("/widget.js", include_in_schema=False)
    def widget() -> FileResponse:
        """The embeddable chat widget."""
        return FileResponse(STATIC / "widget.js", media_type="application/javascript; charset=utf-8",
                            headers={"Cache-Control": "public, max-age=300"})

    @app.get("/embed-demo", include_in_schema=False)
    def embed_demo() -> HTMLResponse:
        """A sample city page with the one-line embed tag."""
        return HTMLResponse((STATIC / "embed-demo.html").read_text(encoding="utf-8"))

    return app
