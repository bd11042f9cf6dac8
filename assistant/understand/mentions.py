"""Find the condition-bearing phrases of a question and where they are: years, statuses, departments, fields, goals,
viewpoints, 新, the number of departments, KPIs; and the words that negate them (a Japanese negation follows what
it negates, an English one comes before it). conditions.py reads these into a Query."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ..models import STATUS_EN, STATUSES, YEARS, Plan
from ..query import NEW_FAMILY, NONE
from ..text import match_key
from .slots import FIELD_ALIASES, FIELD_SEP, Slots, department_stem, fiscal_year

NEG_JA = ("一度もない|一度もなく|一度も無い|いちどもない|以外|不要|いらない|要らない|ではない|ではなく|でなく|じゃなく|ではありません|でない|じゃない|でもない|にもならない|を除|は除|除いて|除外|"
          "付いていない|ついていない|付いてない|ついてない|付いておらず|ついておらず|付かない|付されていない|付されておらず|"
          "付されてない|(?<![一-龥ぁ-ん])なし|無し|マークがなく|印がなく|文字が入っていない|言葉が入っていない|文字が入っておらず|含まれていない|含まれない|進まず|進まない|進んでいない|"
          "進んでおらず|至らない|至らず|至っていない|ならない|ならず|がない|(?<!\S)がなく|=無|= 無|のない|含めない|含まない|含まず|"
          "になっていない|となっていない|になっておらず|担当していない|担当しない|担当しておらず|関わっていない|"
          "いずれも記載されていない|いずれも記載がない|記載されていない|記載されておらず|書かれていない|載っていない|"
          "出てこない|出てこず|出てきていない|出ていない|現れない|見当たらない")
LINE = r"(?:(?!\s・)[^\n→])"  # within one line or bullet (「・対象:…・除外1:…」 arrives with its lines joined by spaces)
NEG_AFTER = re.compile(rf"^(?:(?![、。,.?？!！]){LINE}){{0,12}}?({NEG_JA})")
NEG_LABEL = re.compile(rf"(除外|除く|対象外|以外|exclud(e|es|ed|ing)|except)\s*[0-9０-９]*\s*[:：]{LINE}*", re.IGNORECASE)  # 「・除外1:…」
NEG_BEFORE = re.compile(r"(\bnot|other than|apart from|except|excluding|without|aren't|isn't|(do|does|did|have|has)n't|never|setting aside|"
                        r"leaving aside|leaving out|\bsetting|\bleaving|\bputting)\s+"  # 'Setting デジタル政策課 aside'
                        r"((those|ones|the ones|initiatives|rows)( that are)?\s+)?"
                        r"((run|handled|managed|led|owned) by |by |in |yet |marked |(carry|carries|have|has|bear|bears|"
                        r"hold|holds|show|shows|include|includes) )?(the |a |an |any )?\S{0,3}$", re.IGNORECASE)
NEG_REACH = 40  # how far before a mention an English negation may start ('other than the ones run by the …')
NEG_ANY = re.compile(rf"{NEG_JA}|\bnot\b|other than|apart from|except|excluding", re.IGNORECASE)  # what NEG_AFTER reads
STATUS_RX = re.compile("|".join(re.escape(s) for s in STATUSES) + r"|検討中|検討段階|まだ検討")
EN_STATUS = {en: ja for ja, en in STATUS_EN.items() if " " in en}  # 'new introduction'; not the everyday 'continued'
STATUS_EN_RX = re.compile(r"\b(" + "|".join(map(re.escape, EN_STATUS)) + r")\b", re.IGNORECASE)
# 「—」, or a bare — that is not a dash between two parts (「…「新規導入」— この条件に…」)
NONE_RX = re.compile(r"(「—」|(?<![\s」』])—(?!\s)|(?:(?<=[:：])|(?<=[:：]\s))[—―](?![—―]))(\s*[(（](実施)?予定なし[)）])?|予定なし|予定がない|何も予定されていない|"
                     r"nothing planned")
ADVANCE_RX = re.compile(r"(導入|実施|公開)(?:[・や、と](?:導入|実施|公開))*(?=(に|へ)(進|至))")
NEW_RX = re.compile(r"新規(?!導入|実施|公開)|新しい|新しく|新た[なに]|「新」|新マーク|(?<![一-龥])新(?![一-龥ぁ-んァ-ヶ])|(?<![一-龥])新(?=じゃ|では|でな|以外|の(もの|取組|やつ|は|数)|は\s*[?？]|は\s*$)|\bnew\b(?! introduction| implementation| "
                    r"release)|\bnewly\b", re.IGNORECASE)
EXISTING_RX = re.compile(r"既存|\bexisting\b", re.IGNORECASE)
N = r"[2-9２-９二三四五]"  # how many departments at least (「3つ以上の課」); 複数 and 'multiple' say two
MANY_DEPTS = re.compile(rf"(担当課|課|部署)が?({N}|複数)つ?以上|(担当課|課|部署)の?数\s*(≧|≥|>=|=>)\s*{N}|(担当課|課|部署)の?数\s*{N}\s*以上|担当(課|部署)?\s*[:：]\s*複数|(担当課|担当部署|課|部署)(が|は)?複数|複数の(課|部署|担当課)|"
                        rf"複数(の)?(課|部署)(で|が)(担当|所管|実施|共同)|{N}つ以上の(課|部署|担当課)|{N}課以上|"
                        r"(more than one|multiple|several|(two|three|four|five|[2-5]) or more|at least (two|three|four|five|[2-5]))"
                        r"( responsible| different| separate)? "
                        r"(departments?|divisions?|sections?)", re.IGNORECASE)
HOW_MANY = {"二": 2, "三": 3, "四": 4, "五": 5, "two": 2, "three": 3, "four": 4, "five": 5}


def at_least(phrase: str) -> int:
    """The number of departments a MANY_DEPTS phrase asks for at least (2 for 複数, 'multiple')."""
    found = re.search(r"[2-9２-９二三四五]|two|three|four|five", phrase, re.IGNORECASE)
    if not found:
        return 2
    word = unicodedata.normalize("NFKC", found.group()).lower()
    return int(word) if word.isdigit() else HOW_MANY[word]


ONE_DEPT = re.compile(r"単独の(課|部署)|単独で担当|(1|一)つの課(だけ|のみ)|(1|一)課(だけ|のみ)|(担当課|課)が(1|一)つ(だけ|のみ)?の|"
                      r"only one (department|division)|a single (department|division)", re.I)
KPI_LINKED = re.compile(r"KPIが?(設定|あ[るり]|紐づ|ひもづ|付いて|ついて)|KPIのある|KPI付き|with (a )?KPIs?|linked to (a )?KPI",
                        re.IGNORECASE)
KPI_UNLINKED = re.compile(r"KPIが?(設定されていない|ない|なし|無い)|KPIのない|without (a )?KPIs?|no KPI", re.IGNORECASE)
RELATIVE_YEARS = {"再来年度": 2, "来年度": 1, "今年度": 0, "本年度": 0, "next year": 1, "this year": 0}


@dataclass
class Mention:
    """One condition-bearing phrase of the question and where it is."""

    start: int
    end: int
    kind: str  # year | status | department | field | goal | viewpoint | new | many | one | kpi | nokpi
    value: object = None


def year_mentions(text: str, today: date) -> list[Mention]:
    """Every plan year said (2026年度, 令和8年度, FY2027, 来年度, 最終年度)."""
    out = [Mention(m.start(), m.end(), "year", 2018 + int(m.group(1)))
           for m in re.finditer(r"(?:令和|(?<![A-Za-z])R)\s*(\d{1,2})(?!\d)\s*年?度?", text)]  # 令和8年度, R8年度, R8
    out += [Mention(m.start(), m.end(), "year", int(m.group(1)))
            for m in re.finditer(r"(?:FY\s*)?(20\d\d)(?!\d)\s*年?度?", text, re.IGNORECASE)]
    fy = fiscal_year(today)
    for word, ahead in RELATIVE_YEARS.items():
        out += [Mention(m.start(), m.end(), "year", fy + ahead) for m in re.finditer(re.escape(word), text, re.I)]
    out += [Mention(m.start(1), m.end(), "year", 2018 + int(m.group(1))) for m in REIWA_RANGE_END.finditer(text)]
    out += [Mention(m.start(), m.end(), "year", YEARS[-1]) for m in re.finditer(r"最終年度|final year", text, re.I)]
    out += [Mention(m.start(), m.end(), "year", YEARS[0]) for m in re.finditer(r"初年度|first year", text, re.I)]
    return [m for m in out if m.value in YEARS]


def year_ranges(text: str, years: list[Mention]) -> list[tuple[Mention, Mention]]:
    """Two years joined as a span (「2026〜2029年度」「令和9年度から令和11年度まで」 'FY2027 to FY2029')."""
    years = sorted(years, key=lambda m: m.start)
    return [(a, b) for a, b in zip(years, years[1:], strict=False)
            if a.value < b.value and YEAR_TO.fullmatch(text[a.end:b.start])]


# 「既存事業の継続分」「継続性」「継続事業の棚卸し」: a word built on a status (rows that continue), not the status
NOT_A_STATUS = re.compile(r"[分性的率費]|事業")


def status_mentions(text: str, plan: Plan) -> list[Mention]:
    """Every status said: the plan's words (not inside a row's name: 「納付拡大」), —, and 「導入・実施に進む」."""
    names = " ".join(i.name for i in plan.initiatives)
    families = family(plan)
    out = []
    for m in STATUS_RX.finditer(text):
        word = m.group()
        if text[max(0, m.start() - 2):m.end()] in names or text[m.start():m.end() + 2] in names \
                or NOT_A_STATUS.match(text, m.end()):
            continue
        if word.startswith(("検討中", "検討段階", "まだ検討")):
            value: object = STUDY  # 「検討段階にとどまる」: any status of study
        elif word in families and IN_COMPOUND.match(text[m.start() - 1:m.start()]):
            continue  # 「コンビニ交付拡大」: a word of a compound, not the status family 拡大
        else:
            value = families.get(word, word)
        out.append(Mention(m.start(), m.end(), "status", value))
    out += [Mention(m.start(), m.end(), "status", ja) for m in STATUS_EN_RX.finditer(text)
            for ja in [EN_STATUS[m.group().lower()]]]
    out += [Mention(m.start(), m.end(), "status", NONE) for m in NONE_RX.finditer(text)]
    out += [Mention(m.start(), m.end(), "status", NEW_FAMILY) for m in ADVANCE_RX.finditer(text)]
    return out


def family(plan: Plan) -> dict[str, tuple[str, ...]]:
    """A status word no row uses alone, as the statuses the rows use that hold it: 「試行」 → 検討・試行, 「拡大」 →
    継続・拡大 and 拡大検討 (「R8に試行やってるのは」 asks for those, not for an exact 試行 no row has). Once per plan."""
    if _FAMILY.get("plan") is not plan:
        used = {v for i in plan.initiatives for s in i.statuses for v in s.years.values() if v}
        _FAMILY.update(plan=plan, words={w: tuple(u for u in STATUSES if u in used and w in u)
                                         for w in STATUSES if w not in used})
    return _FAMILY["words"]


_FAMILY: dict = {}  # the plan the families were read from, and its families
STUDY = ("検討", "検討・試行")  # what 「検討中」「検討段階」「まだ検討」 say: still studied, with or without a trial
IN_COMPOUND = re.compile(r"[一-龥ァ-ヶー]")  # the character before a family word that makes it part of a longer word


def spans_of(text: str, needle: str) -> list[tuple[int, int]]:
    """Where a needle occurs in the text."""
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text)] if needle else []


def named_mentions(text: str, plan: Plan, slots: Slots) -> list[Mention]:
    """Departments, fields, goals and viewpoints named in the text."""
    out = []
    for dep in slots.departments:
        stem = department_stem(dep)
        found = spans_of(text, dep) or (spans_of(text, stem) if len(stem) >= 3 else [])
        out += [Mention(a, b, "department", dep) for a, b in found[:1]]
    for no in slots.fields:
        rx = (rf"(?:分野|fields?)\s*[:：]?\s*(?:[1-5]{FIELD_SEP})*{no}(?![0-9])|第\s*{no}\s*分野|"
              + "|".join(re.escape(n) for n in FIELD_ALIASES[no]))
        out += [Mention(m.start(), m.end(), "field", no) for m in list(re.finditer(rx, text, re.I))[:1]]
    key = match_key(text)
    for goal in dict.fromkeys(i.goal for i in plan.initiatives):
        stem = re.sub(r"を目指します$", "", goal)
        if len(match_key(stem)) >= 6 and match_key(stem) in key:
            out += [Mention(a, b, "goal", goal) for a, b in spans_of(text, stem)[:1]] or [Mention(0, 0, "goal", goal)]
    views = list(dict.fromkeys(i.viewpoint for i in plan.initiatives))
    for view in views:
        stem = re.sub(r"に向けて$", "", view)
        if match_key(stem) in key:
            out += [Mention(a, b, "viewpoint", view) for a, b in spans_of(text, stem)[:1]] or [
                Mention(0, 0, "viewpoint", view)]
    if not any(m.kind == "viewpoint" for m in out):
        out += [Mention(m.start(), m.end(), "viewpoint", views[n - 1]) for m in VIEWPOINT_NO.finditer(text)
                if 1 <= (n := int(unicodedata.normalize("NFKC", next(g for g in m.groups() if g)))) <= len(views)][:1]
    return out


# a viewpoint by its number (the plan numbers them (1)–(3) in the order they first appear, alike in every field)
VIEWPOINT_NO = re.compile(r"視点\s*[（(【]?\s*([1-9１-９])|(?:分野|第)\s*[1-5１-５]\s*分?野?\s*の?\s*[（(]([1-9１-９])[)）]|"
                          r"viewpoint\s*\(?([1-9])|fields?\s*[1-5]\s*\(([1-9])\)", re.IGNORECASE)
# after the number of departments, a remark on how to count or match rows, not a condition:
# 「（担当課が複数ある場合はどこか1課でも該当すれば可）」「（複数課で担当している取組は1件と数えてください）」
SCOPE_REMARK = re.compile(r"[^。？?）)]{0,16}?(場合|ときは|時は|数え|該当すれば|含め|カウント|重複)")
SCOPE_BEFORE = re.compile(r"\b(for|if|where|when)\s+(a|an|each|any|the)?\s*(rows?|initiatives?|ones?|entry|entries)\s+"
                          r"(with|has|have|that has|that have|listing)\s+$", re.IGNORECASE)  # 'For a row with several …'


GLOSS = re.compile(r"\s*(mark)?\s*[（(]\s*")  # between a word and its gloss in brackets


def flag_mentions(text: str) -> list[Mention]:
    """新 / existing, the number of departments and KPIs linked or not."""
    rest = STATUS_RX.sub(lambda m: " " * len(m.group()), text)  # 「新規導入」 is a status, not the 新 mark
    out: list[Mention] = []
    for m in NEW_RX.finditer(rest):  # 「新 (new)」 'new (新)': a gloss in brackets repeats the mark, it is no condition
        if not (out and GLOSS.fullmatch(rest, out[-1].end, m.start())):
            out.append(Mention(m.start(), m.end(), "new"))
    out += [Mention(m.start(), m.end(), "existing") for m in EXISTING_RX.finditer(rest)]
    for rx, kind in ((MANY_DEPTS, "many"), (ONE_DEPT, "one"), (KPI_UNLINKED, "nokpi")):
        out += [Mention(m.start(), m.end(), kind, at_least(m.group()) if kind == "many" else None)
                for m in rx.finditer(text) if not SCOPE_REMARK.match(text, m.end())
                and not SCOPE_BEFORE.search(text[max(0, m.start() - 40):m.start()])]
    if not KPI_UNLINKED.search(text):
        out += [Mention(m.start(), m.end(), "kpi") for m in KPI_LINKED.finditer(text)]
    return out


YEAR_TO = re.compile(r"\s*(〜|～|~|－|-|–|から|to|through|until|till)\s*(FY\s*)?", re.IGNORECASE)
REIWA_RANGE_END = re.compile(r"(?:令和|(?<![A-Za-z])R)\s*\d{1,2}\s*年?度?\s*(?:〜|～|~|－|-|–|から)\s*(\d{1,2})(?!\d)\s*年?度?")
