"""Slots a question names: departments, fields, years and ranges, statuses, new / ended / nothing planned."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ..glossary import english_departments
from ..models import STATUSES, YEARS, Plan
from ..text import ITSU, match_key
from .lexicon import loose_departments

FIELD_ALIASES = {
    1: ("魅力づくり", "魅力"), 2: ("暮らしづくり", "暮らし"), 3: ("人づくり",), 4: ("仕事づくり", "仕事"), 5: ("都市づくり", "都市"),
}
DEPT_SUFFIX = re.compile(r"(事務局|推進課|センター|課|局)$")
NEW_CUE = re.compile(r"新規|新しい|新しく|新た|新設|新 |新マーク|「新」|始まる|始める|始め|スタート|new\b|newly|start", re.I)
ENDED_CUE = re.compile(r"終了|終わる|終わり|終わっ|終わら|おしまい|お終い|なくなる|打ち切|\bends?\b|\bstops?\b|discontinu", re.IGNORECASE)
NO_PLAN_CUE = re.compile(
    r"予定(が|は|の)?(ない|無い|なし|なくなる)|予定なし|予定されてい?ない|何も予定|「—」|実施(しない|されない|予定がない)|"
    r"行わない|行われない|やらない|空白|"
    r"nothing planned|no plans?|not planned",
    re.IGNORECASE,
)
ALL_YEARS_CUE = re.compile(r"ずっと|まま|全期間|期間中|全年度|すべての年度|every year|throughout", re.IGNORECASE)
ASKS_WHEN = re.compile(rf"{ITSU}|何年度|when", re.IGNORECASE)
STUDY_CUE = re.compile(r"検討中|検討段階|まだ検討|under study|being studied", re.IGNORECASE)
FROM_CUE = r"(から|以降|より後|から先|以後|onwards?|from|after)"


@dataclass
class Slots:
    """What a question narrows by; only these ever filter records."""

    departments: list[str] = field(default_factory=list)
    fields: list[int] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    out_of_range_years: list[int] = field(default_factory=list)
    status: str | None = None
    new_only: bool = False
    ended: bool = False
    no_plan: bool = False
    from_year: bool = False
    all_years: bool = False  # the status holds in every year asked (ずっと「検討」のまま)
    unknown_departments: list[str] = field(default_factory=list)  # named like a department, but not in the plan

    @property
    def any(self) -> bool:
        """True when the question narrows by department, field, year, status or newness."""
        return bool(self.departments or self.fields or self.years or self.status or self.new_only or self.ended
                    or self.no_plan)

    @property
    def by_status(self) -> bool:
        """True when a year, status, newness or ending filter applies."""
        return bool(self.years or self.status or self.new_only or self.ended or self.no_plan)


def fiscal_year(today: date) -> int:
    """The Japanese fiscal year (April–March) of a date."""
    return today.year if today.month >= 4 else today.year - 1


def years(text: str, today: date) -> tuple[list[int], list[int], bool]:
    """Plan years named (absolute, 令和, relative, ranges), years outside the plan, and whether 'from' was said."""
    found: list[int] = []
    for m in re.finditer(r"令和\s*(\d{1,2})\s*年|(?<![A-Za-z0-9])R\s*(\d{1,2})(?![0-9])", text):  # 令和8年度, R8
        found.append(2018 + int(m.group(1) or m.group(2)))
    for m in re.finditer(r"(?:FY\s*)?(20\d\d)(?!\d)", text, re.IGNORECASE):
        found.append(int(m.group(1)))
    fy = fiscal_year(today)
    relative = {"再来年度": fy + 2, "来年度": fy + 1, "今年度": fy, "本年度": fy, "昨年度": fy - 1, "前年度": fy - 1,
                "最終年度": YEARS[-1], "初年度": YEARS[0], "next year": fy + 1, "this year": fy, "final year": YEARS[-1]}
    low = text.lower()
    for word, year in relative.items():
        if word in low:
            found.append(year)
            low = low.replace(word, "")
    inside = [y for y in dict.fromkeys(found) if y in YEARS]
    outside = [y for y in dict.fromkeys(found) if y not in YEARS]
    start = bool(inside) and bool(re.search(r"(20\d\d|令和\s*\d+)\s*年?度?\s*" + FROM_CUE, text, re.I))
    until = re.search(r"(20\d\d)\s*年?度?\s*(まで|until|through)", text, re.I)
    if start and len(inside) == 1:
        inside = [y for y in YEARS if y >= inside[0]]
    elif until and len(inside) == 1:
        inside = [y for y in YEARS if y <= inside[0]]
    return inside, outside, start


def department_stem(name: str) -> str:
    """A department name without its 課/局/センター ending (観光政策課 → 観光政策)."""
    return DEPT_SUFFIX.sub("", name)


@lru_cache(maxsize=8)
def department_needles(names: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each department (longest first) with the keys that name it: its full name, and its stem from 3 characters."""
    out = []
    for dep in sorted(names, key=len, reverse=True):
        dkey = match_key(dep)
        out.append((dep, (dkey,) + ((department_stem(dkey),) if len(department_stem(dkey)) >= 3 else ())))
    return tuple(out)


@lru_cache(maxsize=8)
def department_keys(names: tuple[str, ...]) -> frozenset[str]:
    """The match keys of a plan's departments (their full names' needles, built once per plan)."""
    return frozenset(needles[0] for _dep, needles in department_needles(names))


def departments(text: str, plan: Plan) -> list[str]:
    """Departments named in the question: full names, stems of 3+ characters, or everyday descriptions."""
    key = match_key(text)
    found = []
    for dep, needles in department_needles(tuple(plan.departments)):
        hit = next((n for n in needles if n in key), None)
        if hit:
            found.append(dep)
            key = key.replace(hit, " ")
    found += [d for d in loose_departments(text) if d in plan.departments and d not in found]
    found += [d for d in english_departments(text) if d in plan.departments and d not in found]
    return found


DEPT_NAME = re.compile(r"([一-龥ァ-ヺー]{2,12}?(?:推進課|政策課|課|局))(?:が|は|の|で|を|に|って|、|$)")
GENERIC_DEPT = re.compile(r"^(担当|所管|主管|どこの|どの|何|その|この|あの|同じ|うちの|別の|他の|ほかの|各|関係|市役所の|複数|"
                         r"いずれかの|すべての|全ての|全部の).*|.*(担当課|部署)$")


def unknown_departments(text: str, plan: Plan, found: list[str]) -> list[str]:
    """Names written like a department (スマートシティ推進課) that the plan does not have."""
    known = department_keys(tuple(plan.departments)) | {match_key(d) for d in found}
    out = []
    for m in DEPT_NAME.finditer(text):
        name = m.group(1)
        key = match_key(name)
        if GENERIC_DEPT.match(name) or any(key in k or k in key for k in known):
            continue
        out.append(name)
    return out


FIELD_SEP = r"\s*(?:,|and|or|&|と|・|、|や)\s*"  # between field numbers said together: 分野3と4, fields 3 and 4
FIELD_LIST = rf"[1-5](?:{FIELD_SEP}[1-5](?![0-9]))*"


def fields(text: str) -> list[int]:
    """Fields named as 分野N (分野3と4), 第N分野, field N (fields 3 and 4) or by their names."""
    found = [int(d) for m in re.finditer(rf"(?:分野|fields?)\s*[:：]?\s*({FIELD_LIST})|第\s*([1-5])\s*分野", text, re.IGNORECASE)
             for d in re.findall(r"[1-5]", m.group(1) or m.group(2))]
    for no, names in FIELD_ALIASES.items():
        if any(n in text for n in names[:1]) or any(f"{n}分野" in text or f"{n}の分野" in text for n in names):
            found.append(no)
    return list(dict.fromkeys(found))


def status(text: str) -> str | None:
    """The plan's status word the question uses, longest first (まだ検討中 → 検討)."""
    if STUDY_CUE.search(text):
        return "検討"
    return next((w for w in STATUSES if w in text), None)


def read_slots(text: str, plan: Plan, today: date) -> Slots:
    """Every slot of a (normalised) question."""
    s = Slots(departments=departments(text, plan), fields=fields(text), status=status(text))
    s.unknown_departments = unknown_departments(text, plan, s.departments)
    s.years, s.out_of_range_years, s.from_year = years(text, today)
    s.no_plan = bool(NO_PLAN_CUE.search(text))
    s.ended = bool(ENDED_CUE.search(text)) and not s.no_plan
    starts = bool(NEW_CUE.search(text)) and not (ASKS_WHEN.search(text) and not re.search(r"新", text))
    s.new_only = starts and not (s.status and s.status.startswith("新規"))  # 「いつから始まる？」 asks a year
    s.all_years = bool(s.status and ALL_YEARS_CUE.search(text))
    if s.from_year and s.no_plan:  # 「2028年度から先は予定がなくなる」: ends from that year on
        s.ended, s.no_plan, s.years = True, False, s.years[:1]
    return s
