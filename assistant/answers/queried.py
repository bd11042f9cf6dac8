"""The router's first attempt: a question with conditions or a computed result is answered by one query over the
records (query.py); a part that reads like a condition but was not understood is said, never dropped."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..models import STATUSES, YEARS
from ..query import NONE, Cond, Query, contradictory, needs_query, run
from ..retrieve import Hit
from ..text import asking_part
from ..understand.conditions import residue
from ..understand.conversation import Resolved
from ..understand.frame import Frame, topic_tokens
from ..understand.mentions import year_mentions, year_ranges
from ..understand.results import COMPARE, SAME_OR_NOT, WHICH, asks_more_of_two
from ..understand.slots import Slots, department_stem
from .answerable import ASSERTS_NEW, aspect_asked
from .base import Draft, Records, fmt_status
from .computed import answer, cond_words
from .coverage import NAMED
from .decline import decline
from .lists import known, on_topic
from .subject import own_subject

COMPARED = 0.5  # lexical score of each of two rows (or KPIs) a comparison names


def queried(r: Records, f: Frame, res: Resolved, top: Hit | None, conf: float) -> Draft | None:
    """The answer computed from the question's query, or None when the slot-based kinds answer it."""
    q = f.query
    if res.subjects:
        return None
    # a fresh list or count that a comparison cue asks of one group is declined, unless it asks a never-given aspect
    # (「前の計画と比べて」: checked() says so); the aspect is read last, only for a question about to be declined
    listed = q.result in ("list", "count") and bool(q.conds) and res.fresh
    if listed and not f.english and asks_more_of_two(f.text) and (cue := WHICH.search(f.text)) \
            and not aspect_asked(f.text):
        return unread(r, f, replace(q, unread=(cue.group(),)), COMPARE_EXAMPLE)  # 「予防課と比べると、どっちが多い？」
    if (same := same_lines(r, f, top)) is not None:
        return same
    if not needs_query(q) and not slots_lack(q, f.slots):
        return None
    if listed and (cue := COMPARE.search(f.text)) and not aspect_asked(f.text):
        return unread(r, f, replace(q, unread=(cue.group(),)), COMPARE_EXAMPLE)  # 「(1)と(2)とで比較」: not one list
    if q.unread:
        return unread(r, f, q)
    clash = contradictory(q.conds)
    if clash:  # 「2029年度に「継続」で、「継続」ではない」: a misreading, not an empty answer
        return clashing(r, f, [cond_words(r, c, f.english) for c in clash])
    if q.result in ("list", "count") and not f.asks & {"list", "list_all", "count"} and (own_subject(f) or (
            top is not None and top.exact >= NAMED)):
        return None  # 「自治体ポイントが4年間ずっと「検討」なのはなぜ？」 asks about the named row
    if q.result in ("list", "count") and top is not None and top.exact >= NAMED and ASSERTS_NEW.search(f.text) \
            and "list_all" not in f.asks:
        return None  # 「「のりまっし金沢」は新たに始まる取組ですよね？新規導入の年度を教えて」: a premise about the row
    if q.subject == "kpi" and q.result in ("list", "count") and own_subject(f) and "list_all" not in f.asks:
        return None  # 'the KPI on かなざわスマートフォン講座 (number of sessions, cumulative)': the named row's KPI
    if q.result == "first":
        return replace(compared_rows(r, f, q), computed=True)
    if q.result == "larger":
        return replace(compared_kpis(r, f, q), computed=True)
    pool = [r.initiatives[i] for i in res.pool if i in r.initiatives] if res.pool is not None else None
    theme = themed(r, f, q)
    if theme is not None:
        q = replace(q, conds=q.conds + (theme,))
    out = run(r.plan, q, pool)
    draft = answer(r, f, out)
    if theme is not None and q.subject == "initiative" and not out.rows:  # 「…「住民」に関する）に該当する取組はありません」:
        draft = replace(draft, grounded=False)  # a theme read from the residue found nothing: likely a misreading
    if pool is not None:  # the rows narrowed are said back too: 「前の回答の12件のうち、条件（…）」
        said = f"Of the {len(pool)} in the previous answer: " if f.english else f"前の回答の{len(pool)}件のうち、"
        draft = replace(draft, text=said + draft.text)
    return replace(draft, computed=True)


def same_lines(r: Records, f: Frame, top: Hit | None) -> Draft | None:
    """「eL-QRの取組で、保険年金課と会計課は2027年度に同じステータス？」: the named row's lines of the departments named,
    compared year by year (the years asked, else every plan year)."""
    named = [d for c in f.query.conds if c.kind == "department" and not c.negated for d in c.values]
    if len(named) < 2 or top is None or top.lexical < COMPARED or not SAME_OR_NOT.search(f.text):
        return None
    if not set(f.topic) & r.searcher.name_tokens[top.record_id]:
        return None  # the row is named by its own words, not only by the departments it shares
    ini = r.initiatives[top.record_id]
    lines = [st for st in ini.statuses if st.department in named]
    if len(lines) < 2:
        return None
    en = f.english
    years = [(y, {st.department: fmt_status(st.years.get(y) or NONE, en) for st in lines}) for y in asked_years(f)]
    both = ("both" if en else "どちらも") if len(lines) == 2 else ("all" if en else "いずれも")
    parts = [(f"FY{y}: {both} {next(iter(said.values()))}" if en else f"{y}年度は{both}「{next(iter(said.values()))}」")
             if len(set(said.values())) == 1 else
             (f"FY{y}: different (" + ", ".join(f"{d} {v}" for d, v in said.items()) + ")" if en else
              f"{y}年度は異なります（" + "、".join(f"{d}は「{v}」" for d, v in said.items()) + "）") for y, said in years]
    same = all(len(set(said.values())) == 1 for _, said in years)
    who = [st.department for st in lines]
    head = (f"「{ini.name}」, {' and '.join(who)}: " + ("the same. " if same else "not the same. ")) if en else (
        f"「{ini.name}」の{'と'.join(who)}の状況は" + ("同じです。" if same else "同じではありません。"))
    return Draft(head + ("; ".join(parts) + "." if en else "。".join(parts) + "。"), "schedule",
                 [r.cite_initiative(ini)], computed=True)


def asked_years(f: Frame) -> list[int]:
    """The plan years a question asks about: those it names, with every year of a span (「2026〜2029年度」), else all."""
    spans = year_ranges(f.text, year_mentions(f.text, date(YEARS[0], 4, 1)))
    spanned = {y for a, b in spans for y in YEARS if a.value <= y <= b.value}
    return sorted(set(f.slots.years) | spanned) or list(YEARS)


def slots_lack(q: Query, s: Slots) -> bool:
    """True when the query read a condition the slot filters lack (「新: ○」 read as 新 by the query only, a status the
    slots took for a row's word): an answer by the slots would drop it silently."""
    for c in q.conds:
        if c.kind == "new" and (c.negated or not s.new_only):
            return True
        if c.kind == "status" and not s.status:
            return True
    return False


def themed(r: Records, f: Frame, q: Query) -> Cond | None:
    """The question's theme (防災, 子育て) as a condition on rows: the words the plan's rows use that are left once
    the conditions read are taken out of the question."""
    words = known(r, topic_tokens(asking_part(residue(f.text, q)), f.slots, r.searcher, f.english))
    if any(c.kind == "status" for c in q.conds):  # 「令和8年度に導入（新規導入）となっているもの」: 導入 says the status
        words = tuple(w for w in words if not any(w in s for s in STATUSES))
    if not words:
        return None
    rows = on_topic(r, replace(f, topic=words, topic_syn=()), r.plan.initiatives)
    return Cond("rows", tuple(i.id for i in rows), label=words) if rows else None


CONDITION_EXAMPLE = ("initiatives of field 4 not run by 産業政策課", "分野4の取組のうち、産業政策課以外が担当するもの")
COMPARE_EXAMPLE = ("compare the number of initiatives of 観光政策課 and 文化政策課", "観光政策課と文化政策課の取組数を比べて")


def unread(r: Records, f: Frame, q: Query, example: tuple[str, str] = CONDITION_EXAMPLE) -> Draft:
    """A condition-like part of the question that was not understood: said, and nothing computed."""
    parts = "」「".join(dict.fromkeys(q.unread))
    text = (f"I could not read the condition 「{parts}」 in your question, so I have not computed a list that might "
            f"be wrong. Could you rephrase it (e.g. '{example[0]}')?") if f.english else (
        f"ご質問の「{parts}」の部分を条件として読み取れなかったため、誤った一覧にならないよう回答を控えます。"
        f"「{example[1]}」のように言い換えてください。")
    return decline(r, f.english, [], text)


def clashing(r: Records, f: Frame, parts: list[str]) -> Draft:
    """Conditions read from the question that cannot hold together: said, and nothing computed."""
    said = "」「".join(dict.fromkeys(parts))
    text = (f"I read the conditions 「{said}」 in your question, which no initiative can meet together, so I have "
            "probably misread it and have not computed a list. Could you rephrase it (e.g. 'new initiatives that are "
            "検討 in FY2029')?") if f.english else (
        f"ご質問から「{said}」という条件を読み取りましたが、これらは同時には成り立たないため、読み違えている可能性があります。"
        "誤った一覧にならないよう回答を控えます。「2029年度も「検討」のままの新規取組」のように言い換えてください。")
    return decline(r, f.english, [], text)


def two_named(r: Records, f: Frame, kind: str) -> list[Hit]:
    """The best record of a kind and the best one that names another part of the question (「AとB」)."""
    ranked = [h for h in f.ranked(kind)[:6] if h.lexical >= COMPARED or h.exact >= NAMED]
    if not ranked:
        return []
    tokens = r.searcher.name_tokens
    rest = set(f.topic) - tokens[ranked[0].record_id]
    second = next((h for h in ranked[1:] if tokens[h.record_id] & rest), None)
    return [ranked[0]] + ([second] if second else [])


def pointed_lines(r: Records, f: Frame, hits: list[Hit]) -> tuple[Cond, ...]:
    """The department lines of a compared row that the question's words point at (「国民健康保険料のeL-QR納付」: the
    保険年金課 line of a row run by four departments), as a condition that reads those lines only."""
    asked = set(r.searcher.query_tokens(f.text, f.english))
    pointed = [st.department for h in hits for st in r.initiatives[h.record_id].statuses
               if len(r.initiatives[h.record_id].statuses) > 1
               and set(r.searcher.query_tokens(department_stem(st.department))) & asked]
    return (Cond("lines", tuple(pointed)),) if pointed else ()


def compared_rows(r: Records, f: Frame, q: Query) -> Draft:
    """「どちらが先に」: the rows the question names (or one row's named departments), by their first year."""
    ranked = two_named(r, f, "initiative")
    named = [c for c in q.conds if c.kind == "department" and not c.negated]
    rows = ranked[:1] if named and len(named[0].values) >= 2 and ranked else ranked[:2]
    pointed = () if named else pointed_lines(r, f, rows)  # a department named decides the line itself
    q = replace(q, conds=q.conds + (Cond("rows", tuple(h.record_id for h in rows)),) + pointed)
    out = run(r.plan, q)
    if len(out.starts) < 2:
        return unread(r, f, replace(q, unread=("どちらが先" if not f.english else "which comes first",)))
    return answer(r, f, out)


def compared_kpis(r: Records, f: Frame, q: Query) -> Draft:
    """「どちらの目標が大きい」: the two KPIs the question names, when their targets share a unit."""
    kpis = [r.kpis[h.record_id] for h in two_named(r, f, "kpi")]
    if len(kpis) < 2 or ("%" in kpis[0].unit) != ("%" in kpis[1].unit):  # a share and a number do not compare
        return unread(r, f, replace(q, unread=("どちらの目標が大きい" if not f.english else "which target is larger",)))
    return answer(r, f, run(r.plan, q), kpis)
