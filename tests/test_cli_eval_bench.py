"""`python -m assistant eval` and `bench` on small inputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT

CASES = [
    {"id": "t1", "kind": "who", "q": "のりまっし金沢の運営はどこ？", "must": ["交通政策課"]},
    {"id": "t2", "kind": "kpi", "q": "かなパスの利用者数の目標は？", "must": ["40,000"]},
    {"id": "t3", "kind": "refuse", "q": "今日の天気は？", "refuse": True},
]


def write_cases(path: Path, cases: list[dict]) -> Path:
    """A JSONL question file."""
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n", encoding="utf-8")
    return path


def cli(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI with the test environment (temp index)."""
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=600, env=dict(os.environ))


def test_eval_passes_and_reports_per_kind(bot, tmp_path: Path) -> None:  # noqa: ANN001
    res = cli("eval", str(write_cases(tmp_path / "q.jsonl", CASES)), "--min-score", "1.0")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "who        1/1" in res.stdout and "score 3/3 = 100.0%" in res.stdout


def test_eval_shows_failures_with_the_answer_and_fails_under_min_score(bot, tmp_path: Path) -> None:  # noqa: ANN001
    wrong = CASES + [{"id": "t4", "kind": "who", "q": "のりまっし金沢の運営はどこ？", "must": ["文化政策課"]}]
    res = cli("eval", str(write_cases(tmp_path / "q.jsonl", wrong)), "--min-score", "0.9")
    assert res.returncode == 1
    assert "FAIL t4" in res.stdout and "missing ['文化政策課']" in res.stdout and "交通政策課" in res.stdout
    assert "score 3/4 = 75.0%" in res.stdout


def test_eval_missing_file_is_a_clear_error(bot, tmp_path: Path) -> None:  # noqa: ANN001
    res = cli("eval", str(tmp_path / "nope.jsonl"))
    assert res.returncode == 2 and "見つかりません" in res.stderr


@pytest.mark.slow
def test_bench_quick_on_a_small_set(bot, tmp_path: Path) -> None:  # noqa: ANN001
    from assistant.bench import run_bench

    out = tmp_path / "bench.json"
    assert run_bench(quick=True, output=out, questions_file=write_cases(tmp_path / "q.jsonl", CASES)) == 0
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["build_s"] > 0 and r["startup_s"] > 0 and r["peak_rss_mb"] > 0
    assert r["accuracy"] == 1.0 and r["questions"] == 3
    assert set(r["http"]) == {"1", "2"}  # worker processes, each loaded by 1 and 8 clients with distinct questions
    for by_clients in r["http"].values():
        assert set(by_clients) == {"1", "8"}
        assert all(v["requests"] > 0 and v["failed"] == 0 for v in by_clients.values())
    assert r["worst_case"]["max_ms"] > 0 and len(r["worst_case"]["by_input"]) == 5
    assert r["baseline"]["questions"] == 2 and 0 <= r["baseline"]["context_recall"] <= 1
    assert r["baseline"]["chunks"] > 10
    assert r["baseline"]["embedding_p50_ms"] > 0  # the ratios the assistant is judged by come from this same run
    q = r["ratios"]
    assert q["ask_p50_over_naive_p50"] == pytest.approx(r["ask_p50_ms"] / r["baseline"]["retrieval_p50_ms"], abs=0.01)
    assert q["worst_over_naive_p50"] == pytest.approx(r["worst_case"]["max_ms"] / r["baseline"]["retrieval_p50_ms"],
                                                      abs=0.01)
    assert set(q) >= {"ask_p50_over_embedding_p50", "http_rps_x_ask_p50_s_1_workers", "http_rps_x_ask_p50_s_2_workers"}


def test_http_load_sends_the_sets_own_single_turn_questions_each_once() -> None:
    """The throughput is multiplied by the set's ask p50, so the load sends that set's questions (no follow-up: it
    would need its history), each once; a set too small for the load is topped up with the project's others."""
    from assistant.evaluate import DEFAULT_SET, load_cases
    from assistant.load import MIN_POOL, distinct_questions

    cases = load_cases(DEFAULT_SET)
    pool = distinct_questions(cases)
    assert pool == list(dict.fromkeys(c["q"] for c in cases if not c.get("history"))) and len(pool) >= MIN_POOL
    small = distinct_questions(cases[:3])
    assert small[:3] == [c["q"] for c in cases[:3]] and len(small) == len(set(small)) >= MIN_POOL


def test_each_client_count_gets_a_sample_of_the_whole_pool_in_proportion() -> None:
    """HTTP load's shares: disjoint, covering the pool, sized 1:8, and each spread over the pool's length."""
    from assistant.load import shares

    pool = [f"q{i}" for i in range(900)]
    one, eight = shares(pool, (1, 8))
    assert sorted(one + eight) == sorted(pool) and not set(one) & set(eight)
    assert (len(one), len(eight)) == (100, 800)
    for part in (one, eight):
        at = [pool.index(q) for q in part]
        assert min(at) < 10 and max(at) > 880  # drawn from the first questions to the last
