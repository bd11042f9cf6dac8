"""Read a question into a Query (query.py): its conditions, where each one's negation and year apply, and the result.

The phrases that bear conditions and the words that negate them are found by mentions.py; what is asked of the
rows (a list, a count, the most, a comparison …) is read by results.py. Here a negation is tied to what it negates
(「産業政策課以外」, 「「継続」でも「継続・拡大」でもない」, "not new", "other than"), a status to the year said last
before it (or, failing one, the first after it), and words that read like a condition but attach to no mention are
kept as `unread`, so that the answer says so instead of dropping them."""

from __future__ import annotations

import re
from datetime import date

from ..models import STATUS_EN, STATUSES, Plan
from ..query import NONE, Cond, Query
from .mentions import (
    NEG_AFTER,
    NEG_ANY,
    NEG_BEFORE,
    NEG_LABEL,
    NEG_REACH,
    Mention,
    flag_mentions,
    named_mentions,
    status_mentions,
    year_mentions,
)
from .results import COMPARE, COUNT, KPI_SUBJECT, MOST, cumulative_negations, kpi_properties, result_of
from .slots import Slots
from .statuses import JOINED, change_cond, status_conds

RESTATES_NONE = re.compile(r"記載|書かれ|載って")  # a negation after 「—」 that says nothing is written: the — again
BRACKETS = re.compile(r"[\s()（）「」『』]*")
DISTINCT = re.compile(r"重複を除(いて|く|けば)|重複なし|重複せず|without (double|duplicate)s?|distinct", re.IGNORECASE)
WHICH = re.compile(r"\bwhich (initiatives|ones|rows)\b|どれ(か|です|でしょう)|どの取組", re.IGNORECASE)  # a list asked first
SPLIT_PAIR = re.compile(r"そのうち|その内|うち(?!の課)|of (which|these|those|them)|and how many of them", re.IGNORECASE)
NAME_HAS = re.compile(r"(取組名|名前|名称|タイトル|件名)(に|で|の中に)[「『](?P<ja>[^」』]+)[」』](と(いう|いった)(語|言葉|文字))?(が|を)?"
                      r"(入|含|付|つ|使われ)|(named|titled|(whose|with an?|that has an?|have an?|has an?) (name|title) (that )?(contains|includes|has|with))"
                      r"\s*(the word )?[「\"'](?P<en>[^」\"']+)",
                      re.IGNORECASE)
TOPIC_AFTER = re.compile(r"[」』]?\s*は")
# a parenthesis of examples or counting remarks names no condition: 「(金沢美術工芸大学、市立工業高校など)」 '(counting … etc.)'
EXAMPLES = re.compile(r"[（(][^（）()]*?(など|等|とか|etc\.?|e\.g\.|counting|including|含め|含む|例えば|for example)[^（）()]*[)）]",
                      re.IGNORECASE)


def negation(text: str, m: Mention, run_end: int, nxt: int, english: bool) -> tuple[int, int] | None:
    """Where a negation of the mention is (after the run of its kind it ends, in Japanese; before it in English)."""
    found = NEG_AFTER.search(text[run_end:nxt])
    if found:
        return run_end, run_end + found.end()
    before = max(0, m.start - NEG_REACH)
    if english and (found := NEG_BEFORE.search(text[before:m.start])):
        return before + found.start(), m.start
    return None


def next_other(text: str, mentions: list[Mention], n: int) -> tuple[int, int]:
    """Where the run of mentions[n] and the same kind said again right after it ends (「新規(「新」)ではない」,
    「「新規導入」「新規実施」「新規公開」のいずれも…ない」: a negation after the last applies to all), and where the next
    mention starts."""
    end = mentions[n].end
    for o in mentions[n + 1:]:
        if o.start < end:
            continue
        between = text[end:o.start]
        if "(" in between and (TOPIC_AFTER.match(text, o.end) or (  # 「「新規実施」(新規導入は含めない)」: a remark
                o.kind == "status" and o.value != mentions[n].value and NEG_AFTER.search(text[o.end:]))):
            return end, o.start  # of its own, as is 「「新規実施」(新規導入・新規公開ではなく)」 (not 「新規(「新」)ではない」)
        if o.kind == mentions[n].kind and (BRACKETS.fullmatch(between) or JOINED.fullmatch(between)):
            end = o.end
            continue
        return end, o.start
    return end, len(text)


def conditions(text: str, mentions: list[Mention], english: bool) -> tuple[list[Cond], list[tuple[int, int]]]:
    """The conditions of the mentions (statuses grouped with their years) and the spans the negations took."""
    mentions = sorted(mentions, key=lambda m: (m.start, -m.end))
    conds: list[Cond] = []
    used: list[tuple[int, int]] = []
    statuses: list[tuple[Mention, bool]] = []
    negated_before: Mention | None = None
    labels = [lm for lm in NEG_LABEL.finditer(text)]
    for n, m in enumerate(mentions):
        run_end, nxt = next_other(text, mentions, n)
        label = next((lm for lm in labels if lm.end(1) <= m.start < lm.end()), None)
        span = (label.start(), label.end(1)) if label else negation(text, m, run_end, nxt, english)
        # 「「—」で何も記載されていない」 says the — again: the negation is read, and negates nothing
        neg = span is not None and not (m.value == NONE and RESTATES_NONE.search(text[span[0]:span[1]]))
        prev = negated_before
        if english and not neg and prev is not None and prev.kind == m.kind and JOINED.fullmatch(text[prev.end:m.start]):
            neg = True  # 'other than those run by A or B': B is excluded too
        negated_before = m if neg else None
        if span:
            used.append(span)
        if m.kind == "status":
            statuses.append((m, neg))
        elif m.kind in ("department", "field", "goal", "viewpoint"):
            conds.append(Cond(m.kind, (m.value,), negated=neg))
        elif m.kind in ("new", "existing"):
            conds.append(Cond("new", negated=neg != (m.kind == "existing")))
        elif m.kind in ("many", "one"):
            conds.append(Cond("departments_at_least", (m.value or 2,), negated=neg != (m.kind == "one")))
        elif m.kind in ("kpi", "nokpi"):
            conds.append(Cond("kpi", negated=neg != (m.kind == "nokpi")))
    years = [m for m in mentions if m.kind == "year"]
    conds += status_conds(text, statuses, years, english)
    for y in years:  # 「令和9年度までは実施され、…」: that year has something planned (it is not —)
        if (held := UNTIL_HELD.match(text, y.end)) and not held.group("status"):
            conds.append(Cond("status", (NONE,), (y.value,), negated=True))
            used.append((y.start, held.end()))
    return merged(conds), used


UNTIL_HELD = re.compile(r"\s*まで(は|の間は)?\s*(?P<status>[「『]|" + "|".join(re.escape(x) for x in STATUSES) + r")?"
                        r"(実施|継続|行われ|続|予定があ|取り組ま)")


# the end of a counting ask followed by a second ask: 「…は何件で、」「いくつあり、」「何件ですか。また」
COUNT_THEN = re.compile(r"(?:(?<=何件)|(?<=いくつ)|(?<=何個))(で|あり|あって|ある(が|けど)|ですか|か)?\s*[、,。？?]\s*(また|あと|それと)?[、,]?|"
                        r"\s*,\s*(and\s+)?(?=(which|what)\b)", re.IGNORECASE)


# a check that every row of a group holds a condition: 「…は全て新規か」「いずれも「継続」ですか」 'are all of them new?'
ALL_OF = re.compile(r"(全て|すべて|全部|いずれも|どれも)(が)?(?=[^。？?]{0,14}(か|ですか|でしょうか|ますか)\s*([。？?]|$))|"
                    r"\bare (they )?all( of them)?\b(?=[^.?]{0,60}\?)", re.IGNORECASE)


GROUPS = ("department", "field", "goal", "viewpoint")  # conditions that name a group of rows, not a property
WHICH_OF_TWO = re.compile(r"どちら|どっち|いずれが|which of the two", re.IGNORECASE)


def pair_parts(text: str, mentions: list[Mention], split: re.Match[str], english: bool
               ) -> tuple[list[Cond], tuple[Cond, ...], tuple[tuple[int, int], ...]]:
    """A two-part count's conditions, before and after the split, the second's new ones only, and the spans read."""
    base, used = conditions(text[:split.start()], [m for m in mentions if m.end <= split.start()], english)
    narrow, used2 = conditions(text, [m for m in mentions if m.start >= split.end()], english)
    spans = tuple(used + used2) + tuple((m.start, m.end) for m in mentions)
    return base, tuple(c for c in narrow if c not in base), spans


def pair_query(text: str, base: list[Cond], narrower: tuple[Cond, ...], spans: tuple[tuple[int, int], ...]) -> Query:
    """「N件で、そのうち…はM件」: the group's conditions, the narrower part's, and the parts left unread."""
    return Query(tuple(base), "pair", narrower=narrower, unread=unread_in(text, spans, base + list(narrower)),
                 spans=spans)


def merged(conds: list[Cond]) -> list[Cond]:
    """Conditions of one kind said side by side (「観光政策課と文化政策課」) merged into alternatives; repeats once."""
    out: list[Cond] = []
    for c in conds:
        same = next((o for o in out if o.kind == c.kind and o.negated == c.negated and c.kind in (
            "department", "field", "goal", "viewpoint")), None)
        if same is not None:
            out[out.index(same)] = Cond(c.kind, tuple(dict.fromkeys(same.values + c.values)), negated=c.negated)
        elif c not in out:
            out.append(c)
    return out


# 「… ではない — anything with 継続・拡大, 新規, or a gap — はどれ」: an aside between spaced dashes restates or gives
# examples of the condition around it; what it names is no condition of its own
ASIDE = re.compile(r"(?<=\s)[—–―]{1,2}\s(?![」』)）])[^—–―「」]{3,80}?\s[—–―]{1,2}(?=\s)")
# what follows says it again (an English ask, then a dash and the same in Japanese: '… NOT launched in FY2026 — 2026年度が…')
RESTATED = re.compile(r"\bi\.\s?e\.|\bthat is to say\b|つまり|すなわち|要するに|言い換えると|(?<=[A-Za-z0-9])\s+[—–]\s*(?=[0-9]*[「一-龥ぁ-んァ-ヶ])",
                      re.IGNORECASE)
SAID_IN_PLAN = re.compile(r"と(だけ|のみ)?(書かれ|記載され|記され|載っ|表記され)て(いる|る|います|いて|おり)")  # glue after a status, no theme


def read_query(text: str, plan: Plan, slots: Slots, asks: set[str], english: bool, today: date) -> Query:
    """The question as one query over the rows (conditions, result, unread parts)."""
    text = NO_GAPS.sub(lambda m: " " * len(m.group()), text)  # 「漏れのないように」 negates nothing (same length)
    examples = [m.span() for m in EXAMPLES.finditer(text)]
    asides = [m.span() for m in ASIDE.finditer(text)]
    mentions = [m for m in year_mentions(text, today) + status_mentions(text, plan) + flag_mentions(text) + [
        m for m in named_mentions(text, plan, slots)
        if not (m.kind == "department" and any(a <= m.start < b for a, b in examples))]
        if not any(a <= m.start < b for a, b in asides)]
    if (clause := if_any_clause(text)) and not (COMPARE.search(text) or MOST.search(text)):
        inside = [m for m in mentions if clause[0] <= m.start < clause[1]]
        outside = [m for m in mentions if m not in inside]
        if inside and outside:  # 「危機管理課の所管分は何件…新マークが付いているものがあれば」: marked, not a filter
            base, used = conditions(text, outside, english)
            narrow, used2 = conditions(text, inside, english)
            spans = tuple(used + used2) + tuple((m.start, m.end) for m in mentions)
            if narrower := tuple(c for c in narrow if c not in base):
                return Query(tuple(base), "pair", narrower=narrower, unread=unread_in(text, spans, base + narrow),
                             spans=spans)
    split = SPLIT_PAIR.search(text)
    if split and KPI_SUBJECT.search(text[:split.start()]) and (narrow := kpi_properties(text[split.end():])):
        base = [c for c in conditions(text[:split.start()], [m for m in mentions if m.end <= split.start()], english)[0]
                if c.kind == "field"] + kpi_properties(text[:split.start()])
        spans = tuple((m.start, m.end) for m in mentions)  # 「魅力づくりのKPIはいくつあり、そのうち累計で測るものは」
        return Query(tuple(base), "pair", subject="kpi", narrower=tuple(narrow), unread=unread_in(text, spans, base),
                     spans=spans)
    if split and (COUNT.search(text[:split.start()]) or WHICH.search(text[:split.start()])) and not COMPARE.search(
            text):  # 「何件？あと、そのうち新マークは？」; 'Which …, and which of those is 新?
        base, narrower, spans = pair_parts(text, mentions, split, english)
        return pair_query(text, base, narrower, spans) if narrower else Query(
            tuple(base), "count", unread=unread_in(text, spans, base), spans=spans)
    if (every := ALL_OF.search(text)) and not split:  # 「予防課の取組は全て新規か」: how many of them are, said back
        base, narrower, spans = pair_parts(text, mentions, every, english)
        if not base:  # 'Are all of 予防課's initiatives new?': the group named after the cue is the base
            base = [c for c in narrower if c.kind in GROUPS]
            narrower = tuple(c for c in narrower if c.kind not in GROUPS)
        if base and narrower:
            return pair_query(text, base, narrower, spans)
    then = COUNT_THEN.search(text)  # 「…は何件で、途中で終わるのはどれか」: the second ask's conditions narrow the first
    if then and not split and COUNT.search(text[:then.start()]) and not (COMPARE.search(text) or MOST.search(text)
                                                                       or WHICH_OF_TWO.search(text)):
        base, narrower, spans = pair_parts(text, mentions, then, english)
        if base and narrower:
            return pair_query(text, base, narrower, spans)
    conds, used = conditions(text, mentions, english)
    named = NAME_HAS.search(text)
    if named:  # 「取組名に「生成AI」が入っているもの」: the rows whose very name holds the words
        term = next(g for g in named.group("ja", "en") if g)
        conds.append(Cond("name", (term,)))
        used.append(named.span())
    if (change := change_cond(text, mentions)) is not None:
        conds.append(change[0])
        used.append(change[1])
    result, conds = result_of(text, conds, asks)
    if result.get("result") == "most" and (group := result.get("group")) in ("department", "field"):
        conds = [c for c in conds if c.kind != group or c.negated or len(c.values) > 1]  # 'Is it true that D has
        # more than any other?': within D alone it would always be D; 「AとBのうち一番多いのは」 stays among the two
    spans = tuple(used) + tuple((m.start, m.end) for m in mentions) + tuple(m.span() for m in SAID_IN_PLAN.finditer(text))
    spans += tuple(asides) + tuple(examples)  # 「（大学・高校なども含めて）」 names no theme either
    if (said := RESTATED.search(text)) and any(m.start >= said.end() for m in mentions):
        spans += ((0, said.start()),)  # 'have not yet moved past a study stage, i.e. every year only 検討 …
    spans += tuple(cumulative_negations(text)) if any(c.kind == "cumulative" for c in conds) else ()
    unread = unread_in(text, spans, conds)
    if result.get("subject") == "kpi" and result["result"] == "most" and not re.search(r"分野|fields?", text, re.I):
        unread += (MOST.search(text).group(),)  # 「人数で目標を立ててるKPIで一番多いのは」: the largest target, not a field
    return Query(tuple(conds), unread=unread, spans=spans, **result)


# words that ask for a kind of condition or grouping the reader has no reading for: when one is said and no
# condition of its kind was read, a list or count would silently cover every ○ goal, so the part is said back
CUES = ((re.compile(r"[○〇◯]\s*目標\s*(ごと|別|のうち|の中で|の中|で最も|で一番)|目標ごと|目標別"), "goal"),)
def repeated_negations(text: str, conds: list[Cond]) -> tuple[tuple[int, int], ...]:
    """Negations of a value already read as negated, at its other mentions: a question said twice ('Excluding
    デジタル政策課, … デジタル政策課を除いたら…', 「「継続」でもない — other than continuing」) reads its second negation too."""
    spans: list[tuple[int, int]] = []
    said = {re.escape(v) for c in conds if c.negated and c.kind == "department" for v in c.values}
    said |= {rf"\b{w[:6]}\w*" for c in conds if c.negated and c.kind == "status" for v in c.values
             for w in STATUS_EN.get(v, "").split() if len(w) > 3}  # 'other than continuing' restates 「継続」でもない
    for value in said:
        for m in re.finditer(value, text, re.IGNORECASE):
            if after := NEG_AFTER.match(text[m.end() :]):
                spans.append((m.end(), m.end() + after.end()))
            if before := NEG_BEFORE.search(text[max(0, m.start() - NEG_REACH) : m.start()]):
                spans.append((m.start() - len(before.group()), m.start()))
    return tuple(spans)


NO_GAPS = re.compile(r"(漏れ|もれ|抜け|ぬけ|間違い|まちがい|誤り|重複)(の|が)(ない|なく|無い|無く)")  # how to answer, not a condition


def unread_in(text: str, spans: tuple[tuple[int, int], ...], conds: list[Cond]) -> tuple[str, ...]:
    """Negations that attach to no condition read (「重複を除いて」 counts distinct departments: not a condition), and
    words that ask for a kind of condition none of which was read (「○目標のうち、新規取組が最も多いのは」)."""
    spans += tuple((m.start(), m.end()) for m in DISTINCT.finditer(text)) + repeated_negations(text, conds)
    out = [m.group() for m in NEG_ANY.finditer(text) if not any(a <= m.start() < b for a, b in spans)]
    kinds = {c.kind for c in conds}
    out += [m.group() for rx, kind in CUES if kind not in kinds for m in rx.finditer(text)
            if not any(a <= m.start() < b for a, b in spans)][:1]
    return tuple(out)


IF_ANY = re.compile(r"(もの|の|取組|事業)(が|は)?(あれば|ある場合は|あるなら|あったら)|\bif any\b", re.IGNORECASE)


def if_any_clause(text: str) -> tuple[int, int] | None:
    """Where a clause 「…ものがあれば」 ('… if any') is: its conditions mark rows of the answer, they do not filter it."""
    if not (m := IF_ANY.search(text)):
        return None
    return max(text.rfind(c, 0, m.start()) for c in "、。,，？?") + 1, m.end()


def residue(text: str, q: Query) -> str:
    """The question with the parts read as conditions blanked out: what is left may name a theme."""
    chars = list(text)
    for a, b in q.spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)
