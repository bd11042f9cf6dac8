"""One small algebra over the parsed rows: conditions (each may be negated) and what to compute from the rows.

A condition is a predicate on one initiative. Status conditions (a status in some year, in every year, —) hold
on one department's line of the row: positive ones must all hold on the same line (「2026年度は検討で、2027年度に
新規導入」 is one department's transition; with every_department, on every line), a negated one on none. Department conditions narrow the lines that status conditions read."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from .models import KPI, STATUSES, YEARS, DepartmentStatus, Initiative, Plan
from .text import match_key

CondKind = Literal["department", "field", "goal", "viewpoint", "new", "status", "departments_at_least", "kpi",
                   "rows", "name", "cumulative", "percent", "unit", "change", "lines"]
Result = Literal["list", "count", "departments", "most", "groups", "compare", "pair", "first", "larger", "sum"]
NEW_FAMILY = "新規*"  # any of 新規導入 / 新規実施 / 新規公開
NONE = "—"  # nothing planned that year


@dataclass(frozen=True)
class Cond:
    """One condition on an initiative; values are alternatives (any of them)."""

    kind: CondKind
    values: tuple = ()
    years: tuple[int, ...] = ()  # status: the years it is read in (none: any plan year)
    every_year: bool = False  # status: in every year read, not only in one
    every_department: bool = False  # positive status: on every department's line, not only on one
    negated: bool = False
    label: tuple[str, ...] = ()  # rows: the theme words they were chosen by (none: the rows the question names)


@dataclass(frozen=True)
class Query:
    """What to compute: the rows that meet every condition, then the result asked."""

    conds: tuple[Cond, ...] = ()
    result: Result = "list"
    subject: Literal["initiative", "kpi"] = "initiative"
    group: Literal["department", "field"] | None = None  # most / compare: what the rows are counted by
    among: tuple = ()  # compare: the departments or field numbers compared
    least: bool = False  # most: the fewest instead
    end: bool = False  # first: compare when the rows end (their last year with a status), not when they start
    measure: Literal["rows", "departments"] = "rows"  # most / compare: count rows, or distinct departments
    at_least: int = 0  # groups: only the groups of at least this many (「取組4件以上持ってる課」)
    narrower: tuple[Cond, ...] = ()  # pair: 「N件で、そのうち新規は？」 — the second count's extra conditions
    unread: tuple[str, ...] = ()  # parts of the question that read like a condition but were not understood
    spans: tuple[tuple[int, int], ...] = ()  # where in the question the conditions were read (the rest is theme)


def status_matches(value: str | None, wanted: Iterable[str]) -> bool:
    """Whether one year's status is one of the wanted ones (—, a status word, or any 新規…)."""
    for w in wanted:
        if (w == NONE and value is None) or (value is not None and (w == value or (
                w == NEW_FAMILY and value.startswith("新規")))):
            return True
    return False


def line_meets(line: DepartmentStatus, c: Cond) -> bool:
    """Whether one department's line meets a (non-negated reading of a) status condition."""
    years = c.years or YEARS
    hits = [status_matches(line.years.get(y), c.values) for y in years]
    return all(hits) if c.every_year else any(hits)


def lines_of(ini: Initiative, conds: tuple[Cond, ...]) -> list[DepartmentStatus]:
    """The department lines status conditions read: those of the departments named positively, else all."""
    named = {d for c in conds if c.kind in ("department", "lines") and not c.negated for d in c.values}
    chosen = [st for st in ini.statuses if st.department in named]
    return chosen or list(ini.statuses)


def status_ok(ini: Initiative, conds: tuple[Cond, ...]) -> bool:
    """Whether the row's lines meet its status conditions (see the module docstring)."""
    lines = lines_of(ini, conds)
    positive = [c for c in conds if c.kind == "status" and not c.negated]
    if positive:
        passing = [ln for ln in lines if all(line_meets(ln, c) for c in positive)]
        if not passing or (any(c.every_department for c in positive) and len(passing) < len(lines)):
            return False
    return not any(line_meets(ln, c) for c in conds if c.kind == "status" and c.negated for ln in lines)


def some_line_meets(ini: Initiative, conds: tuple[Cond, ...]) -> bool:
    """Whether one department's line meets every status condition, the negated ones read on that line alone
    (「2027年度が「継続」でない」 holds on 保険年金課's line of a row whose other departments continue)."""
    positive = [c for c in conds if c.kind == "status" and not c.negated]
    negated = [c for c in conds if c.kind == "status" and c.negated]
    return any(all(line_meets(ln, c) for c in positive) and not any(line_meets(ln, c) for c in negated)
               for ln in lines_of(ini, conds))


def partly(plan: Plan, conds: tuple[Cond, ...], rows: list[Initiative], pool: list[Initiative] | None = None
           ) -> list[Initiative]:
    """Rows left out only because a negated status condition holds on some of their departments' lines but not on
    all: the answer says how it read 「…ではない取組」 for them."""
    if not any(c.kind == "status" and c.negated for c in conds) or any(c.every_department for c in conds):
        return []  # (「どの担当課も」 already says how every line is read)
    chosen = {i.id for i in rows}
    return [i for i in (plan.initiatives if pool is None else pool) if i.id not in chosen and len(i.statuses) > 1
            and rows_conditions_hold(i, conds) and some_line_meets(i, conds)]


def row_meets(ini: Initiative, c: Cond) -> bool:
    """Whether the row meets one non-status condition (read positively)."""
    if c.kind == "department":
        return bool(set(c.values) & set(ini.departments))
    if c.kind == "field":
        return ini.field_no in c.values
    if c.kind == "goal":
        return ini.goal in c.values
    if c.kind == "viewpoint":
        return ini.viewpoint in c.values
    if c.kind == "new":
        return ini.new
    if c.kind == "departments_at_least":
        return len(ini.departments) >= c.values[0]
    if c.kind == "kpi":
        return bool(ini.kpi_ids)
    if c.kind == "rows":
        return ini.id in c.values
    if c.kind == "change":  # 「2027年度から2028年度にかけて状況が変わる」: on some department's line
        return any(len({st.years.get(y) for y in c.years}) > 1 for st in ini.statuses)
    if c.kind == "lines":  # the department lines a row is read on, when the question points at them: no filter
        return True
    if c.kind == "name":  # words the row's own title holds (「取組名に「生成AI」が入っている」)
        return any(match_key(v) in match_key(ini.name) for v in c.values)
    raise ValueError(f"not a row condition: {c.kind}")


def rows_conditions_hold(ini: Initiative, conds: tuple[Cond, ...]) -> bool:
    """Whether the row meets every condition that is not about a status (each read as negated or not)."""
    return all(row_meets(ini, c) != c.negated for c in conds if c.kind != "status")


def meets(ini: Initiative, conds: tuple[Cond, ...]) -> bool:
    """Whether the row meets every condition."""
    return rows_conditions_hold(ini, conds) and status_ok(ini, conds)


def select(plan: Plan, conds: tuple[Cond, ...], pool: list[Initiative] | None = None) -> list[Initiative]:
    """The rows (of the pool) meeting every condition, in plan order."""
    return [i for i in (plan.initiatives if pool is None else pool) if meets(i, conds)]


def distinct_departments(rows: list[Initiative]) -> list[str]:
    """The departments of the rows, each once, in order of first appearance."""
    return list(dict.fromkeys(d for i in rows for d in i.departments))


def group_key(by: str) -> Callable[[Initiative], list]:
    """What a row counts for: each of its departments, or its field."""
    return (lambda i: list(i.departments)) if by == "department" else (lambda i: [i.field_no])


def grouped(rows: list[Initiative], by: str, among: tuple = ()) -> dict:
    """Rows per department or field (only the groups named, when some are), largest first, ties in plan order."""
    out: dict = {g: [] for g in among}
    for ini in rows:
        for g in group_key(by)(ini):
            if not among or g in among:
                out.setdefault(g, []).append(ini)
    return dict(sorted(out.items(), key=lambda kv: -len(kv[1])))


def kpi_meets(k: KPI, conds: tuple[Cond, ...]) -> bool:
    """Whether a KPI meets every condition (its field or viewpoint, cumulative or not, a share in % or not, its
    unit)."""
    return all(kpi_has(k, c) != c.negated for c in conds if c.kind in KPI_PROPERTIES)  # others are not a KPI's


KPI_PROPERTIES = ("field", "viewpoint", "cumulative", "percent", "unit")


def kpi_has(k: KPI, c: Cond) -> bool:
    """Whether a KPI has the property a condition names (negation aside)."""
    if c.kind == "field":
        return k.field_no in c.values
    if c.kind == "viewpoint":  # a KPI's viewpoint is said without 「に向けて」
        return any(v.startswith(k.viewpoint) for v in c.values)
    if c.kind == "cumulative":
        return k.cumulative
    if c.kind == "unit":
        return k.unit.removesuffix("以上") in c.values
    return "%" in k.unit


def first_year(line: DepartmentStatus, conds: tuple[Cond, ...]) -> tuple[int, str] | None:
    """The first year a line has one of the statuses asked (any status when none is asked), and that status."""
    wanted = [v for c in conds if c.kind == "status" and not c.negated for v in c.values]
    for y in YEARS:
        value = line.years.get(y)
        if value is not None and (not wanted or status_matches(value, wanted)):
            return y, value
    return None


def line_start(line: DepartmentStatus) -> tuple[int, str] | None:
    """The year one department's line starts: its first 新規… status, else its first status that is not a study."""
    return first_year(line, (Cond("status", (NEW_FAMILY,)),)) or next(
        ((y, v) for y in YEARS if (v := line.years.get(y)) and "検討" not in v), None)


def start_of(line: DepartmentStatus, conds: tuple[Cond, ...]) -> tuple[int, str] | None:
    """When a compared line starts: the first year of a status asked, else its start (a line studied only: its first
    year, shown with its status 検討)."""
    if any(c.kind == "status" and not c.negated for c in conds):
        return first_year(line, conds)
    return line_start(line) or first_year(line, conds)


def last_year(line: DepartmentStatus) -> tuple[int, str] | None:
    """The last year a line has a status (— after it means it ends), and that status."""
    return next(((y, v) for y in reversed(YEARS) if (v := line.years.get(y)) is not None), None)


def lasts(rows: list[Initiative]) -> list[tuple[Initiative, str, int, str]]:
    """When each compared row ends: the latest last year over its lines."""
    out = []
    for ini in rows:
        ends = [(ly, st.department) for st in ini.statuses if (ly := last_year(st))]
        if ends:
            (year, value), dep = max(ends)
            out.append((ini, dep, year, value))
    return out


def firsts(rows: list[Initiative], conds: tuple[Cond, ...]) -> list[tuple[Initiative, str, int, str]]:
    """When each compared item starts: the named departments' lines of one row, else each row (its first line)."""
    named = [d for c in conds if c.kind == "department" and not c.negated for d in c.values]
    out = []
    if len(rows) == 1 and len(named) >= 2:
        for st in rows[0].statuses:
            if st.department in named and (fy := start_of(st, conds)):
                out.append((rows[0], st.department, *fy))
        return out
    for ini in rows:
        starts = [(fy, st.department) for st in lines_of(ini, conds) if (fy := start_of(st, conds))]
        if starts:
            (year, value), dep = min(starts)
            out.append((ini, dep, year, value))
    return out


@dataclass
class Computed:
    """What a query computed: the rows, and the groups or the narrower rows when asked."""

    query: Query
    rows: list[Initiative]
    groups: dict = field(default_factory=dict)
    narrower: list[Initiative] = field(default_factory=list)
    kpis: list[KPI] = field(default_factory=list)
    starts: list[tuple[Initiative, str, int, str]] = field(default_factory=list)
    partly: list[Initiative] = field(default_factory=list)  # list / count: rows meeting a negation on some lines only

    @property
    def departments(self) -> list[str]:
        """The distinct departments of the rows, in order of first appearance."""
        return distinct_departments(self.rows)

    def size(self, rows: list[Initiative]) -> int:
        """A group's size by the query's measure: its rows, or its distinct departments."""
        return len(distinct_departments(rows)) if self.query.measure == "departments" else len(rows)

    def extreme(self) -> list:
        """The group(s) with the most (or fewest) rows."""
        if not self.groups:
            return []
        sizes = {g: self.size(v) for g, v in self.groups.items()}
        best = (min if self.query.least else max)(sizes.values())
        return [g for g, n in sizes.items() if n == best]


def run(plan: Plan, q: Query, pool: list[Initiative] | None = None) -> Computed:
    """Execute a query over the plan's rows (or a follow-up's pool)."""
    if q.subject == "kpi":
        return Computed(q, [], kpis=[k for k in plan.kpis if kpi_meets(k, q.conds)])
    conds = q.conds
    if q.result == "first":  # statuses say which start is asked, they do not filter the rows compared
        conds = tuple(c for c in conds if c.kind != "status")
    left_out: set = set()
    if q.result in ("most", "groups", "compare") and q.group == "department":  # 「デジタル政策課以外で最も多い課」: a group
        left_out = {d for c in conds if c.kind == "department" and c.negated for d in c.values}
        conds = tuple(c for c in conds if not (c.kind == "department" and c.negated))
    rows = select(plan, conds, pool)
    out = Computed(q, rows)
    if q.result == "first":
        out.starts = lasts(rows) if q.end else firsts(rows, q.conds)
    if q.result in ("most", "groups", "compare") and q.group:
        groups = grouped(rows, q.group, q.among if q.result == "compare" else ())
        out.groups = {g: v for g, v in groups.items() if g not in left_out and out.size(v) >= q.at_least}
    if q.result == "pair":
        out.narrower = select(plan, q.conds + q.narrower, rows)  # the base's departments narrow the lines read
    if q.result in ("list", "count"):
        out.partly = partly(plan, conds, rows, pool)
    return out


def concrete(values: Iterable[str]) -> set[str]:
    """The statuses (and —) a condition's values allow: 新規* stands for every 新規… status."""
    return {s for v in values for s in ((x for x in STATUSES if x.startswith("新規")) if v == NEW_FAMILY else (v,))}


def read_in(c: Cond, year: int) -> bool:
    """Whether a status condition must hold in this very year: read in it alone, or in every year it reads."""
    return c.years == (year,) or (c.every_year and year in (c.years or YEARS))


def contradictory(conds: tuple[Cond, ...]) -> list[Cond]:
    """Status conditions no department's line can meet together: for one year, positive ones that allow no common
    status, or whose common statuses a negated one rules out (「2029年度に「検討」で、「—」」). They come from a
    misread question, never from what was asked; [] when the conditions can hold. So do 新 and not 新."""
    news = [c for c in conds if c.kind == "new"]
    if len({c.negated for c in news}) > 1:
        return news
    statuses = [c for c in conds if c.kind == "status"]
    for c in statuses:  # 「「拡大」を打ち出していない…「拡大」の文字が入っていない」 read as 拡大 and not 拡大, in the same years
        if not c.negated and (same := [o for o in statuses if o.negated and (o.values, o.years, o.every_year, o.every_department)
                                       == (c.values, c.years, c.every_year, c.every_department)]):
            return [c, *same]
    for y in YEARS:
        positive = [c for c in conds if c.kind == "status" and not c.negated and read_in(c, y)]
        if not positive:
            continue
        allowed = set.intersection(*(concrete(c.values) for c in positive))
        negated = [c for c in conds if c.kind == "status" and c.negated and c.years == (y,)]  # not "not every year"
        for c in negated:
            allowed -= concrete(c.values)
        if not allowed:
            return positive + negated
    return []


def needs_query(q: Query) -> bool:
    """True when the question asks more than the slot filters read: a negation, a year's status or a transition,
    the number of departments, KPI links, a goal or viewpoint, or a computed result (most, compare, pair …)."""
    status = [c for c in q.conds if c.kind == "status"]
    return bool(
        q.unread or q.result in ("departments", "most", "groups", "compare", "pair", "first", "larger", "sum")
        or any(c.negated for c in q.conds) or len(status) > 1
        or any(c.years or c.every_year or NONE in c.values or len(c.values) > 1 for c in status)
        or any(c.kind in ("departments_at_least", "kpi", "goal", "viewpoint", "cumulative", "percent", "name", "unit",
                          "change")
               for c in q.conds)
        or (status and any(c.kind == "new" for c in q.conds)))
