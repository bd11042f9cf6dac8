"""Lists and counts, always computed from all records (never from the top-k), grouped by ○ goal."""

from __future__ import annotations

import re

from ..models import YEARS, Initiative
from ..query import distinct_departments
from ..text import fold_kana
from ..understand.frame import Frame
from ..understand.slots import Slots
from .base import Draft, Records, en_count, join_ja

KANJI = re.compile(r"[\u4e00-\u9fff]")
GOAL_SHARE = 0.5  # share of a goal's rows that must match the theme for the whole goal to be listed
RARE_ROWS = 8  # a word in at most this many rows can stand for a theme on its own


def status_ok(ini: Initiative, s: Slots) -> bool:
    """Whether an initiative passes the year / status / new / ended filters."""
    years = s.years or list(YEARS)
    if s.new_only and not s.years and not s.status:
        return ini.new
    if s.all_years and s.status:  # ずっと「検討」のまま: that status in every year asked, for some department
        return any(all(st.years[y] and s.status in st.years[y] for y in years) for st in ini.statuses)
    if s.ended and s.from_year and s.years:  # 「2028年度から先は予定がなくなる」: — from that year on
        later = [y for y in YEARS if y >= s.years[0]]
        return any(all(st.years[y] is None for y in later) and any(st.years[y] for y in YEARS if y < later[0])
                   for st in ini.statuses)
    for st in ini.statuses:
        for y in years:
            value = st.years[y]
            prev = st.years.get(y - 1, "start")
            if s.ended or s.no_plan:
                if value is None and (s.no_plan or prev is not None):
                    return True
                continue
            if s.status and (value is None or s.status not in value):
                continue
            if s.new_only and (value is None or not value.startswith("新規")):
                continue
            if not s.status and not s.new_only and value is None:
                continue
            return True
    return False


def filtered(r: Records, s: Slots, pool: list[Initiative] | None = None) -> list[Initiative]:
    """Every initiative (of the pool) passing the recognised slots, in plan order."""
    out = []
    for ini in pool if pool is not None else r.plan.initiatives:
        if s.departments and not set(s.departments) & set(ini.departments):
            continue
        if s.fields and ini.field_no not in s.fields:
            continue
        if s.by_status and not status_ok(ini, s):
            continue
        out.append(ini)
    return out


def holds(r: Records, rid: str, word: str) -> bool:
    """True when the record's name or context has the word as a token or (from two characters) inside it."""
    s = r.searcher
    return (word in s.name_tokens[rid] or word in s.context_tokens[rid]
            or (len(word) >= 2 and (word in s.name_keys[rid] or word in s.context_keys[rid])))


def lexical_match(r: Records, rid: str, topic: tuple[str, ...]) -> bool:
    """True when the record's name or context holds the topic words (IDF-weighted, most of them)."""
    weight = r.searcher.bm25.weight
    total = sum(weight(t) for t in topic)
    return bool(total) and sum(weight(t) for t in topic if holds(r, rid, t)) / total >= 0.66


def known(r: Records, words: tuple[str, ...]) -> tuple[str, ...]:
    """The words that the initiatives' names and goals use; other words cannot select rows."""
    return tuple(t for t in words if t in r.row_vocab or (KANJI.fullmatch(t) and t in r.row_names))


def known_topic(r: Records, f: Frame) -> tuple[str, ...]:
    """The question's own topic words that rows can be selected by (or, failing those, its synonyms')."""
    return known(r, f.topic) or known(r, f.topic_syn)


def has_any(r: Records, rid: str, words: tuple[str, ...]) -> bool:
    """True when the record's name or context holds one of the words (the lexicon's synonyms are alternatives)."""
    return any(holds(r, rid, t) for t in words)


LIST_SEPARATORS = ("や", "、", "とか", "および", "・")


def listed_alternatives(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The words the question lists as alternatives (「介護や医療、健康」, 「AとかB」)."""
    folded = fold_kana(text).lower()
    return tuple(w for w in words if any(w + sep in folded or sep + w in folded for sep in LIST_SEPARATORS))


def on_topic(r: Records, f: Frame, pool: list[Initiative]) -> list[Initiative]:
    """The pool's rows about the question's theme, in plan order: rows that use most of its words or one of the
    lexicon's synonyms for it, whole ○ goals whose own words match (子育て → ○子育て・教育分野…) or most of whose
    rows do; failing two rows, rows holding any of its rarer words (「介護や医療、健康」 lists alternatives)."""
    own, syn = known(r, f.topic), known(r, f.topic_syn)
    if not own and not syn:
        return []
    ids = {i.id for i in pool}
    chosen = {i.id for i in pool if (own and lexical_match(r, i.id, own)) or (syn and has_any(r, i.id, syn))}
    for g in r.plan.goals:
        members = [m for m in g.initiative_ids if m in ids]
        if members and ((own and lexical_match(r, g.id, own)) or (syn and has_any(r, g.id, syn))
                        or sum(m in chosen for m in members) / len(members) >= GOAL_SHARE):
            chosen.update(members)
    alternatives = listed_alternatives(f.text, own)
    if len(chosen) < 2 or alternatives:
        df = {t: sum(has_any(r, i.id, (t,)) for i in r.plan.initiatives) for t in alternatives or own}
        rare = tuple(t for t, n in df.items() if 0 < n <= RARE_ROWS)
        chosen |= {i.id for i in pool if rare and has_any(r, i.id, rare)}
    return [i for i in pool if i.id in chosen]


def closest_in(r: Records, f: Frame, pool: list[Initiative]) -> list[Initiative]:
    """その中で…: the pool's rows whose names hold any of the question's words (or, three-quarters as strong, the
    lexicon's related words), as strong as half the best match; never leaving the pool. 「川とか水害」 means either."""
    s = r.searcher
    topic = set(known(r, f.topic))
    related = set(known(r, f.topic_syn)) - topic
    reads = {h.record_id: h.reading for h in f.hits}

    def has(t: str, tokens_: set[str], key: str) -> bool:
        """A word in a token set or, from two characters (or one kanji: 川 → 河川), inside the key."""
        return t in tokens_ or ((len(t) >= 2 or bool(KANJI.fullmatch(t))) and t in key)

    def score(ini: Initiative, context: bool) -> float:
        """The strongest word the row's name (or, failing all names, its context) holds."""
        toks = s.name_tokens[ini.id] | (s.context_tokens[ini.id] if context else set())
        key = s.name_keys[ini.id] + (s.context_keys[ini.id] if context else "")
        weights = [s.bm25.weight(t) for t in topic if has(t, toks, key)]
        weights += [0.75 * s.bm25.weight(t) for t in related if has(t, toks, key)]
        return max(weights, default=0.0) + 3 * reads.get(ini.id, 0.0)

    for context in (False, True):
        scores = {i.id: score(i, context) for i in pool}
        best = max(scores.values(), default=0.0)
        if best > 0:
            return [i for i in pool if scores[i.id] >= 0.5 * best]
    return []


def describe(r: Records, s: Slots, en: bool, topic: bool) -> str:
    """The filters of a list/count question in words."""
    parts = []
    if s.departments:
        parts.append(join_ja(s.departments) if not en else ", ".join(s.departments))
    if s.fields:
        parts.append(join_ja([f"【分野{f}】{r.plan.fields.get(f, '')}" for f in s.fields]))
    if s.years:
        parts.append(join_ja([f"{y}年度" for y in s.years]) if not en else ", ".join(f"FY{y}" for y in s.years))
    if s.status:
        parts.append(f"「{s.status}」")
    if s.new_only:
        parts.append("new" if en else "新規")
    if s.ended:
        parts.append("ending (— after a planned year)" if en else "終了（—）となる")
    if s.no_plan:
        parts.append("nothing planned (—)" if en else "予定なし（—）の")
    if topic:
        parts.append("your question's topic" if en else "ご質問のテーマ")
    return " / ".join(parts)


SCHEDULE_ROWS = 10  # a list this short shows each row's four years when the question asks about the schedule
ASKS_FIELD = re.compile(r"分野|\bfields?\b", re.IGNORECASE)


def list_answer(r: Records, inis: list[Initiative], f: Frame, head: str | None = None, count: bool = False,
                by_topic: bool = False) -> Draft:
    """A headline with the count and the conditions (by_topic: the theme chose the rows), then the rows grouped by
    ○ goal, each with its departments."""
    en, s = f.english, f.slots
    if head is None:
        cond = describe(r, s, en, by_topic)
        if en:
            noun = "initiative" if len(inis) == 1 else "initiatives"
            head = en_count(len(inis), noun) + (f" match ({cond})" if cond else " in the plan") + ":"
        else:
            head = f"{cond + 'に該当する' if cond else 'プランの'}取組は{len(inis)}件です。"
    lines = [head]
    goal, grouped = None, len(inis) > 3
    # the years asked, or (「年度ごとの状況は？」 about a short list) every year: a schedule asked is shown per row
    changed = next((list(c.years) for c in f.query.conds if c.kind == "change"), [])  # 「どう変わる」: those years
    shown = changed or s.years or (list(YEARS) if "when" in f.asks and len(inis) <= SCHEDULE_ROWS else [])
    fields = not grouped and not s.fields and bool(ASKS_FIELD.search(f.text))  # a short list: each row's field, if asked
    for ini in inis:
        field = f"Field {ini.field_no} {ini.field_name}" if en else f"【分野{ini.field_no}】{ini.field_name}"
        if ini.goal != goal and grouped:
            goal = ini.goal
            lines.append(f"■ {field} › {ini.goal}" if en else f"■{field} › {ini.goal}")
        extra = f" [{' / '.join(r.year_status(ini, y, en) for y in shown)}]" if shown else ""
        new = (" (new)" if en else "（新規）") if ini.new and not s.new_only else ""
        lines.append(f"・「{ini.name}」（{join_ja(ini.departments)}）{new}{extra}" + (f" {field}" if fields else ""))
    return Draft("\n".join(lines), "count" if count else "list", [r.cite_initiative(i) for i in inis])


def department_count(r: Records, inis: list[Initiative], f: Frame, cond: str | None = None) -> Draft:
    """How many departments run the rows asked about (cond: the conditions in words; default: the slots')."""
    deps = distinct_departments(inis)
    cond = describe(r, f.slots, f.english, False) if cond is None else cond
    text = (f"{len(deps)} departments" + (f" ({cond})" if cond else "") + f" run the {en_count(len(inis), 'initiatives')}: "
            + ", ".join(deps)) if f.english else \
        f"{cond + 'の' if cond else ''}取組は{len(inis)}件で、担当する課は{len(deps)}課です: {join_ja(deps)}"
    return Draft(text, "count", [r.cite_initiative(i) for i in inis])
