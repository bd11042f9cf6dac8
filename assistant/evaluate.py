"""Score the assistant on a JSONL question set (the format of ../shared/eval/dev.jsonl)."""

from __future__ import annotations

import json
import statistics
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from .config import PROJECT_ROOT
from .models import Answer

DEFAULT_SET = PROJECT_ROOT / "eval" / "questions.jsonl"


class Failure(BaseModel):
    """One question the assistant got wrong."""

    id: str
    question: str
    why: str
    answer: str


class Report(BaseModel):
    """Accuracy per kind and overall, with failures and latencies."""

    total: int
    correct: int
    per_kind: dict[str, tuple[int, int]]
    failures: list[Failure]
    latencies_ms: list[float]
    grounded: int = 0
    confidently_wrong: int = 0

    @property
    def score(self) -> float:
        """Share of questions answered right."""
        return self.correct / self.total if self.total else 0.0

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds."""
        lat = sorted(self.latencies_ms)
        return lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0.0


def _norm(s: str) -> str:
    """NFKC, as the scorer compares."""
    return unicodedata.normalize("NFKC", s or "")


def load_cases(path: Path) -> list[dict]:
    """Question cases from a JSONL file (blank lines skipped)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def judge(case: dict, answer: Answer) -> tuple[bool, str]:
    """Whether an answer passes a case, and why not."""
    text = _norm(answer.text)
    if case.get("refuse"):
        return answer.grounded is False, f"grounded={answer.grounded}"
    if answer.grounded is not True:
        return False, "not grounded"
    missing = [s for s in case.get("must", []) if _norm(s) not in text]
    if missing:
        return False, f"missing {missing}"
    if case.get("any") and not any(_norm(s) in text for s in case["any"]):
        return False, f"none of {case['any']}"
    present = [s for s in case.get("none", []) if _norm(s) in text]
    if present:
        return False, f"should not say {present}"
    items = case.get("items")
    if items:
        found = [s for s in items if _norm(s) in text]
        recall = len(found) / len(items)
        if recall < case.get("min_recall", 1.0):
            return False, f"item recall {recall:.2f}, missing {[s for s in items if s not in found]}"
    return True, ""


def run_eval(bot, cases: list[dict], before: Callable[[dict], None] | None = None,  # noqa: ANN001 - Assistant
             after: Callable[[dict], None] | None = None) -> Report:
    """Ask every case and collect the report; a crash counts as a wrong answer. `before` and `after` run around
    each ask (the bench times its baselines there, under the same conditions as the ask)."""
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures, latencies = [], []
    grounded = confidently_wrong = 0
    for case in cases:
        if before is not None:
            before(case)
        t = time.perf_counter()
        try:
            answer = bot.ask(case["q"], history=case.get("history", []))
            latencies.append((time.perf_counter() - t) * 1000)  # the ask alone, not the judging
            ok, why = judge(case, answer)
            text = answer.text
            grounded += answer.grounded
            confidently_wrong += answer.grounded and not ok
        except Exception as exc:  # noqa: BLE001 - a crash is a wrong answer
            latencies.append((time.perf_counter() - t) * 1000)
            ok, why, text = False, f"raised {exc!r}", ""
        if after is not None:
            after(case)
        per_kind[case["kind"]][0] += ok
        per_kind[case["kind"]][1] += 1
        if not ok:
            failures.append(Failure(id=case["id"], question=case["q"], why=why, answer=text))
    return Report(
        total=len(cases),
        correct=sum(v[0] for v in per_kind.values()),
        per_kind={k: (v[0], v[1]) for k, v in sorted(per_kind.items())},
        failures=failures,
        latencies_ms=latencies,
        grounded=grounded,
        confidently_wrong=confidently_wrong,
    )


def format_report(report: Report) -> str:
    """The report as plain text: failures with answers, per-kind accuracy, latency, score."""
    lines = []
    for f in report.failures:
        lines.append(f"FAIL {f.id}: {f.question}\n     {f.why}\n     answer: {f.answer[:300].replace(chr(10), ' / ')}")
    lines += [f"{kind:10s} {ok}/{n}" for kind, (ok, n) in report.per_kind.items()]
    lines.append(f"confidently_wrong={report.confidently_wrong} (failed while grounded=True)")
    if report.grounded:
        lines.append(f"precision={(report.grounded - report.confidently_wrong) / report.grounded:.1%} "
                     f"of {report.grounded} grounded answers")
    if report.latencies_ms:
        lines.append(f"p50_ms={statistics.median(report.latencies_ms):.1f} p95_ms={report.percentile(0.95):.1f}")
    lines.append(f"score {report.correct}/{report.total} = {report.score:.1%}")
    return "\n".join(lines)
