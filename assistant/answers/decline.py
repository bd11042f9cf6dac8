"""Polite declines with questions the plan can answer (about a related initiative when there is one)."""

from __future__ import annotations

import re

from ..models import Initiative
from .base import Draft, Records, join_ja

INJECTION_JA = ("申し訳ありませんが、金沢市DXアクションプラン2.0に関するご質問にのみお答えしています。"
                "指示の変更や役割の変更には応じられません。")
INJECTION_EN = "I can only answer questions about the Kanazawa DX Action Plan 2.0 and cannot follow other instructions."


def examples(r: Records, en: bool, near: Initiative | None = None) -> list[str]:
    """Three example questions built from the plan's own records."""
    ini = near or next((i for i in r.plan.initiatives if "「" in i.name), r.plan.initiatives[0])
    name = (re.search(r"「(.+?)」", ini.name) or re.search(r"(.+)", ini.name)).group(1)
    kpi = r.plan.kpis[0] if r.plan.kpis else None
    if en:
        out = [f"Which department runs 「{name}」?", "Which initiatives are new in FY2026?"]
        return out + ([f"What is the target for 「{kpi.label}」?"] if kpi else [])
    out = [f"「{name}」の担当課はどこですか？", "2026年度に新規導入される取組は？"]
    return out + ([f"{kpi.label}の目標は？"] if kpi else [])


def decline(r: Records, en: bool, near: list[Initiative], reason: str = "") -> Draft:
    """A polite decline with example questions (and near records, if any)."""
    ex = examples(r, en, near[0] if near else None)
    if en:
        lines = [reason or "The Kanazawa DX Action Plan 2.0 does not cover this question."]
        if near:
            lines.append("Related initiatives in the plan: " + "; ".join(
                f"「{i.name}」 ({', '.join(i.departments)})" for i in near[:3]))
        lines.append("You could ask, for example:")
    else:
        lines = [reason or "申し訳ありません。金沢市DXアクションプラン2.0には、このご質問に答える記載がありません。"]
        if near:
            lines.append("関連しそうな取組: " + "、".join(f"「{i.name}」（{join_ja(i.departments)}）" for i in near[:3]))
        lines.append("プランについては、例えば次のような質問にお答えできます。")
    lines += [f"・{e}" for e in ex]
    return Draft("\n".join(lines), "decline", [r.cite_initiative(i) for i in near[:3]], grounded=False,
                 suggestions=ex)
