"""Read a question into a Query (query.py): its conditions, where each one's negation and year apply, and the result.

Mentions are found with their places in the text: years, statuses, departments, fields, goals, viewpoints, 新,
the number of departments, KPIs. A Japanese negation follows what it negates (「産業政策課以外」, 「「継続」でも
「継続・拡大」でもない」), an English one comes before it ("not new", "other than"). A status reads in the year
said last before it (or, failing one, the first after it). Words that read like a condition but attach to no
mention are kept as `unread`, so that the answer says so instead of dropping them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ..models import STATUS_EN, STATUSES, YEARS, Plan
from ..query import NEW_FAMILY, NONE, Cond, Query
from ..text import match_key
from .slots import FIELD_ALIASES, FIELD_SEP, Slots, department_stem, fiscal_year

NEG_JA = ("以外|不要|いらない|要らない|ではない|ではなく|でなく|じゃなく|ではありません|でない|じゃない|でもない|にもならない|を除|は除|除いて|除外|"
          "付いていない|ついていない|付いてない|ついてない|付いておらず|ついておらず|付かない|付されていない|付されておらず|"
          "付されてない|(?<![一-龥ぁ-ん])なし|無し|マークがなく|印がなく|文字が入っていない|言葉が入っていない|文字が入っておらず|含まれていない|含まれない|進まず|進まない|進んでいない|"
          "進んでおらず|至らない|至らず|至っていない|ならない|ならず|がない|のない|含めない|含まない|含まず|"
          "になっていない|となっていない|になっておらず|担当していない|担当しない|担当しておらず|関わっていない|"
          "いずれも記載されていない|いずれも記載がない|記載されていない|記載されておらず|書かれていない|載っていない|"
          "出てこない|出てこず|出てきていない|出ていない|現れない|見当たらない")
LINE = r"(?:(?!\s・)[^\n→])"  # within one line or bullet (「・対象:…・除外1:…」 arrives with its lines joined by spaces)
NEG_AFTER = re.compile(rf"^(?:(?![、。,.?？!！]){LINE}){{0,12}}?({NEG_JA})")
NEG_LABEL = re.compile(rf"(除外|除く|対象外|以外|exclud(e|es|ed|ing)|except)\s*[0-9０-９]*\s*[:：]{LINE}*", re.IGNORECASE)  # 「・除外1:…」
NEG_BEFORE = re.compile(r"(\bnot|other than|apart from|except|excluding|without|aren't|isn't|never)\s+"
                        r"((those|ones|the ones|initiatives|rows)( that are)?\s+)?"
                        r"((run|handled|managed|led|owned) by |by |in |yet |marked )?(the |a |an |any )?\S{0,3}$", re.IGNORECASE)
NEG_REACH = 40  # how far before a mention an English negation may start ('other than the ones run by the …')
NEG_ANY = re.compile(rf"{NEG_JA}|\bnot\b|other than|apart from|except|excluding", re.IGNORECASE)  # what NEG_AFTER reads
STATUS_RX = re.compile("|".join(re.escape(s) for s in STATUSES) + r"|検討中|検討段階|まだ検討")
EN_STATUS = {en: ja for ja, en in STATUS_EN.items() if " " in en}  # 'new introduction'; not the everyday 'continued'
STATUS_EN_RX = re.compile(r"\b(" + "|".join(map(re.escape, EN_STATUS)) + r")\b", re.IGNORECASE)
# 「—」, or a bare — that is not a dash between two parts (「…「新規導入」— この条件に…」)
NONE_RX = re.compile(r"(「—」|(?<![\s」』])—(?!\s))(\s*[(（](実施)?予定なし[)）])?|予定なし|予定がない|何も予定されていない|"
                     r"nothing planned")
RESTATES_NONE = re.compile(r"記載|書かれ|載って")  # a negation after 「—」 that says nothing is written: the — again
ADVANCE_RX = re.compile(r"(導入|実施|公開)(?:[・や、と](?:導入|実施|公開))*(?=(に|へ)(進|至))")
BRACKETS = re.compile(r"[\s()（）「」『』]*")
JOINED = re.compile(r"[」』]?\s*(や|と|か|または|もしくは|及び|および|並びに|ならびに|でも|にも|or|and|,|、|/|・)\s*[「『]?|[」』]\s*も?\s*[「『]", re.IGNORECASE)
NEW_RX = re.compile(r"新規(?!導入|実施|公開)|新しい|新しく|新た[なに]|「新」|新マーク|(?<![一-龥])新(?![一-龥ぁ-んァ-ヶ])|\bnew\b(?! introduction| implementation| "
                    r"release)|\bnewly\b", re.IGNORECASE)
EXISTING_RX = re.compile(r"既存|\bexisting\b", re.IGNORECASE)
N = r"[2-9２-９二三四五]"  # how many departments at least (「3つ以上の課」); 複数 and 'multiple' say two
MANY_DEPTS = re.compile(rf"(担当課|課|部署)が?({N}|複数)つ?以上|(担当課|担当部署|課|部署)(が|は)?複数|複数の(課|部署|担当課)|"
                        rf"複数(の)?(課|部署)(で|が)(担当|所管|実施|共同)|{N}つ以上の(課|部署|担当課)|{N}課以上|"
                        r"(more than one|multiple|several|(two|three|four|five) or more)( responsible| different| separate)? "
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
ALL_YEARS = re.compile(r"ずっと|(4|四)(年間|か年|カ年|ヵ年|ケ年)(すべて|全て|とも|ずっと|通して|を通じて)?|一貫して|全期間|すべての年度|全ての年度|全年度|毎年度|every year|all four years|"
                       r"throughout", re.IGNORECASE)
NO_YEAR = re.compile(r"(どの|いずれの)年度?(に|で)?も|一度も|\bin (any|no) (year|fiscal year)\b", re.IGNORECASE)
EVERY_DEPT = re.compile(r"どの担当課も|どの課も|すべての(担当)?課|全ての(担当)?課|every department|all departments", re.I)
WHICH_ROWS = re.compile(r"どれ|どの取組|取組名|which|what are", re.IGNORECASE)
DISTINCT = re.compile(r"重複を除(いて|く|けば)|重複なし|重複せず|without (double|duplicate)s?|distinct", re.IGNORECASE)
SPLIT_PAIR = re.compile(r"そのうち|その内|うち(?!の課)|of (which|these|those|them)|and how many of them", re.IGNORECASE)
FEWEST = r"最少|fewest|(?<!at )\bleast\b"  # 'at least one' is not a superlative
MOST_EN = r"(?<!at )\bmost\b|largest number|greatest"
TOP_N = r"上位\s*[0-9０-９一二三四五]|トップ\s*[0-9０-９一二三四五]|\btop\s*\d"  # 「上位2課」 'top 3': the most, and the next
MOST = re.compile(rf"最も|もっとも|一番|いちばん|最多|{TOP_N}|{MOST_EN}|the largest|{FEWEST}", re.IGNORECASE)
MANY = re.compile(rf"多|少な|{TOP_N}|{MOST_EN}|{FEWEST}", re.IGNORECASE)
LEAST = re.compile(rf"少な|{FEWEST}", re.IGNORECASE)
ENDS = re.compile(r"終わ|終了|打ち切|長く(続|実施|予定)|長い期間|期間が長|\bends?\b|\bfinish|\bstops?\b|"
                  r"\blasts? longer\b|\bruns? (for )?(longer|more years)\b|\bfor more years\b", re.IGNORECASE)
WHICH = re.compile(r"どちら|どっち|\bwhich\b|\bmore\b|\bfewer\b", re.IGNORECASE)
ROWS_COUNTED = re.compile(r"取組(の)?(数|件数)|how many initiatives|number of initiatives", re.IGNORECASE)
COMPARE = re.compile(r"比較|比べ|対比|\bcompare|\bcomparison\b|\bversus\b|\bvs\.?", re.IGNORECASE)
NEW_COUNTED = re.compile(r"[「『]?新[」』]?(マーク|規)?(の)?(付いた|付き|がついた|が付いた)?(の)?(取組)?(の)?(数|件数)|新マークの有無|"
                         r"(which|how many)( of them)?( \(if any\))? (are|is) (marked |flagged )?(新|new)|number of new", re.IGNORECASE)
MORE_OF_TWO = re.compile(r"(多い|少ない)(のは|ほう|方)|has more|have more", re.IGNORECASE)
GROUP_FIELD = re.compile(r"どの分野|分野は(どこ|どれ|何)|(多い|少ない|最多|最少)(の)?分野|which (of the \w+ )?fields?|field (has|had)",
                         re.IGNORECASE)
MOST_MANY = re.compile(rf"多い|多かった|最多|{MOST_EN}", re.IGNORECASE)  # with LEAST: both ends are asked
COUNT = re.compile(r"いくつ|何件|何個|何本|件数|の数(?!値|字)|取組数|総数|how many|number of", re.IGNORECASE)
FIRST = re.compile(r"(?<![優祖])先(?![端進行])|早く|早い|遅い|\bfirst\b|earlier|sooner|later", re.IGNORECASE)
LARGER = re.compile(r"大き[いく]|高[いく]|多[いく]|上|higher|larger|bigger|greater", re.IGNORECASE)
KPI_SUBJECT = re.compile(r"KPI|指標|目標値|(累計|人数|件数)目標|targets?\b", re.IGNORECASE)
NAME_HAS = re.compile(r"(取組名|名前|名称|タイトル|件名)(に|で|の中に)[「『](?P<ja>[^」』]+)[」』](と(いう|いった)(語|言葉|文字))?(が|を)?"
                      r"(入|含|付|つ|使われ)|(named|titled|(whose|with an?|that has an?|have an?|has an?) (name|title) (that )?(contains|includes|has|with))"
                      r"\s*(the word )?[「\"'](?P<en>[^」\"']+)",
                      re.IGNORECASE)
GROUP_EACH = re.compile(r"(分野|担当課|課)(ごと|別|毎)|(per|by|for each|each) (field|department|division)s?\b", re.IGNORECASE)
PERCENT = re.compile(r"割合(で|として)(示|設定|表)|[○〇]?\s*[%％]\s*(以上)?[」』]?\s*(の形|で(目標)?設定|で示|で表|の目標|のもの)|パーセント|percentage|per ?cent", re.IGNORECASE)
SUM = re.compile(r"合計|足し(合わせ|あわせ)?|足す|総計|総和|\bsum\b|\btotal of\b|\badd(ed)? up\b|\bcombined\b", re.IGNORECASE)
UNIT = re.compile(r"単位(が|は|を|の)?\s*[「『]?(?P<unit>人|件|コマ|チーム|ビュー|ダウンロード|%)(?![一-龥])")  # a KPI's unit
CUMULATIVE = re.compile(r"累計|単年度|cumulative|single[- ]year", re.IGNORECASE)
SINGLE_YEAR = re.compile(r"単年度|single[- ]year", re.IGNORECASE)
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
        rx = (rf"(?:分野|fields?)\s*(?:[1-5]{FIELD_SEP})*{no}(?![0-9])|第\s*{no}\s*分野|"
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
TOPIC_AFTER = re.compile(r"[」』]?\s*は")
# a parenthesis of examples or counting remarks names no condition: 「(金沢美術工芸大学、市立工業高校など)」 '(counting … etc.)'
EXAMPLES = re.compile(r"[（(][^（）()]*?(など|等|etc\.?|e\.g\.|counting|including|含め|含む|例えば|for example)[^（）()]*[)）]",
                      re.IGNORECASE)


def flag_mentions(text: str) -> list[Mention]:
    """新 / existing, the number of departments and KPIs linked or not."""
    rest = STATUS_RX.sub(lambda m: " " * len(m.group()), text)  # 「新規導入」 is a status, not the 新 mark
    out = [Mention(m.start(), m.end(), "new") for m in NEW_RX.finditer(rest)]
    out += [Mention(m.start(), m.end(), "existing") for m in EXISTING_RX.finditer(rest)]
    for rx, kind in ((MANY_DEPTS, "many"), (ONE_DEPT, "one"), (KPI_UNLINKED, "nokpi")):
        out += [Mention(m.start(), m.end(), kind, at_least(m.group()) if kind == "many" else None)
                for m in rx.finditer(text) if not SCOPE_REMARK.match(text, m.end())
                and not SCOPE_BEFORE.search(text[max(0, m.start() - 40):m.start()])]
    if not KPI_UNLINKED.search(text):
        out += [Mention(m.start(), m.end(), "kpi") for m in KPI_LINKED.finditer(text)]
    return out


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


YEAR_TO = re.compile(r"\s*(〜|～|~|－|-|–|から|to|through|until|till)\s*(FY\s*)?", re.IGNORECASE)
REIWA_RANGE_END = re.compile(r"(?:令和|(?<![A-Za-z])R)\s*\d{1,2}\s*年?度?\s*(?:〜|～|~|－|-|–|から)\s*(\d{1,2})(?!\d)\s*年?度?")
ANY_YEAR = re.compile(r"いずれか|どれか|どこかで|までに|の間に|のうちに|期間中に|\bany\b|at some point|\bduring\b|\bwithin\b",
                      re.IGNORECASE)
UNTIL_HELD = re.compile(r"\s*まで(は|の間は)?\s*(?P<status>[「『]|" + "|".join(re.escape(x) for x in STATUSES) + r")?"
                        r"(実施|継続|行われ|続|予定があ|取り組ま)")
ONWARD = re.compile(r"\s*(から|以降|以後|onwards?|and later|on\b)", re.IGNORECASE)


def status_conds(text: str, statuses: list[tuple[Mention, bool]], years: list[Mention], english: bool) -> list[Cond]:
    """Statuses said together (「継続」でも「継続・拡大」でも, や, と, or) as one condition, read in their year."""
    groups: list[list[tuple[Mention, bool]]] = []
    for m, neg in statuses:
        last = groups[-1][-1][0] if groups else None
        between = text[last.end:m.start] if last else ""
        if last and groups[-1][-1][1] == neg and JOINED.fullmatch(between):
            groups[-1].append((m, neg))
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
        onward = values == (NONE,) and year and any(y.value == year[0] and ONWARD.match(text, y.end) for y in years)
        if onward:  # 「2028年度から「—」」: nothing planned from that year to the plan's end
            year = [y for y in YEARS if y >= year[0]]
        span = next(((a.value, b.value) for a, b in year_ranges(text, years) if year and year[0] in (a.value, b.value)
                     and (b.end <= first.start or a.start >= g[-1][0].end)), None)
        throughout = False
        if span and not onward:  # 「2026〜2029年度の4か年すべてで「検討」」: every year of the span (or any, when said)
            year = [y for y in YEARS if span[0] <= y <= span[1]]
            throughout = not (ANY_YEAR.search(text) or all(v == NEW_FAMILY or v.startswith("新規") for v in values))
        every = bool(onward) or throughout or (every_year and not year)
        out.append(Cond("status", values, tuple(year), every_year=every and not (neg and in_no_year),
                        every_department=every_dept and not neg, negated=neg))
    return out


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


def result_of(text: str, conds: list[Cond], asks: set[str]) -> tuple[dict, list[Cond]]:
    """What is asked of the rows (list, count, departments, most, compare, first …) and the conditions left."""
    if WHICH.search(text) and ENDS.search(text):
        return {"result": "first", "end": True}, conds
    if WHICH.search(text) and FIRST.search(text):
        return {"result": "first"}, conds
    if COMPARE.search(text) and ROWS_COUNTED.search(text) and (two := compared(text, conds, "rows")):
        return two  # 「取組数、新マーク数及びKPIの設定数を比較」: the rows compared (each field's KPIs said with them)
    kpi_rows = any(c.kind == "kpi" for c in conds)
    if KPI_SUBJECT.search(text) and not kpi_rows:
        kpi_conds = [c for c in conds if c.kind in ("field", "viewpoint")] + kpi_properties(text)
        if WHICH.search(text) and LARGER.search(text):
            return {"result": "larger", "subject": "kpi"}, kpi_conds
        if MOST.search(text) and MANY.search(text):  # 「KPIの設定数が最も少ない分野」: KPIs counted by field
            return {"result": "most", "subject": "kpi", "group": "field", "least": bool(LEAST.search(text))}, kpi_conds
        if SUM.search(text):
            return {"result": "sum", "subject": "kpi"}, kpi_conds
        if "count" in asks or any(c.kind != "field" for c in kpi_conds):  # KPIs by their viewpoint, unit, 累計 …
            return {"result": "count" if "count" in asks else "list", "subject": "kpi"}, kpi_conds
    measure = "departments" if "count_departments" in asks else "rows"  # 「担当課の数はどちらが多い」
    if (each := GROUP_EACH.search(text)) and COUNT.search(text):  # 「分野ごとの取組件数」: every group's count
        group = "field" if re.search(r"分野|field", each.group(), re.I) else "department"
        return {"result": "groups", "group": group, "measure": measure}, [c for c in conds if c.kind != group or c.negated]
    if MOST.search(text) and MANY.search(text):
        group = "field" if GROUP_FIELD.search(text) or measure == "departments" else "department"
        if LEAST.search(text) and MOST_MANY.search(text):  # 「最も多い分野と最も少ない分野」: every group, both ends said
            return {"result": "groups", "group": group, "measure": measure}, conds
        return {"result": "most", "group": group, "least": bool(LEAST.search(text)), "measure": measure}, conds
    if asks_more_of_two(text) or (COMPARE.search(text) and COUNT.search(text)):
        if two := compared(text, conds, measure):
            return two
    if "count_departments" in asks:
        return {"result": "departments"}, conds
    if "count" in asks and COUNT.search(text):
        return {"result": "count"}, conds
    return {"result": "list"}, conds


def compared(text: str, conds: list[Cond], measure: str) -> tuple[dict, list[Cond]] | None:
    """Two or more named departments (or fields) compared, and the conditions left; None when fewer are named.
    「件数と新マーク数を比較」: 新 is counted for each, not a filter."""
    for kind in ("department", "field"):
        named = [c for c in conds if c.kind == kind and not c.negated]
        if named and len(named[0].values) >= 2:
            rest = [c for c in conds if c is not named[0] and not (c.kind == "new" and NEW_COUNTED.search(text))]
            return {"result": "compare", "group": kind, "among": named[0].values, "measure": measure}, rest
    return None


SAID_IN_PLAN = re.compile(r"と(書かれ|記載され|記され|載っ|表記され)て(いる|る|います)")  # glue after a status, no theme


def kpi_properties(text: str) -> list[Cond]:
    """What a KPI question says of the KPIs themselves: cumulative or single-year (「累計じゃない」 too), a share in %."""
    negated = bool(SINGLE_YEAR.search(text) or cumulative_negations(text))
    out = [Cond("cumulative", negated=negated)] if CUMULATIVE.search(text) else []
    out += [Cond("unit", (m.group("unit"),))] if (m := UNIT.search(text)) else []
    return out + ([Cond("percent")] if PERCENT.search(text) and not m else [])


def cumulative_negations(text: str) -> list[tuple[int, int]]:
    """Where a negation of 累計 is (「累計じゃないKPI」「累計ではない指標」)."""
    return [(m.end(), m.end() + n.end()) for m in CUMULATIVE.finditer(text)
            if (n := NEG_AFTER.match(text[m.end():])) and n.end() <= 8]


def asks_more_of_two(text: str) -> bool:
    """True when a question asks which of two has more (or fewer) rows: 「どちらが多い」, 'which has more'."""
    return bool((WHICH.search(text) and re.search(r"多|少な|more|fewer", text, re.I)) or MORE_OF_TWO.search(text))


def read_query(text: str, plan: Plan, slots: Slots, asks: set[str], english: bool, today: date) -> Query:
    """The question as one query over the rows (conditions, result, unread parts)."""
    text = NO_GAPS.sub(lambda m: " " * len(m.group()), text)  # 「漏れのないように」 negates nothing (same length)
    examples = [m.span() for m in EXAMPLES.finditer(text)]
    mentions = year_mentions(text, today) + status_mentions(text, plan) + flag_mentions(text) + [
        m for m in named_mentions(text, plan, slots)
        if not (m.kind == "department" and any(a <= m.start < b for a, b in examples))]
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
    if split and COUNT.search(text[:split.start()]) and not COMPARE.search(text):  # 「何件？あと、そのうち新マークは？」
        base, used = conditions(text[:split.start()], [m for m in mentions if m.end <= split.start()], english)
        narrow_m = [m for m in mentions if m.start >= split.end()]
        narrow, used2 = conditions(text, narrow_m, english)
        spans = tuple(used + used2) + tuple((m.start, m.end) for m in mentions)
        narrower = tuple(c for c in narrow if c not in base)
        return Query(tuple(base), "pair", narrower=narrower, unread=unread_in(text, spans, base + narrow), spans=spans) \
            if narrower else Query(tuple(base), "count", unread=unread_in(text, spans, base), spans=spans)
    conds, used = conditions(text, mentions, english)
    named = NAME_HAS.search(text)
    if named:  # 「取組名に「生成AI」が入っているもの」: the rows whose very name holds the words
        term = next(g for g in named.group("ja", "en") if g)
        conds.append(Cond("name", (term,)))
        used.append(named.span())
    result, conds = result_of(text, conds, asks)
    spans = tuple(used) + tuple((m.start, m.end) for m in mentions) + tuple(m.span() for m in SAID_IN_PLAN.finditer(text))
    spans += tuple(cumulative_negations(text)) if any(c.kind == "cumulative" for c in conds) else ()
    unread = unread_in(text, spans, conds)
    if result.get("subject") == "kpi" and result["result"] == "most" and not re.search(r"分野|fields?", text, re.I):
        unread += (MOST.search(text).group(),)  # 「人数で目標を立ててるKPIで一番多いのは」: the largest target, not a field
    return Query(tuple(conds), unread=unread, spans=spans, **result)


# words that ask for a kind of condition or grouping the reader has no reading for: when one is said and no
# condition of its kind was read, a list or count would silently cover every ○ goal, so the part is said back
CUES = ((re.compile(r"[○〇◯]\s*目標\s*(ごと|別|のうち|の中で|の中|で最も|で一番)|目標ごと|目標別"), "goal"),)


NO_GAPS = re.compile(r"(漏れ|もれ|抜け|ぬけ|間違い|まちがい|誤り|重複)(の|が)(ない|なく|無い|無く)")  # how to answer, not a condition


def unread_in(text: str, spans: tuple[tuple[int, int], ...], conds: list[Cond]) -> tuple[str, ...]:
    """Negations that attach to no condition read (「重複を除いて」 counts distinct departments: not a condition), and
    words that ask for a kind of condition none of which was read (「○目標のうち、新規取組が最も多いのは」)."""
    spans += tuple((m.start(), m.end()) for m in DISTINCT.finditer(text))
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
