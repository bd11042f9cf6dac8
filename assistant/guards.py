"""ASGI guards in front of every route (API, Gradio UI, widget): security headers, blocked routes, a body size
limit, the rate limit, and a 500 in the documented error shape for anything unexpected."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import policy
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
LIMITED_PREFIXES = ("/api/", "/gradio_api/")  # POSTs here ask questions or store feedback; GETs here stream
BODY_METHODS = {"POST", "PUT", "PATCH"}
# What a status says when the route's own answer is not in the error shape (Gradio's {"detail": …}, plain text).
STATUS_TEXT = {
    400: ("invalid_request", "リクエストを読み取れませんでした。", "The request could not be read."),
    401: ("forbidden", "このページは利用できません。", "Not available."),
    403: ("forbidden", "このページは利用できません。", "Not available."),
    404: ("not_found", "そのURLはありません。", "No such URL."),
    405: ("method_not_allowed", "この方法では呼び出せません。", "Method not allowed."),
    413: ("payload_too_large", "リクエストが大きすぎます。", "The request body is too large."),
    422: ("invalid_request", "リクエストの形式が正しくありません。", "The request is malformed."),
    429: ("rate_limited", "リクエストが多すぎます。しばらく待ってから再度お試しください。", "Too many requests."),
    500: ("internal_error", "内部エラーが発生しました。時間をおいて再度お試しください。",
          "Internal error. Please try again later."),
    503: ("unavailable", "ただいま混み合っています。時間をおいて再度お試しください。",
          "The service is busy. Please try again later."),
}


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
    return by_status(500)


def by_status(status: int) -> JSONResponse:
    """The error shape for a status, with the status's generic message."""
    code, ja, en = STATUS_TEXT.get(status) or STATUS_TEXT[400 if status < 500 else 500]
    return error(status, code, ja, en)


def bad_host() -> JSONResponse:
    """400 for a Host this server does not answer as."""
    return error(400, "unknown_host", "このホスト名では利用できません。",
                 "This host name is not served here (set ASSISTANT_PUBLIC_URL or ASSISTANT_ALLOWED_HOSTS).")


def cross_origin() -> JSONResponse:
    """403 for a request sent by a page on an origin that may not call this server."""
    return error(403, "origin_not_allowed", "このサイトからは利用できません。",
                 "Requests from this origin are not allowed (ASSISTANT_CORS_ORIGINS).")


def unknown_session() -> JSONResponse:
    """404 for a UI stream of a session this server does not know."""
    return error(404, "unknown_session", "会話が見つかりません。ページを読み込み直してください。",
                 "Unknown session. Please reload the page.")


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


@dataclass
class Exposure:
    """What the guard lets through: routes, hosts, origins, proxies, and the UI's live sessions."""

    routes: policy.Routes | None = None  # None: every route (an app without the UI's allow-list)
    hosts: frozenset[str] = policy.LOOPBACK_HOSTS
    origins: tuple[str, ...] = ()
    trusted: tuple[str, ...] = ()
    methods: Callable[[str], set[str] | None] = lambda _path: None
    known_session: Callable[[str], bool] | None = None  # whether the mounted UI's queue has a session


class Guard:
    """Closed routes, hosts, cross-origin writes, the body size limit and the rate limit, and a clean 500 when
    something breaks. Proxy headers reach the app only from trusted proxies."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, exposure: Exposure) -> None:
        self.app, self.limiter, self.x = app, limiter, exposure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then run the app, turning an unexpected exception into the documented 500."""
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refused = self.refusal(scope)
        if refused is not None:
            return await refused(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if method in BODY_METHODS:
            body = await read_body(scope, receive)
            if body is None:
                return await too_large()(scope, receive, send)
            receive = replay(body, receive)
        if path.startswith(LIMITED_PREFIXES) and method in ("GET", "POST"):
            wait = self.limiter.retry_after(self.client(scope))
            if wait:
                return await rate_limited(wait)(scope, receive, send)
        if path == policy.QUEUE_DATA and self.x.known_session and not self.x.known_session(
                policy.session_hash(scope.get("query_string", b""))):
            return await unknown_session()(scope, receive, send)  # counted above; Gradio would log a traceback
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

    def refusal(self, scope: Scope) -> JSONResponse | None:
        """Why a request is refused before it reaches the app (None: it may go on); drops untrusted proxy headers."""
        x = self.x
        peer = (scope.get("client") or ("unknown", 0))[0]
        scope["headers"] = policy.believed_headers(list(scope.get("headers") or []), peer, x.trusted)
        headers = dict(scope["headers"])
        path, method = scope.get("path", ""), scope.get("method", "GET")
        host = policy.effective_host(headers)
        if policy.host_name(host) not in x.hosts:
            return bad_host()
        if x.routes is not None and not x.routes.open(path):
            return by_status(404)
        allowed = x.methods(path)
        if allowed is not None and method not in allowed:
            return not_allowed(allowed)
        origin = headers.get(b"origin", b"").decode("latin-1")
        if origin and method not in policy.SAFE_METHODS and not policy.origin_allowed(origin, host, x.origins):
            return cross_origin()
        return None

    def client(self, scope: Scope) -> str:
        """The rate-limit key: the peer address, or the client behind a trusted proxy."""
        return client_of(scope, list(self.x.trusted))


class ErrorShape:
    """Every error response in the documented shape: a route's own error body that is not ({"detail": …} from
    Gradio, a plain-text 500, a CORS refusal) is replaced by the status's generic message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hold back the body of an error response until it is known to be in the shape."""
        if scope["type"] != "http" or scope.get("method") == "HEAD":
            return await self.app(scope, receive, send)
        start: Message = {}
        chunks: list[bytes] = []

        async def shaped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start" and message.get("status", 200) >= 400:
                start = message
                return
            if not start or message["type"] != "http.response.body":
                return await send(message)
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if not in_shape(body):
                body = by_status(start["status"]).body
                kept = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length",
                                                                                          b"content-type")]
                start = {**start, "headers": [*kept, (b"content-type", b"application/json"),
                                              (b"content-length", str(len(body)).encode())]}
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, shaped)


def in_shape(body: bytes) -> bool:
    """True when a body is {"error": {"code": …, …}}."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("error"), dict) and "code" in data["error"]


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
