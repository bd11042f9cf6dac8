"""What a question asks of the rows its conditions select: a list, a count, every group's count, the most or the
fewest, two named departments or fields compared, which starts or ends first, KPIs counted, summed or compared."""

from __future__ import annotations

import re

from ..query import Cond
from .mentions import NEG_AFTER

FEWEST = r"最少|fewest|(?<!at )\bleast\b"  # 'at least one' is not a superlative
MOST_EN = r"(?<!at )\bmost\b|largest number|greatest|\bthan any other\b"
TOP_N = r"上位\s*[0-9０-９一二三四五]|トップ\s*[0-9０-９一二三四五]|\btop\s*\d"  # 「上位2課」 'top 3': the most, and the next
MOST = re.compile(rf"最も|もっとも|一番|いちばん|最多|{TOP_N}|{MOST_EN}|the largest|{FEWEST}", re.IGNORECASE)
MANY = re.compile(rf"多|少な|{TOP_N}|{MOST_EN}|{FEWEST}", re.IGNORECASE)
LEAST = re.compile(rf"少な|{FEWEST}", re.IGNORECASE)
ENDS = re.compile(r"終わ|終了|打ち切|長く(続|実施|予定)|長い期間|期間が長|\bends?\b|\bfinish|\bstops?\b|"
                  r"\blasts? longer\b|\bruns? (for )?(longer|more years)\b|\bfor more years\b", re.IGNORECASE)
HAVING = re.compile(r"(?:取組|事業)?\s*([0-9]+)\s*件以上(?:の取組)?を?(?:持|担当|所管|抱え|ある|あり)|"
                    r"(?:at least|or more than) ([0-9]+) initiatives|more than ([0-9]+) initiatives|([0-9]+) or more initiatives",
                    re.IGNORECASE)  # a group counted at least this many times (more than N: N + 1)
SAME_OR_NOT = re.compile(r"同じ|違う|違い|異な|\bsame\b|\bdiffer", re.IGNORECASE)  # two rows (or lines) compared
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
GROUP_EACH = re.compile(r"(分野|担当課|課)(ごと|別|毎)|各(分野|担当課|課|部署)(の|で|が|は|ごと|それぞれ)|(per|by|for each|each) (field|department|division)s?\b", re.IGNORECASE)
PERCENT = re.compile(r"割合(で|として)(示|設定|表)|[○〇]?\s*[%％]\s*(以上)?[」』]?\s*(の形|で(目標)?設定|で示|で表|の目標|のもの)|パーセント|percentage|per ?cent", re.IGNORECASE)
SUM = re.compile(r"合計|足し(合わせ|あわせ)?|足す|総計|総和|\bsum\b|\btotal of\b|\badd(ed)? up\b|\bcombined\b", re.IGNORECASE)
UNIT = re.compile(r"単位(が|は|を|の)?\s*[「『]?(?P<unit>人|件|コマ|チーム|ビュー|ダウンロード|%)(?![一-龥])")  # a KPI's unit
EACH_OF = re.compile(r"それぞれ|各々|おのおの|\beach\b|respectively", re.IGNORECASE)  # 「分野1と分野3でそれぞれ何件」
CUMULATIVE = re.compile(r"累計|単年度|cumulative|single[- ]year", re.IGNORECASE)
SINGLE_YEAR = re.compile(r"単年度|single[- ]year", re.IGNORECASE)


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
    if (having := HAVING.search(text)) and re.search(r"課|部署|departments?|divisions?", text, re.I):
        n = int(next(g for g in having.groups() if g))  # 「取組4件以上持ってる課」: the departments of that many rows
        return {"result": "groups", "group": "department", "at_least": n + bool(having.group(3)), "measure": "rows"}, conds
    if (each := GROUP_EACH.search(text)) and COUNT.search(text):  # 「分野ごとの取組件数」: every group's count
        group = "field" if re.search(r"分野|field", each.group(), re.I) else "department"
        return {"result": "groups", "group": group, "measure": measure}, [c for c in conds if c.kind != group or c.negated]
    if MOST.search(text) and MANY.search(text):
        group = "field" if GROUP_FIELD.search(text) or measure == "departments" else "department"
        if LEAST.search(text) and MOST_MANY.search(text):  # 「最も多い分野と最も少ない分野」: every group, both ends said
            return {"result": "groups", "group": group, "measure": measure}, conds
        return {"result": "most", "group": group, "least": bool(LEAST.search(text)), "measure": measure}, conds
    if asks_more_of_two(text) or ((COMPARE.search(text) or EACH_OF.search(text)) and COUNT.search(text)):
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
