"""JSON API through FastAPI's TestClient: answers, citations, error codes, rate limit, CORS, feedback."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import isolated

from assistant.api import RateLimiter, create_api
from assistant.feedback import FeedbackStore
from assistant.server import create_app


@pytest.fixture()
def client(bot, tmp_path: Path) -> TestClient:  # noqa: ANN001
    return TestClient(create_api(isolated(bot, tmp_path, rate_limit_per_minute=1000)))


def test_ask_returns_the_answer_model_with_citations(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "結ネットの普及はどこの担当？"})
    assert r.status_code == 200
    body = r.json()
    assert body["grounded"] is True and "市民協働推進課" in body["text"]
    assert body["citations"][0]["departments"] == ["市民協働推進課"]
    assert body["citations"][0]["years"]["2026"] == "継続・拡大"


def test_history_makes_follow_ups_work(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "2028年度はどうなる？",
                                      "history": [{"role": "user", "content": "学校デジタル推進リーダーの育成の担当は？"}]})
    assert r.status_code == 200 and "予定なし" in r.json()["text"]


def test_decline_is_200_with_grounded_false(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "金沢の明日の天気は？"})
    assert r.status_code == 200 and r.json()["grounded"] is False


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"question": ""}, 400, "EmptyQuestionError"),
        ({"question": "あ" * 1001}, 400, "QuestionTooLongError"),
        ({"q": "missing field"}, 422, "invalid_request"),
        ({"question": 123}, 422, "invalid_request"),
        ({"question": "x", "history": "not a list"}, 422, "invalid_request"),
    ],
)
def test_bad_input_is_4xx_json_in_two_languages(client: TestClient, payload, status: int, code: str) -> None:  # noqa: ANN001
    r = client.post("/api/ask", json=payload)
    assert r.status_code == status
    err = r.json()["error"]
    assert err["code"] == code and err["message_ja"] and err["message_en"]


@pytest.mark.parametrize(("question", "words"), [("<script>alert(1)</script>", "HTML"), ("かなパス\x07の担当は？", "制御文字"),
                                               ("   ", "空"), ("<b>Who runs it?</b>", "HTML or script")])
def test_questions_the_schema_allows_but_we_do_not_take_are_declined(client: TestClient, question: str,
                                                                     words: str) -> None:
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200
    body = r.json()
    assert body["grounded"] is False and body["kind"] == "rejected" and words in body["text"]
    assert body["citations"] == []


def test_malformed_json_body(client: TestClient) -> None:
    r = client.post("/api/ask", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_rate_limit_answers_429_with_retry_after(bot, tmp_path: Path) -> None:  # noqa: ANN001
    c = TestClient(create_api(isolated(bot, tmp_path, rate_limit_per_minute=3)))
    codes = [c.post("/api/ask", json={"question": "かなパスの担当は？"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    r = c.post("/api/ask", json={"question": "かなパスの担当は？"})
    assert int(r.headers["Retry-After"]) >= 1 and "待って" in r.json()["error"]["message_ja"]
    assert c.get("/healthz").status_code == 200  # only /api/ is limited


def test_rate_limiter_window_slides() -> None:
    rl = RateLimiter(2)
    assert rl.retry_after("a", now=0) == 0 and rl.retry_after("a", now=1) == 0
    assert rl.retry_after("a", now=2) > 0 and rl.retry_after("b", now=2) == 0
    assert rl.retry_after("a", now=61) == 0


def test_cors_allow_list(bot, tmp_path: Path) -> None:  # noqa: ANN001
    c = TestClient(create_api(isolated(bot, tmp_path, cors_origins=["https://www4.city.kanazawa.lg.jp"])))
    ok = c.options("/api/ask", headers={"Origin": "https://www4.city.kanazawa.lg.jp",
                                        "Access-Control-Request-Method": "POST"})
    assert ok.headers.get("access-control-allow-origin") == "https://www4.city.kanazawa.lg.jp"
    bad = c.options("/api/ask", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in bad.headers


def test_feedback_survives_a_restart(bot, tmp_path: Path) -> None:  # noqa: ANN001
    p = isolated(bot, tmp_path)
    c = TestClient(create_api(p))
    assert c.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "up"}).status_code == 200
    assert c.post("/api/feedback", json={"question": "q", "answer": "a", "rating": "meh"}).status_code == 422
    assert FeedbackStore(p.settings.feedback_path).counts() == {"up": 1, "down": 0}


def test_full_app_serves_ui_widget_demo_docs(bot, tmp_path: Path) -> None:  # noqa: ANN001
    c = TestClient(create_app(isolated(bot, tmp_path, health_details=True)))
    assert c.get("/healthz").json()["initiatives"] == 94
    assert "gradio" in c.get("/").text.lower()
    js = c.get("/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and "/api/ask" in js.text
    assert "innerHTML" not in js.text  # answers go in as text only
    assert 'src="/widget.js"' in c.get("/embed-demo").text
    assert c.get("/docs").status_code == 200
    assert "/api/ask" in c.get("/openapi.json").json()["paths"]
