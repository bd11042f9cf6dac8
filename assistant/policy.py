"""What the public may reach and whom to believe: the routes the UI needs, the hosts the server answers as, the
origins that may call it, and the proxy headers taken only from trusted proxies. Pure functions; guards.py
applies them to every request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from .ratelimit import is_trusted

# Gradio routes the chat page uses (seen in Chromium: page, assets, queue, heartbeat); everything else Gradio
# serves (/config, /gradio_api/info, run/call APIs, uploads, recordings, files, monitoring, dev reload, login,
# logout, vibe editing, …) is not needed in production and answers 404.
UI_PATHS = frozenset({"/", "/favicon.ico", "/theme.css", "/gradio_api/queue/join", "/gradio_api/queue/data"})
UI_PREFIXES = ("/assets/", "/static/", "/gradio_api/heartbeat/")
QUEUE_DATA = "/gradio_api/queue/data"
# Headers that name the public host or scheme: believed from trusted proxies only, dropped otherwise.
PROXY_HEADERS = frozenset({b"x-forwarded-host", b"x-forwarded-proto", b"x-forwarded-port", b"x-forwarded-prefix",
                           b"forwarded", b"x-gradio-server", b"x-forwarded-for"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Routes:
    """The routes the server answers: its own (exact paths and mounted prefixes) and the UI's."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def open(self, path: str) -> bool:
        """True when the path is one of ours or one the chat page needs."""
        return (path in self.exact or path.startswith(self.prefixes) or path in UI_PATHS
                or path.startswith(UI_PREFIXES))


def host_name(host: str) -> str:
    """The name part of a Host value ('[::1]:7860' → '::1', 'a.example:80' → 'a.example'), lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_hosts(public_url: str, extra: Iterable[str]) -> frozenset[str]:
    """Loopback names, the public URL's host and any configured names."""
    names = set(LOOPBACK_HOSTS) | {host_name(h) for h in extra if h}
    if public_url:
        names.add(host_name(urlsplit(public_url).netloc))
    return frozenset(names)


def origin_allowed(origin: str, host: str, allowed: Iterable[str]) -> bool:
    """A request's Origin may act: the page is served by this host, or its origin is configured."""
    if origin in allowed:
        return True
    parts = urlsplit(origin)
    return bool(parts.netloc) and netloc(parts.scheme, parts.netloc) == netloc(parts.scheme, host)


def netloc(scheme: str, where: str) -> str:
    """host:port with the scheme's default port made explicit, for comparing an Origin with a Host."""
    where = where.strip().lower()
    bare = where.rsplit("]", 1)[-1]
    if ":" in bare:
        return where
    return f"{where}:{443 if scheme == 'https' else 80}"


def believed_headers(headers: list[tuple[bytes, bytes]], peer: str, trusted: tuple[str, ...]) -> list[tuple[bytes, bytes]]:
    """The request headers minus the proxy headers, unless the peer is a trusted proxy."""
    if is_trusted(peer, trusted):
        return headers
    return [(k, v) for k, v in headers if k.lower() not in PROXY_HEADERS]


def effective_host(headers: dict[bytes, bytes]) -> str:
    """The host the client asked for: X-Forwarded-Host when it was kept (a trusted proxy), else Host."""
    forwarded = headers.get(b"x-forwarded-host", b"").decode("latin-1").split(",")[0].strip()
    return forwarded or headers.get(b"host", b"").decode("latin-1")


def session_hash(query_string: bytes) -> str:
    """The session_hash parameter of a query string ('' when absent)."""
    values = parse_qs(query_string.decode("latin-1")).get("session_hash", [""])
    return values[0]
