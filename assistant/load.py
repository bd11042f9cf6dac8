"""Benchmark parts that measure cost under pressure: the worst request's CPU, and HTTP load from distinct
questions against real server processes with one and with several workers."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .config import PROJECT_ROOT
from .retrieve import clear_caches

KANJI = "金沢市行政手続電子申請窓口図書館交通観光防災子育教育健康福祉産業環境文化"


MIN_POOL = 200  # questions HTTP load needs at least (each client count gets its own slice)


def distinct_questions(cases: list[dict]) -> list[str]:
    """The single-turn questions of a set, each once: what HTTP load sends (a follow-up needs its history), the
    same questions whose ask p50 the throughput is set against; a small set is topped up with the project's
    other questions (eval/**/*.jsonl), so that no question is asked twice of one server."""
    pool = dict.fromkeys(c["q"] for c in cases if not c.get("history"))
    for path in sorted((PROJECT_ROOT / "eval").rglob("*.jsonl")) if len(pool) < MIN_POOL else []:
        for line in path.open(encoding="utf-8"):
            if line.strip() and not (case := json.loads(line)).get("history"):
                pool.setdefault(case["q"], None)
    return list(pool)


def pct(values: list[float], p: float) -> float:
    """Percentile (nearest rank) of a list."""
    v = sorted(values)
    return v[min(len(v) - 1, int(p * len(v)))] if v else 0.0


def worst_inputs(rng: random.Random, plan_text: str) -> dict[str, tuple[str, list[Any]]]:
    """The heaviest requests the API accepts: long questions with long history, and a short follow-up whose
    history takes the rest of the embedding budget."""
    def noise(n: int) -> str:
        return "".join(rng.choice(KANJI) for _ in range(n))

    start = rng.randrange(0, max(1, len(plan_text) - 4000))
    plan = "".join(c for c in plan_text[start : start + 3000] if c.isprintable() and c not in "<>")
    return {
        "random kanji": (noise(1000), [{"role": "user", "content": noise(1200)} for _ in range(50)]),
        "plan text": (plan[:1000], [plan[1000:2200], plan[1800:3000]] * 25),
        "repeated word": ("ごみ" * 500, ["ごみ" * 600] * 50),
        "long English": (("Which department runs the digital services for " * 25)[:1000],
                         ["Tell me about the smart city plan and every initiative " * 20] * 50),
        "short question, long history": ("その担当は？", [noise(1200), plan[:1200]] * 25),
    }


def worst_case_cpu(bot: Any, rounds: int, plan_text: str) -> dict[str, Any]:
    """CPU milliseconds of the heaviest requests after warm-up (distinct texts, caches cleared each time)."""
    rng = random.Random(7)
    for question, history in worst_inputs(rng, plan_text).values():  # warm-up
        bot.ask(question, history=history)
    per_shape: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, (question, history) in worst_inputs(rng, plan_text).items():
            clear_caches()
            t = time.process_time()
            bot.ask(question, history=history)
            per_shape.setdefault(name, []).append((time.process_time() - t) * 1000)
    every = [v for vs in per_shape.values() for v in vs]
    return {"max_ms": round(max(every), 1), "median_ms": round(statistics.median(every), 1),
            "by_input": {k: round(max(v), 1) for k, v in per_shape.items()}}


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (Linux /proc; 0 elsewhere)."""
    stats: dict[int, tuple[int, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(stat.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    tree, total, grew = {root}, 0.0, True
    while grew:
        more = {pid for pid, (ppid, _) in stats.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    for pid in tree:
        total += stats.get(pid, (0, 0.0))[1]
    return total


@contextmanager
def server_process(index_dir: Path, workers: int, stderr: Path | None = None, idle: bool = False,
                   **env: str) -> Iterator[tuple[str, int]]:
    """`python app.py --workers N` on a free port (rate limit off unless env says otherwise, feedback in a temp
    folder, its error output in `stderr` or a temp file); yields its URL and pid once healthy (idle: and once every
    worker has loaded), else fails with the end of its error output."""
    from .server import free_port, wait_healthy

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, ASSISTANT_INDEX_DIR=str(index_dir), ASSISTANT_RATE_LIMIT_PER_MINUTE="0",
                   ASSISTANT_FEEDBACK_DB=str(Path(tmp) / "fb.sqlite3")) | env
        errors = stderr or Path(tmp) / "stderr.txt"
        with errors.open("w") as err:
            proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--workers", str(workers)],
                                    env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=err)
        url = f"http://127.0.0.1:{port}"
        try:
            if not wait_healthy(url, timeout=180):
                raise RuntimeError(f"the {workers}-worker server did not start: {errors.read_text()[-2000:]}")
            if idle:  # for timing: every worker loaded, not only the one that answered /healthz
                settle(proc.pid)
            yield url, proc.pid
        finally:
            proc.terminate()
            proc.wait(timeout=60)


def settle(pid: int, timeout: float = 120, quiet: float = 0.25) -> None:
    """Wait until a server's processes are idle: /healthz answers from the first worker that is up, while the
    others may still be loading their model (which would be timed as load)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cpu, t = tree_cpu_seconds(pid), time.perf_counter()
        time.sleep(1)
        if (tree_cpu_seconds(pid) - cpu) / (time.perf_counter() - t) < quiet:
            return


def load(url: str, questions: list[str], clients: int, time_limit: float) -> dict[str, float]:
    """POST /api/ask from `clients` threads (plain keep-alive http.client: the load generator stays light),
    each question once, until they run out or time is up."""
    from http.client import HTTPConnection
    from urllib.parse import urlsplit

    where = urlsplit(url)
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + time_limit

    def client(mine: list[str]) -> None:
        nonlocal failures
        conn = HTTPConnection(where.hostname, where.port, timeout=60)
        try:
            for q in mine:
                if time.perf_counter() > deadline:
                    return
                body = json.dumps({"question": q}).encode()
                t = time.perf_counter()
                conn.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                with lock:
                    latencies.append((time.perf_counter() - t) * 1000)
                    failures += response.status != 200
        finally:
            conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, [questions[k::clients] for k in range(clients)]))
    wall = time.perf_counter() - start
    return {"requests": len(latencies), "failed": failures, "rps": round(len(latencies) / wall, 1),
            "p50_ms": round(pct(latencies, 0.5), 1), "p95_ms": round(pct(latencies, 0.95), 1)}


def shares(pool: list[str], clients: tuple[int, ...]) -> list[list[str]]:
    """Each client count's own questions, in proportion to it and drawn across the whole pool (every len(clients)-th
    run of the pattern), so that each is a sample of the set whose ask p50 the throughput is set against: the set's
    later questions (long staff ones) are costlier than its first ones, and a contiguous slice would weigh them."""
    pattern = [k for k, c in enumerate(clients) for _ in range(c)]
    out: list[list[str]] = [[] for _ in clients]
    for i, q in enumerate(pool):
        out[pattern[i % len(pattern)]].append(q)
    return out


def http_load(index_dir: Path, pool: list[str], workers: tuple[int, ...], clients: tuple[int, ...],
              time_limit: float, say: Any) -> dict[str, dict[str, dict[str, float]]]:
    """Throughput and latency per worker count and client count, from distinct questions (`pool`): no question
    is asked twice of one server."""
    results: dict[str, dict[str, dict[str, float]]] = {}
    for n in workers:
        with server_process(index_dir, n, idle=True) as (url, pid):
            load(url, ["ウォームアップ", "かなパスの担当は？"] * n, n, time_limit)
            results[str(n)] = {}
            for c, share in zip(clients, shares(pool, clients), strict=True):
                cpu, wall = tree_cpu_seconds(pid), time.perf_counter()
                results[str(n)][str(c)] = load(url, share, c, time_limit)
                busy = (tree_cpu_seconds(pid) - cpu) / (time.perf_counter() - wall)
                results[str(n)][str(c)]["server_cpu_pct"] = round(100 * busy)
                say(f"HTTP {n} worker(s), {c} client(s): {results[str(n)][str(c)]}")
    return results
