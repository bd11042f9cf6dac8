"""Pick the answer kind from the frame: count, KPI, plan structure, list, card, candidates or decline."""

from __future__ import annotations

import re
from dataclasses import replace

from ..models import Initiative
from ..query import select
from ..retrieve import Hit
from ..text import many_asks, match_key
from ..understand.confidence import answer_threshold, confidence
from ..understand.conversation import Resolved
from ..understand.frame import KPI_WORDS, Frame
from ..understand.intent import ROW_COUNT
from ..understand.results import SAME_OR_NOT
from .base import Draft, Records
from .card import candidates, card, same_departments, same_statuses, with_verdict
from .coverage import NAMED, missing
from .decline import INJECTION_EN, INJECTION_JA, decline
from .kpi import kpi_answer, kpi_list, near_kpis, no_kpi, sharing_kpis
from .lists import closest_in, department_count, filtered, known_topic, list_answer, on_topic
from .plan import plan_answer
from .queried import queried, two_named
from .subject import SUBJECT_LEXICAL, names_a_row, own_subject

ANSWER = answer_threshold()  # confidence to answer one initiative (fitted, see confidence.py and fit.py)
OFFER = ANSWER / 2  # confidence to offer the closest initiatives as (ungrounded) candidates
TARGET_WORDS = re.compile(r"目標|目指|めざ|target|aim", re.IGNORECASE)  # 「何件を目標に」 asks a KPI, not a count
QUOTED_NAME = re.compile(r"「([^「」]{4,})」")  # a name the question quotes
EACH = re.compile(r"それぞれ|各々|おのおの|両方|両者|\beach\b|\bboth\b", re.IGNORECASE)  # two rows named, both asked
CARD_ASK = re.compile(r"所管|担当課|状況|スケジュール")  # what a card answers besides the KPI it lists
LABEL_NAMED = 0.65  # share of a KPI label's words a question holds when it names that KPI among two it asks
TIE = 0.06  # fused-score gap under which two initiatives count as equally likely


def initiative_confidence(r: Records, f: Frame) -> tuple[Hit | None, float]:
    """The best initiative and how sure the question is about it; a question that fits one KPI best without asking a
    target (「子どもの一時預かり、スマホで予約できる？」 fits 「一時預かり施設オンライン予約率」) is about its row."""
    ranked = f.ranked("initiative")
    kpis = f.ranked("kpi")
    if f.hits and f.hits[0].kind == "kpi" and "kpi" not in f.asks and one_kpi_fits(kpis) and len(
            linked := r.kpis[kpis[0].record_id].initiative_ids) == 1:
        return replace(kpis[0], record_id=linked[0], kind="initiative"), confidence(kpis, f.foreign_name)
    if not ranked:
        return None, 0.0
    return ranked[0], confidence(ranked, f.foreign_name)


def route(r: Records, f: Frame, res: Resolved) -> Draft:
    """The answer to a frame resolved against the conversation."""
    en, s = f.english, f.slots
    if f.injection:
        return decline(r, en, [], INJECTION_EN if en else INJECTION_JA)
    if s.out_of_range_years and not s.years and f.asks & {"when", "list", "count"} and "explain" not in f.asks:
        years = "、".join(f"{y}年度" for y in s.out_of_range_years)
        return decline(r, en, [], f"The plan covers FY2026–FY2029 only, so it says nothing about {years}." if en
                       else f"プランの期間は2026～2029年度の4か年のため、{years}についての記載はありません。")
    if res.dangling:
        return decline(r, en, [], "どの取組についてのご質問か分かりませんでした。取組の名前（例:「かなパス」）を入れて、"
                                  "もう一度お尋ねください。")
    if res.nothing_to_narrow:
        return decline(r, en, [], "There is no earlier list in this conversation to narrow down. Please ask again with "
                       "every condition in one question." if en else "絞り込む元になる前の回答の一覧が見当たりません。"
                       "条件をすべて入れて、もう一度お尋ねください（例:「分野2の新規取組のうち、市立病院事務局以外のもの」）。")
    top, conf = initiative_confidence(r, f)
    # three asks at once (read before NFKC, which makes ③ a 3): one list cannot answer them; about a named row the
    # engine splits them (its card, then the rest)
    if many_asks(f.raw) and not names_a_row(r.plan, f.raw):
        return decline(r, en, [], "Your message asks three things or more at once. To avoid mixing up the answers, please "
                       "ask them one or two at a time." if en else "一度に3つ以上のことをお尋ねのため、答えを取り違えないよう"
                       "回答を控えます。1つずつ（2つまで）に分けてお尋ねください。")
    near = [r.initiatives[h.record_id] for h in f.ranked("initiative")[:3] if h.lexical >= 0.3]
    if f.out_of_scope or f.foreign_place:
        return decline(r, en, near)
    if s.unknown_departments and not s.departments and (top is None or conf < ANSWER):  # named row: corrected
        names = "、".join(s.unknown_departments)
        return decline(r, en, [], f"The plan names no department called {names}." if en else
                       f"プランには「{names}」という担当課は出てきません。担当課の名前をご確認ください。")
    for attempt in (queried, _goal, _count, _kpi, _plan, _narrowed, _listed, _card):
        draft = attempt(r, f, res, top, conf)
        if draft is not None:
            return draft
    if top is not None and conf >= OFFER:
        ranked = f.ranked("initiative")
        close = [r.initiatives[h.record_id] for h in ranked[:3]]
        alike = [r.initiatives[h.record_id] for h in ranked[:3] if h.score >= top.score - TIE and h.lexical >= 0.3]
        if len(alike) > 1 and len({tuple(i.departments) for i in alike}) == 1 and "who" in f.asks:
            return card(r, alike, en)  # not sure which row, but every close one is run by the same department
        return candidates(r, close, en, sure=False)
    return decline(r, en, near)


def _subjects(r: Records, res: Resolved) -> list[Initiative]:
    """The initiatives the conversation refers to."""
    return [r.initiatives[i] for i in res.subjects if i in r.initiatives]


def _goal(r: Records, f: Frame, res: Resolved, top: Hit | None, conf: float) -> Draft | None:
    """A ○ goal named by its title (「庁内のデジタル人材の育成を目指します」の取組): its rows."""
    goal = f.best("goal")
    if goal is None or goal.exact < 0.8 or res.subjects or (top is not None and top.exact >= goal.exact):
        return None
    g = r.goals[goal.record_id]
    rows = filtered(r, f.slots, [r.initiatives[i] for i in g.initiative_ids])
    return list_answer(r, rows, f, count="count" in f.asks, by_topic=True) if rows else None


def _count(r: Records, f: Frame, res: Resolved, top: Hit | None, conf: float) -> Draft | None:
    """How many initiatives, departments or KPIs."""
    if "count" not in f.asks or res.subjects:
        return None
    if exact := [h for h in f.hits[:3] if h.kind in ("initiative", "kpi") and h.exact >= 0.8]:
        apart = named_apart_from_departments(r, f)
        if apart is None or any(apart.get(h.record_id, 0.0) >= NAMED for h in exact):
            return None  # 「「金沢ミュージアムプラス」のKPIは何で、目標値はいくつ？」 asks about the named row
    best_kpi = f.best("kpi")
    # with row conditions only an exact name is a KPI: 「分野5で新マークの取組は何件？」 counts rows (都市づくり ≠ つくり手掲載数)
    kpi_named = best_kpi and (best_kpi.exact >= 0.8 or not f.slots.any) and (
        best_kpi.lexical >= SUBJECT_LEXICAL or confidence(f.ranked("kpi"), f.foreign_name) >= OFFER)
    rows_asked = ROW_COUNT.search(f.text) and not (best_kpi and best_kpi.exact >= NAMED)  # 「取組は全部で何件」
    if "kpi" in f.asks and (kpi_named or TARGET_WORDS.search(f.text)) and not KPI_WORDS.search(f.text) and not rows_asked:
        return None  # 「支援件数は何件を目指す？」: a KPI target, not a count of rows
    if KPI_WORDS.search(f.text):  # a named row's KPI ('the KPI on かなざわスマートフォン講座 (number of sessions)') is _kpi's
        return None if own_subject(f) and not f.slots.fields else kpi_list(r, f.slots.fields, f.english, count=True)
    # no row passes the slots: the query's conditions (a year asked about, 「2027年度はどういう状況？」, filters nothing)
    given = _pool(r, res)
    pool = filtered(r, f.slots, given) or select(r.plan, f.query.conds, given)
    themed = on_topic(r, f, pool) if known_topic(r, f) and not describes(f) else []
    rows = themed or pool
    if not rows:
        return None
    if "count_departments" in f.asks:
        return department_count(r, rows, f)
    if not f.slots.any and not themed and res.pool is None and conf >= ANSWER and own_subject(f):
        return None  # 「かなパスの利用者数は？」: a number about one initiative, not a count of rows
    return list_answer(r, rows, f, count=True, by_topic=bool(themed))


def _kpi(r: Records, f: Frame, res: Resolved, top: Hit | None, conf: float) -> Draft | None:
    """The KPI target asked about: named, linked to the initiative asked about, or every KPI."""
    if "kpi" not in f.asks:
        return None
    subjects = _subjects(r, res)
    if subjects:
        linked = [r.kpis[k] for i in subjects for k in i.kpi_ids]
        if linked:
            return kpi_answer(r, linked, f.english)
        # 「それ、数値目標はある？」 of a row without one: its field's KPIs that name what it does
        near = sharing_kpis(r, subjects[0]) if len(subjects) == 1 and KPI_WORDS.search(f.text) else []
        return near_kpis(r, subjects[0], near, f.english) if near else None
    best_kpi = f.best("kpi")
    section = f.best("section")
    if section and f.hits[0] is section and "explain" in f.asks:
        return None
    if KPI_WORDS.search(f.text) and "list_all" in f.asks and (f.slots.fields or not known_topic(r, f)):
        return kpi_list(r, f.slots.fields, f.english, count=False)  # 「人づくりのKPIぜんぶ」
    kpis = f.ranked("kpi")
    asked = set(r.searcher.query_tokens(f.text, f.english))
    if len(named := two_named(r, f, "kpi")) == 2 and all(label_share(r, h.record_id, asked) >= LABEL_NAMED for h in named):
        return kpi_answer(r, [r.kpis[h.record_id] for h in named], f.english)  # 「かなパスの利用者数目標と、…コマ数目標は？」
    row = r.initiatives[top.record_id] if top is not None and named_over_kpi(top, conf, best_kpi) else None
    if row and row.kpi_ids and not f.english and CARD_ASK.search(f.text) and not (
            best_kpi and best_kpi.exact >= NAMED and best_kpi.record_id not in row.kpi_ids):
        return None  # 「かなパスについて①所管課②2026年度の状況③KPIの目標値」: the card, which gives its KPI too
    if row and not row.kpi_ids and KPI_WORDS.search(f.text) and not (best_kpi and (best_kpi.exact >= top.exact
                                   or one_kpi_fits(kpis) and best_kpi.score >= top.score - 2 * TIE)):
        return no_kpi(r, row, f.english)  # 「「のりまっし金沢」の利用者数のKPIは？」
    sure = bool(kpis) and confidence(kpis, f.foreign_name) >= ANSWER
    if best_kpi and (sure or best_kpi.lexical >= SUBJECT_LEXICAL or best_kpi.reading >= 0.5) and (
            top is None or best_kpi.score >= top.score - 2 * TIE):
        close = [h for h in kpis if h.score >= best_kpi.score - TIE / 2 and h.lexical >= SUBJECT_LEXICAL] or kpis[:1]
        return kpi_answer(r, [r.kpis[h.record_id] for h in close[:3]], f.english)
    linked = r.initiatives[top.record_id].kpi_ids if top is not None and conf >= ANSWER and f.topic else []
    if linked and set(linked) & {h.record_id for h in kpis[:3]}:  # the initiative's own KPI, and the question fits it
        return kpi_answer(r, [r.kpis[k] for k in linked], f.english)
    if KPI_WORDS.search(f.text) and not known_topic(r, f):
        return kpi_list(r, f.slots.fields, f.english, count=False)
    hinted = [h for h in kpis[:3] if h.record_id in res.hint_kpis]
    if hinted:  # 「サイトの閲覧数の目標は？」 after ミュージアムプラス: the KPI of the conversation's subject
        return kpi_answer(r, [r.kpis[hinted[0].record_id]], f.english)
    if kpis and confidence(kpis, f.foreign_name) >= OFFER and kpis[0].known_coverage >= SUBJECT_LEXICAL:
        return kpi_answer(r, [r.kpis[h.record_id] for h in kpis[:2]], f.english, sure=False)
    return None


def named_over_kpi(top: Hit, conf: float, best_kpi: Hit | None) -> bool:
    """True when the question names the initiative, by its name or by words that cover it better than any KPI's
    (「公式HPへの生成AI導入の…KPI」 is that row's own KPI, not 「AI導入・DX化支援件数」 that shares two words)."""
    if top.exact >= NAMED:
        return True
    return conf >= ANSWER and best_kpi is not None and best_kpi.exact < NAMED and top.lexical > best_kpi.lexical \
        and top.score > best_kpi.score


def named_apart_from_departments(r: Records, f: Frame) -> dict[str, float] | None:
    """The records the question names by more than a department's name (「市立病院事務局の分はいくつ」 names no row
    「…市立病院…」), as exact-name scores; None when it names no department (every exact name counts)."""
    if not f.slots.departments:
        return None
    text = f.text
    for d in f.slots.departments:
        text = text.replace(d, " ")
    return r.searcher.exacts(match_key(text))


def label_share(r: Records, rid: str, asked: set[str]) -> float:
    """The IDF-weighted share of a record's own name words that the question's tokens hold (the reverse of its
    coverage)."""
    s = r.searcher
    weights = {t: s.bm25.weight(t) for t in s.name_tokens[rid]}
    return sum(w for t, w in weights.items() if t in asked) / (sum(weights.values()) or 1.0)


def one_kpi_fits(kpis: list[Hit]) -> bool:
    """True when one KPI fits the question's words clearly better than the next (「…ダウンロード数の目標」), not when a
    word many KPIs share (利用者数, 満足度) ties several."""
    return bool(kpis) and kpis[0].lexical >= SUBJECT_LEXICAL and (len(kpis) == 1 or kpis[0].score - kpis[1].score > TIE)


def _plan(r: Records, f: Frame, res: Resolved, top: Hit | None, conf: float) -> Draft | None:
    """A question about the plan itself: its philosophy, viewpoints, fields, period, organisation."""
    section = f.best("section")
    if section is None or res.subjects or res.pool is not None:
        return None
    if "list_all" in f.asks and "explain" not in f.asks and len(on_topic(r, f, r.plan.initiatives)) > 1:
        return None  # 「生成AIを使う取組はどんなのがある？」: the rows, not the paragraph that mentions them
    leads = f.hits[0] is section or (top is not None and section.score >= top.score)
    if "explain" in f.asks and section.lexical >= SUBJECT_LEXICAL and (leads or conf < ANSWER):
        return plan_answer(r, section, f)
    if leads and section.lexical >= SUBJECT_LEXICAL and not f.slots.any:
        return plan_answer(r, section, f)
    return None


def _pool(r: Records, res: Resolved) -> list[Initiative] | None:
    """The rows a follow-up narrows (その中で) or all rows but those already given (ほかに)."""
    if res.pool is not None:
        return [r.initiatives[i] for i in res.pool if i in r.initiatives]
    if res.exclude:
        return [i for i in r.plan.initiatives if i.id not in res.exclude]
    return None


def _narrowed(r: Records, f: Frame, res: Resolved, top: Hit | None, conf: float) -> Draft | None:
    """その中で…: the previous list narrowed by the new slots and theme (ranked, never emptied by unknown words)."""
    if res.pool is None:
        return None
    # the slots read a year beside 新 as a 新規 status that year; the query reads 「新規の取組名と、その令和11年度の状況」
    given = _pool(r, res)
    pool = filtered(r, f.slots, given) or select(r.plan, f.query.conds, given)
    themed = bool(known_topic(r, f))
    rows = closest_in(r, f, pool) if themed else pool
    if not rows:
        return None
    return list_answer(r, rows, f, by_topic=themed) if len(rows) > 1 else card(r, rows, f.english)


def _listed(r: Records, f: Frame, res: Resolved, top: Hit | None, conf: float) -> Draft | None:
    """Rows by the recognised slots (department, field, year, status …) and/or the question's theme."""
    s = f.slots
    if res.subjects:
        return None
    pool = _pool(r, res)
    wants_list = "list" in f.asks
    named = top is not None and top.exact >= 0.8 and conf >= ANSWER
    if named and "list_all" not in f.asks:
        return None  # 「ICTモデル工事」の2026年度…: the named row's card answers, not a list of 2026
    one = top is not None and conf >= ANSWER and own_subject(f) and "list_all" not in f.asks and bool(f.topic) and \
        bool(set(s.departments) & set(r.initiatives[top.record_id].departments)) and not s.by_status and not s.fields
    # a year alone filters nothing (every row has 2026–2029): 「…って2028ねんからこうかいですよね」 asks of one row
    years_only = bool(s.years) and not (s.departments or s.fields or s.status or s.new_only or s.ended or s.no_plan)
    if s.any and not one and (wants_list or conf < ANSWER or not f.topic or not own_subject(f)):
        rows = filtered(r, s, pool)
        themed = on_topic(r, f, rows) if known_topic(r, f) and not own_subject(f) and not describes(f) else []
        if years_only and not themed and not f.asks & {"list", "count"} and pool is None and res.fresh:
            if top is not None and top.exact >= NAMED:
                return None  # rows named, tied (「「金沢市デジタル工芸展」への…」): their cards, not every row of a year
            near = [r.initiatives[h.record_id] for h in f.ranked("initiative")[:3] if h.lexical >= 0.3]
            return decline(r, f.english, near)  # not every row of 2028 under the badge
        rows = themed or rows
        # the one row of the department said, when it lacks what the question describes and retrieval ranks another
        # row first: the department is a premise about that row (「市民課の窓口に透明なディスプレイが置かれる…」)
        premise = len(rows) == 1 and not wants_list and top is not None and rows[0].id != top.record_id and \
            bool(missing(r, f, [r.cite_initiative(rows[0])], departments=True))
        # 「…救急の取組は、市立病院事務局が担当しているんですよね？」: the department is asserted of the row described
        # (or asserted rightly, 「…支援は、学校教育センターさんがやっているということで合ってますか」: confirmed on the card)
        premise = premise or (bool(f.asserted) and "list_all" not in f.asks and top is not None and conf >= ANSWER
                              and (top.record_id not in {i.id for i in rows} or not wants_list))
        if rows and not premise and (wants_list or len(rows) > 1 or not own_subject(f)):
            return list_answer(r, rows, f, by_topic=bool(themed)) if len(rows) > 1 or wants_list else \
                card(r, rows, f.english)
    goal = f.best("goal")
    theme_only = (not f.asks & {"who", "when", "kpi", "count"} and conf < ANSWER and goal is not None
                  and goal.name_weight > 0 and goal.known_coverage >= SUBJECT_LEXICAL)  # 「子育てで何か便利になる？」
    sure_one = conf >= ANSWER and f.asks & {"who", "when"} and "list_all" not in f.asks
    if (wants_list or theme_only) and not named and not sure_one and known_topic(r, f):
        rows = on_topic(r, f, filtered(r, s, pool) if s.any else pool if pool is not None else r.plan.initiatives)
        # (the heading says the slots back: its rows pass them)
        if len(rows) > (1 if wants_list else 2):
            return list_answer(r, rows, f, by_topic=True)
    if wants_list and pool is not None and res.exclude:
        rows = on_topic(r, f, pool)
        if rows:
            return list_answer(r, rows, f, by_topic=True)
    return None


def describes(f: Frame) -> bool:
    """True when every topic word comes before the departments named: 「消防の警防課・予防課の取組」「上下水道関係
    （料金センターと経営企画課）の取組」 say which departments, not a theme their rows must hold."""
    first = min((f.text.find(d) for d in f.slots.departments if d in f.text), default=-1)
    if first <= 0:
        return False
    if not f.topic:  # only synonyms of words before them (「金沢関係（…）」): no theme of the question's own
        return True
    before = match_key(f.text[:first])
    return all(t in before for t in f.topic)


def said_whole(r: Records, f: Frame) -> list[Initiative]:
    """Two rows whose whole names the question says (none inside the other's), or none."""
    text = match_key(f.text)
    names = [r.initiatives[h.record_id] for h in f.ranked("initiative")[:6] if match_key(r.initiatives[h.record_id].name) in text]
    whole = [i for i in names if not any(match_key(i.name) in match_key(o.name) for o in names if o is not i)]
    return whole[:2] if len(whole) >= 2 else []


def _card(r: Records, f: Frame, res: Resolved, top: Hit | None, conf: float) -> Draft | None:
    """One initiative (from the question or the conversation) as a card, naming close alternatives."""
    years = f.slots.years or None
    kind = "schedule" if years or "when" in f.asks else "who"
    subjects = _subjects(r, res)
    if subjects:
        return card(r, subjects, f.english, kind, years)
    ranked = f.ranked("initiative")
    if "compare" in f.asks:  # 「AとBって同じ課？」: both cards, when the question names both
        both = [r.initiatives[h.record_id] for h in ranked[:2] if h.lexical >= SUBJECT_LEXICAL]
        if len(both) == 2:
            return with_verdict(card(r, both, f.english, kind, years), same_departments(both, f.english))
    quoted, quotes = [r.initiatives[h.record_id] for h in ranked[:4] if h.exact >= NAMED], QUOTED_NAME.findall(f.raw)
    if len(quotes) >= 2:  # the rows the quotes name (as typed), not others that share a word of them (マイナンバーカード)
        quoted = [i for i in quoted if any(match_key(q) in match_key(i.name) for q in quotes)]
    same_asked = bool(years) and bool(SAME_OR_NOT.search(f.text))
    if same_asked and len(quotes) < 2:  # 「AとB R9 同じステータス?」: the two rows its words name, unquoted
        quoted = said_whole(r, f) or ([r.initiatives[h.record_id] for h in pair] if len(
            pair := two_named(r, f, "initiative")) == 2 and all(h.exact >= NAMED for h in pair) else quoted)
    if len(quoted) >= 2 and (EACH.search(f.text) or len(quotes) >= 2 or same_asked):
        drafted = card(r, quoted[:2], f.english, kind, years)  # 「「A」と「B」は…どう違うか」「AとBについて、それぞれ」
        if same_asked:  # 「2027年度において「A」と「B」の状況は同じか」: said first
            # computed from the two rows the question quotes by name: no word of it is about a third thing
            return replace(with_verdict(drafted, same_statuses(r, quoted[:2], years, f.english)), computed=True)
        return drafted
    named = [r.initiatives[h.record_id] for h in ranked[:4] if h.exact >= 0.8 and h.score >= ranked[0].score - TIE]
    if len(named) > 1 and top is not None and top.exact >= 0.8:  # 「かなパス」 names several rows equally
        if len({tuple(i.departments) for i in named}) == 1:
            return card(r, named, f.english, kind, years)
        return candidates(r, named, f.english, sure=True)
    whole = [i for i in (r.initiatives[h.record_id] for h in ranked[:4]) if match_key(i.name) in match_key(f.text)]
    if len(whole) == 1 and (top is None or conf < ANSWER):  # the row's whole name, however its words tie with others
        return card(r, whole, f.english, kind, years)
    if top is None or conf < ANSWER:
        return None
    if "kpi" in f.asks and not f.asks & {"who", "when"} and not r.initiatives[top.record_id].kpi_ids:
        return None  # a target was asked and none was found: a who-card would not answer it
    close = [r.initiatives[h.record_id] for h in ranked[1:4]
             if h.score >= top.score - TIE and h.lexical >= 0.3]
    best = r.initiatives[top.record_id]
    same = [c for c in close if c.departments == best.departments and f.topic and top.exact < 0.8]
    others = [c for c in close if c not in same]
    tied = [c for c in others if c.departments != best.departments and top.exact < 0.8]
    if tied and top.lexical >= SUBJECT_LEXICAL:  # equally good rows run by other departments: let the user pick
        return candidates(r, [best] + same + others, f.english, sure=True)
    return card(r, [best] + same, f.english, kind, years, others=others)
