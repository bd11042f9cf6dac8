"""Conversation state as data: what the previous turn was about, and how a follow-up resolves against it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from ..limits import HISTORY_TURNS, READ_CHARS
from ..models import Plan
from ..text import bounded, fold_kana
from .frame import POINTS_BACK, Frame
from .intent import ROW_COUNT
from .lexicon import section
from .results import asks_more_of_two

EACH = re.compile(r"それぞれ|各々|おのおの|各取組|each of (them|those|these)|\bfor each\b", re.IGNORECASE)
EACH_MAX = 5  # rows a 「それぞれ」 follow-up gets a card each for (a longer list is asked again as a list)
# 「それって」「ほぉ その取組は」 opening a question: about what an earlier turn named (not 「…画面、あれって」, which the
# question itself described)
DANGLING = re.compile(r"^[\s、。！!]*((ほぉ|ほう|へえ|へー|ふーん|じゃあ|では|なら|ほんなら|ほな|えっと|あの|で)[\s、,。！!ー]*)?"
                      r"((それ|これ|あれ)(って|は|が|も|を|の(担当|こと))|その(取組|取り組み|事業|サービス|アプリ|システム|仕組み|しくみ))")
DEMONSTRATIVE = re.compile(r"(その|あの|この)(?!課|部署|担当)")
NARROW_OPENS = 8  # characters before 「その中で」 that still open the question (「じゃあ、」 'OK, ')
ANSWER_ASKS = {"who", "when", "kpi", "list", "count", "explain", "list_all", "compare", "count_departments"}


@dataclass
class State:
    """The previous turn's frame and answer: subject(s), departments, the list it gave, what it asked."""

    subjects: list[str] = field(default_factory=list)  # initiative ids the answer was about
    kpis: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)  # initiative ids of a list answer
    listed_departments: list[list[str]] = field(default_factory=list)  # their departments, in the same order
    asks: set[str] = field(default_factory=set)
    kind: str = ""

    @property
    def empty(self) -> bool:
        """True when there is nothing to refer back to."""
        return not (self.subjects or self.kpis or self.departments or self.listed)


@dataclass
class Resolved:
    """How the current question reads in the conversation."""

    subjects: list[str] = field(default_factory=list)
    pool: list[str] | None = None  # rows to narrow (その中で) or to exclude from (ほかに)
    exclude: list[str] = field(default_factory=list)
    fresh: bool = True
    hint_kpis: list[str] = field(default_factory=list)  # the previous answer's KPIs, to prefer among close ones
    dangling: bool = False  # 「それって…の担当ながやね？」 with nothing earlier to refer to: what it is about is unknown
    nothing_to_narrow: bool = False  # 「その中で…」 opening a question after no list (or a declined one)


def user_turns(history: Sequence[Any] | None) -> list[str]:
    """The user's last HISTORY_TURNS questions, oldest first, from strings, role dicts, (question, answer) pairs."""
    out: list[str] = []
    for turn in reversed(list(history or [])):
        if len(out) == HISTORY_TURNS:
            break
        if clean := bounded(_user_text(turn), READ_CHARS):  # read from its end, as safe text
            out.append(clean)
    return out[::-1]


def _user_text(turn: Any) -> str:
    """The user's words in one history item ('' for the assistant's turns)."""
    if isinstance(turn, str):
        return turn
    if isinstance(turn, dict):
        if turn.get("role") not in (None, "user"):
            return ""
        content = turn.get("question", turn.get("content", turn.get("text", "")))
        if isinstance(content, list):  # Gradio message parts
            content = " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
        return str(content)
    if isinstance(turn, list | tuple) and turn:
        return str(turn[0])
    return ""


def shown_rows(plan: Plan, history: Sequence[Any] | None) -> list[str]:
    """The rows the conversation's last assistant turn names in full (「…」), in the order it names them."""
    items = list(history or [])
    last = items[-1] if items else None
    if isinstance(last, dict) and last.get("role") == "assistant":
        text = str(last.get("content", ""))
    elif isinstance(last, list | tuple) and len(last) > 1:  # (question, answer) pairs
        text = str(last[1])
    else:
        return []
    text = NEW_MARK.sub("「", bounded(text, READ_CHARS))  # 「新 マイナンバーカードを…」 quotes the row with its mark
    names = {f"「{i.name}」": i.id for i in plan.initiatives}
    quoted = top_level_quotes(text)
    if any(len(q) >= UNSURE_QUOTE and q not in names for q in quoted):
        return []  # a longer quote that names no row: which rows the turn meant is not known
    at = {rid: text.find(name) for name, rid in names.items()}
    return sorted((i for i, a in at.items() if a >= 0), key=at.__getitem__)


NEW_MARK = re.compile(r"「新\s*(?=[^」])")
UNSURE_QUOTE = 8  # characters (brackets included) from which a quote is taken for a row's name, not a status


def top_level_quotes(text: str) -> list[str]:
    """The 「…」 quotes of a text at the outer level, brackets included (nested ones stay inside)."""
    out, depth, start = [], 0, 0
    for n, ch in enumerate(text):
        if ch == "「":
            start = n if depth == 0 else start
            depth += 1
        elif ch == "」" and depth:
            depth -= 1
            if depth == 0:
                out.append(text[start:n + 1])
    return out


def as_shown(state: State, shown: list[str]) -> State:
    """The state narrowed to the rows the assistant's last turn named, when they are among those it was about: the
    user refers to what was shown (「それは…毎年続く？」 after a turn naming one row of a longer list)."""
    about = set(state.listed) | set(state.subjects)
    if not shown or not set(shown) <= about or set(shown) == about:
        return state
    if len(shown) == 1:
        return replace(state, subjects=shown, listed=[], listed_departments=[])
    keep = [state.listed.index(i) for i in shown if i in state.listed]
    return replace(state, listed=[state.listed[k] for k in keep],
                   listed_departments=[state.listed_departments[k] for k in keep if k < len(state.listed_departments)])


def resolve(f: Frame, state: State, own_subject: bool) -> Resolved:
    """Start fresh when the question has its own subject or filters; else refer back to the state."""
    if state.kind and narrows_back(f.text) and not (state.listed or state.subjects or state.kpis):
        return Resolved(nothing_to_narrow=True)  # after a decline: never the whole plan in place of a list not given
    if state.empty or "shift" in f.refs:
        return Resolved(dangling=state.empty and not own_subject and not f.english and bool(DANGLING.search(f.text)))
    res = _resolve(f, state, own_subject)
    res.hint_kpis = state.kpis if res.fresh and state.subjects else []
    return res


def _resolve(f: Frame, state: State, own_subject: bool) -> Resolved:
    """resolve() for a question that may refer back."""
    refs = f.refs
    if "correction" in refs:  # 「あ、ちがった、縄文のほう」: the same question about another subject
        _inherit_asks(f, state, ignored={"explain", "list_all", "compare", "count_departments"})
    if "correction" in refs and f.topic and not ({"subject", "department", "narrow"} & refs):  # 「その12件のうち…ではなく」
        return Resolved()
    if other := _compared_with_last(f, state):  # 「予防課と比べて、どちらが多い？」 after a turn about another department
        f.query = replace(f.query, result="compare", group="department", among=(other, *f.slots.departments),
                          conds=tuple(c for c in f.query.conds if c.kind != "department"))
        return Resolved(fresh=False)
    if state.listed and f.query.group and "subject" in refs and not f.slots.any:  # 「それを分野ごとの件数にすると」
        return Resolved(pool=state.listed, fresh=False)
    if "narrow" in refs and state.listed and (not f.slots.departments or POINTS_BACK.search(f.text)):
        return Resolved(pool=state.listed, fresh=False)  # 「その中で市立病院事務局以外は？」, not 「デジタル政策課だけ」
    lists_department = "other" in refs or bool(ROW_COUNT.search(f.text)) or (
        {"list", "list_all"} & f.asks and "who" not in f.asks)  # 「その所管課は全部で何件の取組を？」 counts its rows
    if "department" in refs and lists_department and state.departments and not own_subject:
        f.slots.departments = f.slots.departments or state.departments[:1]
        f.asks.add("list")  # 「その課のほかの取組は？」 leaves out the row talked about, 「その課は全部で何件？」 does not
        return Resolved(exclude=state.subjects if "other" in refs else [], fresh=False)
    each = EACH.search(f.text) and len(state.listed) <= EACH_MAX  # 「それぞれの担当課は？」 after a short list
    short_list = state.listed and not state.subjects and (len(state.listed) <= 3 or each) and not own_subject
    s = f.slots
    its_years = s.years and not (s.departments or s.fields or s.new_only or s.ended or s.no_plan)
    if short_list and (each or not f.topic) and (not s.any or (each and its_years)) and (
            f.asks & {"who", "when", "kpi"} or its_years):
        return Resolved(subjects=state.listed, fresh=False)  # 「目標は？」「各取組の2029年度の状況も」 after a short list
    if state.listed and DEMONSTRATIVE.search(f.text) and f.topic and not f.slots.any:
        return Resolved(pool=state.listed, fresh=False)  # 「そのマイナンバーのやつ」: the row of the last list
    if {"subject", "department"} & refs and state.subjects and not own_subject:
        _inherit_asks(f, state, ignored={"list", "count"})
        return Resolved(subjects=state.subjects, fresh=False)
    # 「2028年度はどうなる？」「令和9年度からは「継続」に移行するってことでいいのかな」: the last subject's years
    if state.subjects and its_years and not topic_of_its_own(f) and not own_subject and not (
            {"list", "list_all", "count"} & f.asks):
        return Resolved(subjects=state.subjects, fresh=False)
    if own_subject or f.slots.any:
        return Resolved()
    if "other" in refs:
        if not f.topic and state.departments:
            f.slots.departments = state.departments[:1]
            f.asks.add("list")
        return Resolved(exclude=state.subjects + state.listed, fresh=False)
    asks_about_it = f.asks & {"who", "when"} or ("kpi" in f.asks and state.kpis)  # 「何回くらいやる目標？」
    if state.subjects and (not f.topic or asks_about_it):
        _inherit_asks(f, state, ignored={"list"})
        return Resolved(subjects=state.subjects, fresh=False)
    return Resolved()


def narrows_back(text: str) -> bool:
    """True when the question opens by narrowing an earlier answer (「その中で」「その12件のうち」 'of those'), not a
    「そのうち」 inside it that points to its own first part."""
    m = POINTS_BACK.search(text)
    return bool(m) and m.start() <= NARROW_OPENS


@cache
def _no_topic() -> frozenset[str]:
    """Words that say how a row stands or why one asks (lexicon "card_answers", "discourse"), kana-folded."""
    return frozenset(fold_kana(w).lower() for w in section("card_answers") + section("discourse"))


def topic_of_its_own(f: Frame) -> bool:
    """True when the question names a topic beyond how a row stands (本格, 移行) and why one asks (了解, つまり)."""
    return any(t not in _no_topic() for t in f.topic)


def _compared_with_last(f: Frame, state: State) -> str | None:
    """The previous turn's department, when the question compares one department it names with another it does not."""
    named = [c for c in f.query.conds if c.kind == "department"]
    if f.query.result == "compare" or len(f.slots.departments) != 1 or len(named) != 1 or named[0].negated:
        return None
    if not asks_more_of_two(f.text):
        return None
    return next((d for d in state.departments if d not in f.slots.departments), None)


def _inherit_asks(f: Frame, state: State, ignored: set[str]) -> None:
    """A follow-up that asks nothing of its own (beyond the ignored asks) asks what the previous turn asked."""
    if not (f.asks & ANSWER_ASKS) - ignored:
        f.asks |= state.asks or {"who"}
