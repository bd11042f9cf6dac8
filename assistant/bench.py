"""Benchmark: build, start-up, memory, ask latency, worst-case cost, HTTP throughput with 1 and 2 workers,
and a naive LangChain RAG baseline."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .config import PROJECT_ROOT, Settings
from .embeddings import one_thread_per_request
from .evaluate import DEFAULT_SET, load_cases, run_eval
from .load import distinct_questions, http_load, pct, worst_case_cpu
from .retrieve import clear_caches
from .understand.conversation import user_turns


def say(msg: str) -> None:
    """Progress to stderr."""
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def measure_build(index_dir: Path) -> float:
    """Seconds for `python -m assistant index` to build from scratch in a fresh process (parse, embed, write)."""
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}  # a build uses every core
    env["ASSISTANT_INDEX_DIR"] = str(index_dir)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "assistant", "index"], env=env, cwd=PROJECT_ROOT, capture_output=True,
                   timeout=600, check=True)
    return time.perf_counter() - t


def measure_startup(index_dir: Path, runs: int) -> float:
    """Median seconds for a fresh process to import and open the built index (Assistant.from_config)."""
    code = ("import time; t=time.perf_counter(); from assistant import Assistant; "
            "Assistant.from_config(); print(time.perf_counter()-t)")
    env = dict(os.environ, ASSISTANT_INDEX_DIR=str(index_dir))
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT,
                             timeout=120, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def expected_strings(case: dict) -> list[str]:
    """What a retrieved context must contain for a case to count as recalled."""
    return list(case.get("must", [])) + list(case.get("items", []))


class Baselines:
    """A naive LangChain RAG (RecursiveCharacterTextSplitter(500, 50) + the same embedding + in-memory Chroma, top-4)
    and one bare query embedding, timed right after each ask of the same question (same machine state)."""

    def __init__(self, bot: Any, plan_text: str, rounds: int) -> None:  # noqa: ANN401 - Assistant
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.bot, self.rounds = bot, rounds
        t = time.perf_counter()
        self.chunks = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50).split_text(plan_text)
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(collection_name=f"naive-{os.getpid()}-{int(t)}", embedding_function=bot.embeddings,
                            client=client)
        self.store.add_texts(self.chunks)
        self.build_s = time.perf_counter() - t
        self.naive_ms: list[float] = []
        self.embed_ms: list[float] = []
        self.hits = self.graded = 0
        self.turn = False  # whether this question's baselines ran before its ask

    def before(self, case: dict) -> None:
        """Every other question: the baselines first (whatever runs first finds the model colder in the caches)."""
        self.turn = not self.turn
        if self.turn:
            self.time(case)

    def after(self, case: dict) -> None:
        """The other questions: the baselines right after the ask."""
        if not self.turn:
            self.time(case)

    def time(self, case: dict) -> None:
        """Time one bare embedding of the question as the assistant fits it, then the naive retrieval of it."""
        text = self.bot.searcher.fit(case["q"])
        t = time.perf_counter()
        self.bot.embeddings.embed_query(text)
        self.embed_ms.append((time.perf_counter() - t) * 1000)
        if case.get("refuse") or not expected_strings(case):
            return
        t = time.perf_counter()
        docs = self.store.similarity_search(case["q"], k=4)
        self.naive_ms.append((time.perf_counter() - t) * 1000)
        context = "\n".join(d.page_content for d in docs)
        self.graded += 1
        self.hits += all(s in context for s in expected_strings(case))

    def summary(self) -> dict[str, float]:
        """Naive context recall (over every round) and both p50s."""
        return {"chunks": len(self.chunks), "build_s": round(self.build_s, 2), "questions": self.graded // self.rounds,
                "context_recall": round(self.hits / max(self.graded, 1), 3),
                "retrieval_p50_ms": round(statistics.median(self.naive_ms or [0.0]), 1),
                "embedding_p50_ms": round(statistics.median(self.embed_ms or [0.0]), 1)}


def converse(bot: Any, case: dict) -> None:  # noqa: ANN401 - Assistant
    """Ask a follow-up's earlier user turns first, each with the turns before it, as the chat that sends the
    follow-up has done (untimed): the ask is then timed as a conversation pays for it, its new question only.
    The worst-case measure below keeps the cold path (a history never seen, caches cleared)."""
    history = case.get("history") or []
    for i, turn in enumerate(history):
        if said := user_turns([turn]):
            bot.ask(said[0], history=history[:i])


def ratios(r: dict) -> dict[str, float]:
    """The ratios the assistant is judged by, from one run: its cost beside naive retrieval and the embedding."""
    naive, embed = max(r["baseline"]["retrieval_p50_ms"], 1e-9), max(r["baseline"]["embedding_p50_ms"], 1e-9)
    out = {"ask_p50_over_naive_p50": r["ask_p50_ms"] / naive, "ask_p50_over_embedding_p50": r["ask_p50_ms"] / embed,
           "worst_over_naive_p50": r["worst_case"]["max_ms"] / naive}
    for workers, by_clients in r["http"].items():
        busiest = by_clients[max(by_clients, key=int)]
        out[f"http_rps_x_ask_p50_s_{workers}_workers"] = busiest["rps"] * r["ask_p50_ms"] / 1000
    return {k: round(v, 2) for k, v in out.items()}


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def markdown(r: dict) -> str:
    """The results as a Markdown table."""
    b, h, w, q = r["baseline"], r["http"], r["worst_case"], r["ratios"]
    rows = [
        ("Full index build (`python -m assistant index`, fresh process)", f"{r['build_s']:.1f} s"),
        ("Start-up with a built index (fresh process)", f"{r['startup_s']:.2f} s"),
        ("Peak RSS (bench process)", f"{r['peak_rss_mb']:.0f} MB"),
        (f"Ask latency p50 / p95 / p99 ({r['questions']} questions)",
         f"{r['ask_p50_ms']:.1f} / {r['ask_p95_ms']:.1f} / {r['ask_p99_ms']:.1f} ms"),
    ]
    rows.append(("Worst accepted request, CPU after warm-up (max / median)",
                 f"{w['max_ms']:.0f} / {w['median_ms']:.0f} ms ({', '.join(f'{k} {v:.0f}' for k, v in w['by_input'].items())})"))
    rows += [(f"HTTP POST /api/ask, {n} worker(s), {c} client(s), distinct questions",
              f"{v['rps']} req/s, p50 {v['p50_ms']} ms, p95 {v['p95_ms']} ms, server CPU {v['server_cpu_pct']}% "
              f"({v['requests']} req, {v['failed']} failed)")
             for n, by_clients in h.items() for c, v in by_clients.items()]
    rows += [
        ("Our end-to-end accuracy (eval set)", f"{r['accuracy']:.1%}"),
        ("Naive RAG context recall (500/50 chunks, top-4)", f"{b['context_recall']:.1%} ({b['questions']} q)"),
        ("Accuracy ÷ naive context recall", f"{r['accuracy'] / max(b['context_recall'], 1e-9):.2f}×"),
        ("Our ask p50 vs naive retrieval p50", f"{r['ask_p50_ms']:.1f} ms vs {b['retrieval_p50_ms']:.1f} ms "
                                               f"({q['ask_p50_over_naive_p50']:.2f}×)"),
        ("Our ask p50 vs one bare query embedding p50", f"{r['ask_p50_ms']:.1f} ms vs {b['embedding_p50_ms']:.1f} ms "
                                                        f"({q['ask_p50_over_embedding_p50']:.2f}×)"),
        ("Worst accepted request vs naive retrieval p50", f"{q['worst_over_naive_p50']:.2f}×"),
    ]
    rows += [(f"HTTP req/s × ask p50 (s), {k.rsplit('_', 2)[1]} worker(s), most clients", f"{v:.2f}")
             for k, v in q.items() if k.startswith("http_rps")]
    head = f"Machine: {r['machine']} · {r['date']} · `python -m assistant bench{' --quick' if r['quick'] else ''}`"
    return "\n".join([head, "", "| Measure | Result |", "|---|---|", *[f"| {a} | {b_} |" for a, b_ in rows]])


def run_bench(quick: bool = False, output: Path = Path("artifacts/bench.json"),
              questions_file: Path = DEFAULT_SET) -> int:
    """Run every measure in one process on this machine; Markdown to stdout, JSON to `output`."""
    from .engine import Assistant

    one_thread_per_request()  # measure as the server runs
    base = Settings()
    cases = load_cases(questions_file)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        say("index build from scratch …")
        build_s = measure_build(index_dir)
        say(f"built in {build_s:.1f} s; start-up in a fresh process …")
        startup_s = measure_startup(index_dir, runs=1 if quick else 3)
        bot = Assistant(base.model_copy(update={"index_dir": index_dir}), progress=False)
        bot.ask("ウォームアップ")
        plan_text = next(Path(base.corpus_dir).glob("*.txt")).read_text(encoding="utf-8")
        rounds = 1 if quick else 3
        baselines = Baselines(bot, plan_text, rounds)
        say(f"asking {len(cases)} questions × {rounds}, each followed by its bare embedding and naive retrieval …")
        latencies: list[float] = []
        report = None
        for _ in range(rounds):
            clear_caches()
            report = run_eval(bot, cases, before=lambda c: (converse(bot, c), baselines.before(c)),
                              after=baselines.after)
            latencies += report.latencies_ms
        baseline = baselines.summary()
        say("worst-case requests …")
        worst = worst_case_cpu(bot, rounds=2 if quick else 5, plan_text=plan_text)
        say(f"worst case: {worst}")
        say("HTTP load on loopback, distinct questions, 1 and 2 worker processes …")
        http = http_load(index_dir, distinct_questions(cases), workers=(1, 2), clients=(1, 8), time_limit=4 if quick else 15, say=say)
    result = {
        "date": time.strftime("%Y-%m-%d"), "quick": quick,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "build_s": round(build_s, 2), "startup_s": round(startup_s, 2), "peak_rss_mb": round(peak_rss_mb(), 1),
        "questions": len(cases), "accuracy": round(report.score, 4),
        "ask_p50_ms": round(statistics.median(latencies), 1), "ask_p95_ms": round(pct(latencies, 0.95), 1),
        "ask_p99_ms": round(pct(latencies, 0.99), 1), "worst_case": worst, "http": http, "baseline": baseline,
    }
    result["ratios"] = ratios(result)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(markdown(result))
    say(f"JSON written to {output}")
    return 0
