"""The project's own evaluation set: coverage of kinds, and the 95% bar on the real pipeline."""

from __future__ import annotations

from collections import Counter

from assistant.evaluate import DEFAULT_SET, format_report, judge, load_cases, run_eval
from assistant.models import Answer


def test_eval_set_is_broad_enough() -> None:
    cases = load_cases(DEFAULT_SET)
    kinds = Counter(c["kind"] for c in cases)
    assert len(cases) >= 80
    assert kinds["refuse"] >= 10 and kinds["english"] >= 5
    assert {"who", "list", "count", "schedule", "kpi", "narrative"} <= set(kinds)
    assert len({c["id"] for c in cases}) == len(cases)
    assert len({(c["q"], tuple(c.get("history", []))) for c in cases}) == len(cases)


def test_judge_rules() -> None:
    ok = Answer(text="担当は観光政策課です", grounded=True, kind="who")
    assert judge({"must": ["観光政策課"]}, ok)[0]
    assert not judge({"must": ["文化政策課"]}, ok)[0]
    assert not judge({"refuse": True}, ok)[0]
    assert not judge({"items": ["観光", "文化", "交通"], "min_recall": 0.5}, ok)[0]
    assert judge({"refuse": True}, Answer(text="x", grounded=False, kind="decline"))[0]


def test_own_eval_set_scores_at_least_95_percent(bot) -> None:  # noqa: ANN001
    report = run_eval(bot, load_cases(DEFAULT_SET))
    assert report.score >= 0.95, format_report(report)
