"""The statuses of a question as conditions: statuses said together as one, read in their year or years (a span,
every year, 「以降」, from a year on), a bracket that glosses a status, and a status that changes between years."""

from __future__ import annotations

import re

from ..models import YEARS
from ..query import NEW_FAMILY, NONE, Cond
from .mentions import NEG_JA, Mention, year_ranges

JOINED = re.compile(r"[」』]?\s*(や|と|か|または|もしくは|及び|および|並びに|ならびに|でも|にも|or|and|,|、|/|・)\s*[「『]?|[」』]\s*も?\s*[「『]", re.IGNORECASE)
ALL_YEARS = re.compile(r"ずっと|(4|四)(年間|か年|カ年|ヵ年|ケ年)(すべて|全て|とも|ずっと|通して|を通じて)?|一貫して|全期間|すべての年度|全ての年度|全年度|毎年度|every year|all four years|"
                       r"throughout", re.IGNORECASE)
NO_YEAR = re.compile(r"(どの|いずれの)年度?(に|で)?も|一度も|\bin (any|no) (year|fiscal year)\b", re.IGNORECASE)
EVERY_DEPT = re.compile(r"どの担当課も|どの課も|すべての(担当)?課|全ての(担当)?課|every department|all departments", re.I)


# the opening of a bracket right after a status, or after its negation: what the bracket says glosses it
GLOSS_OPEN = re.compile(rf"[」』]?\s*(段階|止まり|のまま)?\s*({NEG_JA})?\s*[（(][^（）()]*")
ANY_YEAR = re.compile(r"いずれか|どれか|どこかで|までに|の間に|のうちに|期間中に|\bany\b|at some point|\bduring\b|\bwithin\b",
                      re.IGNORECASE)
LATER = re.compile(r"\s*(以降|以後|onwards?|and later)", re.IGNORECASE)
STAYS = re.compile(r"まま|ずっと|引き続き|\b(remain|remains|stay|stays|still)\b", re.IGNORECASE)
ONWARD = re.compile(r"\s*(から|以降|以後|onwards?|and later|on\b)", re.IGNORECASE)


def said_after(rx: re.Pattern[str], text: str, mentions: list[Mention], year: int) -> bool:
    """True when a mention of the year is followed by the pattern (「2028年度から」「2027年度以降」)."""
    return any(y.kind == "year" and y.value == year and rx.match(text, y.end) for y in mentions)


def status_conds(text: str, statuses: list[tuple[Mention, bool]], years: list[Mention], english: bool) -> list[Cond]:
    """Statuses said together (「継続」でも「継続・拡大」でも, や, と, or) as one condition, read in their year."""
    groups: list[list[tuple[Mention, bool]]] = []
    for m, neg in statuses:
        last = groups[-1][-1][0] if groups else None
        between = text[last.end:m.start] if last else ""
        gloss = bool(last and not neg and GLOSS_OPEN.fullmatch(between))
        if gloss and groups[-1][-1][1]:
            continue  # 「「継続」になっていない（まだ検討止まり…）」: the bracket restates the negation in other words
        if last and (gloss or (groups[-1][-1][1] == neg and JOINED.fullmatch(between))):
            groups[-1].append((m, groups[-1][-1][1]))  # 「検討段階（「検討」「検討・試行」）」: the bracket spells it out
        else:
            groups.append([(m, neg)])
    every_year = bool(ALL_YEARS.search(text))
    in_no_year = bool(NO_YEAR.search(text))  # 「4か年のどの年度にも「継続・拡大」が付いていない」: negated in every year
    every_dept = bool(EVERY_DEPT.search(text))
    out = []
    for g in groups:
        first = g[0][0]
        before = [y.value for y in years if y.end <= first.start]
        after = [y.value for y in years if y.start >= g[-1][0].end]
        nxt = next((o.start for o, n in statuses if o.start >= g[-1][0].end and (not english or n == g[-1][1])),
                   len(text))  # English: 'plain 継続 (not 継続・拡大) in FY2027' — both read in FY2027
        after_here = [y.value for y in years if g[-1][0].end <= y.start < nxt]
        year = (after_here[:1] or before[-1:]) if english else (before[-1:] or after[:1])
        neg = any(n for _, n in g)
        values = tuple(dict.fromkeys(v for m, _ in g for v in (m.value if isinstance(m.value, tuple) else (m.value,))))
        onward = values == (NONE,) and year and said_after(ONWARD, text, years, year[0])
        later = not onward and year and said_after(LATER, text, years, year[0])
        if onward or later:  # 「2028年度から「—」」: nothing planned from that year to the plan's end; 「2027年度以降」
            year = [y for y in YEARS if y >= year[0]]
        span = next(((a.value, b.value) for a, b in year_ranges(text, years) if year and year[0] in (a.value, b.value)
                     and (b.end <= first.start or a.start >= g[-1][0].end)), None)
        throughout = False
        if span and not onward:  # 「2026〜2029年度の4か年すべてで「検討」」: every year of the span (or any, when said)
            year = [y for y in YEARS if span[0] <= y <= span[1]]
            throughout = every_year or not (ANY_YEAR.search(text) or all(v == NEW_FAMILY or v.startswith("新規")
                                                                            for v in values))  # 「4か年とも」 says it
        # 「2027年度以降も「検討」のまま」 holds in each of those years; 「2027年度以降に「新規導入」」 in one of them
        every = bool(onward) or throughout or (every_year and not year) or bool(later and STAYS.search(text))
        out.append(Cond("status", values, tuple(year), every_year=every and not (neg and in_no_year),
                        every_department=every_dept and not neg, negated=neg))
    return out


# rows whose status changes between years (「2027年度から2028年度にかけて状況が変わる取組」 'change status between FY2026
# and FY2027'), or stays the same (「状況が変わらない」 'unchanged')
CHANGE = re.compile(r"(状況|ステータス|表記|位置付け|位置づけ)(が|の|は)?(変わ|変化|異な|違|切り替わ|切替わ)[^。？?]{0,8}?"
                    r"(取組|もの|事業|の[はが？?]|のは)|"
                    r"(change[sd]?|changing) (in )?(their |its )?status|status (changes|changed|differs|is different)|"
                    r"(different|changed?) (status|from)|\bunchanged\b|same status (in|across|throughout)",
                    re.IGNORECASE)
UNCHANGED = re.compile(r"変わらな|変わってい?な|変化(しな|のな|がな)|異ならな|違わな|unchanged|(does|do|did)( not|n't) change|"
                       r"same status", re.IGNORECASE)


def change_cond(text: str, mentions: list[Mention]) -> tuple[Cond, tuple[int, int]] | None:
    """The condition 「状況が変わる」 over the years said (two: the span between them; one: from the year before;
    none: the plan's four years), negated for 「変わらない」, and where it was said; None when not said."""
    m = CHANGE.search(text)
    if m is None:
        return None
    years = sorted({y.value for y in mentions if y.kind == "year" and y.value in YEARS})
    if len(years) >= 2:
        span = tuple(y for y in YEARS if years[0] <= y <= years[-1])
    elif years and said_after(LATER, text, mentions, years[0]):
        span = tuple(y for y in YEARS if y >= years[0])  # 「2027年度以降に状況が変わる」: between any two years from 2027
    elif years:
        span = (years[0] - 1, years[0]) if years[0] - 1 in YEARS else (years[0], years[0] + 1)
    else:
        span = tuple(YEARS)
    negated = bool(UNCHANGED.search(text, max(0, m.start() - 2), m.end() + 12))
    return Cond("change", years=span, negated=negated), m.span()
