"""Whether a question itself names one initiative or KPI (not only through the conversation)."""

from __future__ import annotations

import re

from ..models import Plan
from ..text import match_key
from ..understand.frame import Frame
from .coverage import card_words, folded

SUBJECT_LEXICAL = 0.5  # lexical coverage from which a record's words count as named by the question


def own_subject(f: Frame) -> bool:
    """True when the question itself names an initiative or KPI (not only the conversation): by its name, its
    reading, or words that few other records share (「利用」 alone fits many KPIs and names none; 「対応」「導入」 say
    what happens to a row, not which)."""
    top = f.best("initiative", "kpi")
    if not top:
        return False
    if top.exact >= 0.8 or top.reading >= 0.75:
        return True
    rivals = sum(1 for h in f.ranked(top.kind) if h.coverage >= top.coverage - 0.1)
    naming = [t for t in f.topic if folded(t) not in card_words()]
    return top.coverage >= SUBJECT_LEXICAL and top.name_weight > 0 and bool(naming) and rivals <= 2


MIN_NAME = 4  # a quoted part of a row's name this long names the row (「かなパス」)


def names_a_row(plan: Plan, text: str) -> bool:
    """True when the text holds a row's whole name or a 「」-quoted part of it, read by the words alone (before
    anything is embedded): 「学校デジタル推進リーダーの育成について①…②…③…」 asks about that row."""
    key = match_key(text)
    for ini in plan.initiatives:
        parts = [ini.name, *re.findall(r"「([^「」]+)」", ini.name)]
        if any(len(k := match_key(p)) >= MIN_NAME and k in key for p in parts):
            return True
    return False
