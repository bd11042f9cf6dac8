"""ASGI guards in front of every route (API, Gradio UI, widget): security headers, blocked routes, a body size
limit, the rate limit, and a 500 in the documented error shape for anything unexpected."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .limits import BODY_BYTES
from .ratelimit import RateLimiter, client_address

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS = {
    # Gradio's page needs inline scripts and styles, and evaluates its HTML components' templates; every script,
    # style, font, image and connection still comes from this origin only
    "content-security-policy": "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' "
    "blob:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "SAMEORIGIN",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
LIMITED_PREFIXES = ("/api/", "/gradio_api/")  # POSTs here ask questions or store feedback
BLOCKED_PREFIXES = ("/gradio_api/upload",)  # the UI has no file input
BODY_METHODS = {"POST", "PUT", "PATCH"}


class ErrorBody(BaseModel):
    """What every error says, in Japanese and English."""

    code: str
    message_ja: str
    message_en: str


class ErrorResponse(BaseModel):
    """Every error response: {"error": {...}}."""

    error: ErrorBody


def error(status: int, code: str, ja: str, en: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error response in Japanese and English."""
    body = ErrorResponse(error=ErrorBody(code=code, message_ja=ja, message_en=en))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def too_large() -> JSONResponse:
    """413 for a body over BODY_BYTES."""
    mib = BODY_BYTES / 1024 / 1024
    return error(413, "payload_too_large", f"リクエストが大きすぎます（上限 {mib:g} MiB）。質問や履歴を短くしてください。",
                 f"The request body is too large (limit {mib:g} MiB). Please shorten the question or history.")


def not_allowed(allowed: set[str]) -> JSONResponse:
    """405 with the methods the route takes."""
    return error(405, "method_not_allowed", "この方法では呼び出せません。", "Method not allowed.",
                 headers={"Allow": ", ".join(sorted(allowed))})


def rate_limited(wait: int) -> JSONResponse:
    """429 with Retry-After."""
    return error(429, "rate_limited", f"リクエストが多すぎます。{wait}秒ほど待ってから再度お試しください。",
                 f"Too many requests. Please retry in about {wait} seconds.", headers={"Retry-After": str(wait)})


def internal_error() -> JSONResponse:
    """500 without any internal detail."""
    return error(500, "internal_error", "内部エラーが発生しました。時間をおいて再度お試しください。",
                 "Internal error. Please try again later.")


class SecurityHeaders:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through, adding headers on the response start."""
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, with_headers)


class Guard:
    """Blocked routes, the body size limit and the rate limit, and a clean 500 when something breaks."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, trusted_proxies: list[str],
                 methods: Callable[[str], set[str] | None] = lambda _path: None) -> None:
        self.app, self.limiter, self.trusted, self.methods = app, limiter, trusted_proxies, methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then run the app, turning an unexpected exception into the documented 500."""
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if path.startswith(BLOCKED_PREFIXES):
            return await error(404, "not_found", "このページはありません。", "Not found.")(scope, receive, send)
        allowed = self.methods(path)
        if allowed is not None and method not in allowed:
            return await not_allowed(allowed)(scope, receive, send)
        if method in BODY_METHODS:
            body = await read_body(scope, receive)
            if body is None:
                return await too_large()(scope, receive, send)
            receive = replay(body, receive)
        if method == "POST" and path.startswith(LIMITED_PREFIXES):
            wait = self.limiter.retry_after(self.client(scope))
            if wait:
                return await rate_limited(wait)(scope, receive, send)
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:  # noqa: BLE001 - logged here, never shown to the client
            traceback.print_exc(file=sys.stderr)
            if not started:
                await internal_error()(scope, receive, send)

    def client(self, scope: Scope) -> str:
        """The rate-limit key: the peer address, or the client behind a trusted proxy."""
        return client_of(scope, self.trusted)


def client_of(scope: Scope, trusted_proxies: list[str]) -> str:
    """Who sent a request: the peer address, or the client behind a trusted proxy."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    headers = dict(scope.get("headers") or [])
    forwarded = headers.get(b"x-forwarded-for", b"").decode("latin-1")
    return client_address(peer, forwarded, trusted_proxies)


async def read_body(scope: Scope, receive: Receive) -> bytes | None:
    """The whole request body, or None once it is over BODY_BYTES (a declared length is checked first)."""
    headers = dict(scope.get("headers") or [])
    declared = headers.get(b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > BODY_BYTES):
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then waits on the real connection."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
