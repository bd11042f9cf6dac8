"""One answerability check that every grounded answer passes before it is given (the engine applies it).

Grounded promises that the cited records answer what was asked. Two checks so far, both from the records:
- the aspect asked: for an initiative the plan gives its departments, yearly statuses, KPI and place in the plan,
  never phone numbers, places, fees, procedures, vendors, budgets, reasons, current figures, event dates, people,
  web addresses or hours. Such a question gets 「プランには…は書かれていません」, then what the plan does say,
  marked as related information, grounded=False;
- the premise: a department or 新 the question asserts is compared with the cited row and answered
  「いいえ、…」 before the card (the card itself stays grounded: it is the plan's fact).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from ..models import Initiative
from ..understand.frame import Frame
from ..understand.lexicon import section
from .base import Draft, Records, join_ja

INITIATIVE_KINDS = frozenset({"who", "schedule", "kpi", "list", "count", "candidates"})
ASSERTS_NEW = re.compile(r"(新しく|新たに|新規(の|で|に)?|初めて|今回(から|の2\.0で))[^。？?]*(始ま|スタート|導入|取組|取り組)|"
                         r"\bnew (initiative|in this plan|in the plan)|\bis (it|this) new\b", re.IGNORECASE)
# What the plan does answer, asked after the aspect's words: then those words describe the service
# (「何曜日に出すか教えてくれるアプリの担当は？」) and the department or schedule is what is asked.
ANSWERABLE_ASK = re.compile(r"担当|どこの課|どの課|どこの部署|どの部署|所管|誰が(やって|担当|運営)|いつから|何年度|"
                            r"which department|who (runs|is in charge)|in charge|when (will|does)", re.IGNORECASE)
CONFIRMS = re.compile(r"よね|でしょう|だよな|やろ|ですか|ますか|のか|んか|け[?？]|\?|？|\bright\b|isn't it|is it", re.I)


@cache
def aspects() -> tuple[tuple[str, str, str, re.Pattern[str]], ...]:
    """(key, Japanese label, English label, pattern) of every aspect the plan never gives, from the lexicon."""
    return tuple((k, v["ja"], v["en"], re.compile("|".join(v["patterns"]), re.IGNORECASE))
                 for k, v in section("aspects").items())


def aspect_asked(text: str) -> tuple[str, str, str] | None:
    """The first never-given aspect a question asks about (key, ja, en), or None: its words must not be followed
    by an ask the plan answers (the asking part of a Japanese question comes last)."""
    for key, ja, en, rx in aspects():
        found = list(rx.finditer(text))
        if found and not ANSWERABLE_ASK.search(text, found[-1].end()):
            return key, ja, en
    return None


def checked(r: Records, f: Frame, draft: Draft) -> Draft:
    """The draft as it may be given: grounded only when the cited records answer what was asked."""
    if not draft.grounded or draft.kind not in INITIATIVE_KINDS:
        return draft
    aspect = aspect_asked(f.text)
    if aspect is not None:
        return not_given(draft, aspect, f.english)
    return with_premise(r, f, draft)


def not_given(draft: Draft, aspect: tuple[str, str, str], en: bool) -> Draft:
    """「プランには〇〇は書かれていません」 first, then what the plan says, as related information (not grounded)."""
    _key, ja, label_en = aspect
    if en:
        head = (f"The plan does not give {label_en}. It lists each initiative's department, yearly status and KPI "
                "only; for anything else please ask the department.\nRelated information from the plan:")
    else:
        head = (f"プランには{ja}は書かれていません（プランに載っているのは、取組ごとの担当課・年度ごとの予定・目標（KPI）です）。"
                "詳しくは担当課にお問い合わせください。\n参考までに、プランに書かれている関連情報:")
    return replace(draft, text=f"{head}\n{draft.text}", kind="not_in_plan", grounded=False)


def with_premise(r: Records, f: Frame, draft: Draft) -> Draft:
    """A card whose question asserts a department or 新 that the row contradicts starts with 「いいえ、…」."""
    if draft.kind not in ("who", "schedule") or len(draft.subjects) != 1 or draft.subjects[0] not in r.initiatives:
        return draft
    ini = r.initiatives[draft.subjects[0]]
    wrong = [d for d in f.slots.departments if d not in ini.departments]
    notes = []
    if wrong and not set(f.slots.departments) & set(ini.departments):
        notes.append(wrong_department(ini, wrong, f.english))
    if not ini.new and ASSERTS_NEW.search(f.text) and CONFIRMS.search(f.text):
        notes.append(f"No: 「{ini.name}」 is not new in this plan (it has no 新 mark)." if f.english else
                     f"いいえ、「{ini.name}」はプラン2.0の新規取組（新）ではありません。")
    if not notes:
        return draft
    return replace(draft, text="\n".join(notes + [draft.text]))


def wrong_department(ini: Initiative, wrong: list[str], en: bool) -> str:
    """The correction of a department the question asserted."""
    if en:
        return f"No: 「{ini.name}」 is run by {', '.join(ini.departments)}, not {', '.join(wrong)}."
    return f"いいえ、「{ini.name}」の担当は{join_ja(ini.departments)}です（{join_ja(wrong)}ではありません）。"
