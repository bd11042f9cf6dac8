"""Requests per client per minute, shared by every worker through one small SQLite file; old keys expire."""

from __future__ import annotations

import ipaddress
import math
import sqlite3
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache
from pathlib import Path

PRUNE_EVERY = 200  # requests between deletions of expired keys


class RateLimiter:
    """A sliding one-minute window (two fixed minutes, the older one weighted by how much of it still counts)."""

    def __init__(self, per_minute: int, path: Path | None = None) -> None:
        self.per_minute = per_minute
        self.path = str(path) if path else ":memory:"
        self._local = threading.local()
        self._calls = 0
        self._memory: sqlite3.Connection | None = None
        if per_minute > 0:
            if path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db().execute("CREATE TABLE IF NOT EXISTS hits (client TEXT, minute INTEGER, n INTEGER, "
                               "PRIMARY KEY (client, minute)) WITHOUT ROWID")

    def _db(self) -> sqlite3.Connection:
        """This thread's connection (one shared connection for an in-memory table)."""
        if self.path == ":memory:":
            if self._memory is None:
                self._memory = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            return self._memory
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=1, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            self._local.db = db
        return db

    def retry_after(self, client: str, now: float | None = None) -> int:
        """0 when the request may go ahead (and is counted), else the seconds to wait."""
        if self.per_minute <= 0:
            return 0
        now = time.time() if now is None else now
        minute, into = divmod(now, 60)
        minute = int(minute)
        try:
            return self._count(self._db(), client, minute, into / 60)
        except sqlite3.Error:
            return 0  # the limiter failing must not take the service down

    def _count(self, db: sqlite3.Connection, client: str, minute: int, frac: float) -> int:
        """Check and count one request in one transaction."""
        with self._guard():
            db.execute("BEGIN IMMEDIATE")
            try:
                rows = dict(db.execute("SELECT minute, n FROM hits WHERE client = ? AND minute >= ?",
                                       (client, minute - 1)).fetchall())
                before, now_n = rows.get(minute - 1, 0), rows.get(minute, 0)
                if before * (1 - frac) + now_n >= self.per_minute:
                    db.execute("COMMIT")
                    return self._wait(before, now_n, frac)
                db.execute("INSERT INTO hits VALUES (?, ?, 1) ON CONFLICT (client, minute) DO UPDATE SET n = n + 1",
                           (client, minute))
                self._calls += 1
                if self._calls % PRUNE_EVERY == 0:
                    _forget_before(db, minute)
                db.execute("COMMIT")
                return 0
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _wait(self, before: int, now_n: int, frac: float) -> int:
        """Seconds until the weighted count drops below the limit."""
        if now_n >= self.per_minute:
            return max(1, math.ceil((1 - frac) * 60))
        # before * (1 - f) + now_n < limit  ⇔  f > 1 - (limit - now_n) / before
        target = 1 - (self.per_minute - now_n) / before
        return max(1, math.ceil((target - frac) * 60) + 1)

    def keys(self) -> int:
        """How many client-minute rows are held (expired ones are pruned as requests come in)."""
        if self.per_minute <= 0:
            return 0
        return int(self._db().execute("SELECT COUNT(*) FROM hits").fetchone()[0])

    def prune(self, now: float | None = None) -> None:
        """Drop every key older than the window."""
        if self.per_minute > 0:
            with self._guard():
                _forget_before(self._db(), int((time.time() if now is None else now) // 60))

    def _guard(self) -> AbstractContextManager:
        """The in-memory table's connection is shared by threads; a file has one connection per thread."""
        return _MEMORY_LOCK if self.path == ":memory:" else nullcontext()


_MEMORY_LOCK = threading.Lock()


def _forget_before(db: sqlite3.Connection, minute: int) -> None:
    """Delete the counts that no longer fall in the window ending in this minute."""
    db.execute("DELETE FROM hits WHERE minute < ?", (minute - 1,))


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The trusted proxies as networks, parsed once per configuration rather than per request."""
    return tuple(ipaddress.ip_network(t, strict=False) for t in trusted)


def is_trusted(addr: str, trusted: tuple[str, ...] | list[str]) -> bool:
    """True when an address lies in one of the trusted proxy networks."""
    nets = _networks(tuple(trusted))
    if not nets:
        return False
    try:
        ip = ipaddress.ip_address(addr.strip())
    except ValueError:
        return False
    return any(ip in n for n in nets)


def client_address(peer: str, forwarded_for: str, trusted: list[str]) -> str:
    """The client's address: the peer, or when the peer is a trusted proxy, the last untrusted X-Forwarded-For hop."""
    if not trusted or not forwarded_for or not is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, trusted):
            return hop[:64]
    return peer
