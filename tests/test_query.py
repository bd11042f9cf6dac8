"""The query algebra (assistant/query.py) against a plain-loop reference written from its docstrings, on the real
plan and on an edited copy of it, and the reader (assistant/understand/conditions.py) on real phrasing."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from assistant.models import KPI, YEARS, DepartmentStatus, Initiative, Plan
from assistant.query import Cond, Query, contradictory, firsts, grouped, kpi_meets, run, select
from assistant.text import is_english
from assistant.understand.conditions import read_query
from assistant.understand.frame import normalise_question
from assistant.understand.intent import asks
from assistant.understand.slots import read_slots

COMBOS = 500
TODAY = date(2026, 11, 25)  # fiscal 2026: 来年度 is 2027
DASH = "—"  # the query's "nothing planned that year" (the year's status is None)
ANY_NEW = "新規*"  # the query's "any status starting with 新規"
ROW_KINDS = ("department", "field", "goal", "viewpoint", "new", "departments_at_least", "kpi", "rows", "change")


# ---------------------------------------------------------------- the reference, from the docstrings only


def ref_year(value: str | None, wanted: tuple) -> bool:
    """Whether one year's status is one of the wanted ones: '—' is None, '新規*' any 新規…, else the very word."""
    for w in wanted:
        if w == DASH and value is None:
            return True
        if w == ANY_NEW and value is not None and value.startswith("新規"):
            return True
        if value is not None and value == w:
            return True
    return False


def ref_line(line: DepartmentStatus, c: Cond) -> bool:
    """Whether a department's line holds a status condition read positively: in one (or every) year read."""
    read = list(c.years) if c.years else list(YEARS)
    hits = 0
    for y in read:
        if ref_year(line.years.get(y), c.values):
            hits += 1
    return hits == len(read) if c.every_year else hits > 0


def ref_plain(ini: Initiative, c: Cond) -> bool:
    """Whether the row holds a non-status condition read positively."""
    if c.kind == "department":
        return any(d in c.values for d in ini.departments)
    if c.kind == "field":
        return ini.field_no in c.values
    if c.kind == "goal":
        return ini.goal in c.values
    if c.kind == "viewpoint":
        return ini.viewpoint in c.values
    if c.kind == "new":
        return ini.new
    if c.kind == "departments_at_least":
        return len(ini.statuses) >= c.values[0]
    if c.kind == "kpi":
        return len(ini.kpi_ids) > 0
    if c.kind == "rows":
        return ini.id in c.values
    if c.kind == "change":  # some department's status is not one and the same over the years read
        for ln in ini.statuses:
            seen = [ln.years.get(y) for y in c.years]
            if any(v != seen[0] for v in seen):
                return True
        return False
    raise AssertionError(c.kind)


def ref_meets(ini: Initiative, conds: tuple[Cond, ...]) -> bool:
    """Every condition holds: positive statuses on one read line (all, every_department), negated ones on none."""
    for c in conds:
        if c.kind != "status" and ref_plain(ini, c) == c.negated:
            return False
    named: set[str] = set()
    for c in conds:
        if c.kind == "department" and not c.negated:
            named.update(c.values)
    lines = [ln for ln in ini.statuses if not named or ln.department in named]
    positive = [c for c in conds if c.kind == "status" and not c.negated]
    negative = [c for c in conds if c.kind == "status" and c.negated]
    if positive:
        good = [ln for ln in lines if all(ref_line(ln, c) for c in positive)]
        if any(c.every_department for c in positive):
            if not lines or len(good) != len(lines):
                return False
        elif not good:
            return False
    for c in negative:
        for ln in lines:
            if ref_line(ln, c):
                return False
    return True


def ref_select(rows: list[Initiative], conds: tuple[Cond, ...]) -> list[str]:
    """The ids of the rows meeting every condition, in the order given."""
    return [ini.id for ini in rows if ref_meets(ini, conds)]


def ref_start(line: DepartmentStatus, wanted: list[str]) -> tuple[int, str] | None:
    """When a line starts: the first plan year of one of the wanted statuses when some are; else its first 新規…
    status, else its first status that is no study (検討), else (studied only) its first status."""
    held = [(y, v) for y in YEARS if (v := line.years.get(y)) is not None]
    if wanted:
        return next(((y, v) for y, v in held if ref_year(v, tuple(wanted))), None)
    return next(((y, v) for y, v in held if v.startswith("新規")), None) or next(
        ((y, v) for y, v in held if "検討" not in v), None) or (held[0] if held else None)


def ref_kpi(k: KPI, conds: tuple[Cond, ...]) -> bool:
    """A KPI's field and cumulative conditions, each possibly negated."""
    for c in conds:
        if c.kind == "field" and (k.field_no in c.values) == c.negated:
            return False
        if c.kind == "cumulative" and k.cumulative == c.negated:
            return False
    return True


def ids(rows: list[Initiative]) -> list[str]:
    """The ids of rows, in order."""
    return [i.id for i in rows]


# ---------------------------------------------------------------- random conditions


def used_statuses(plan: Plan) -> list[str]:
    """The status words the plan's lines use, plus '—' and '新規*'."""
    words = sorted({v for i in plan.initiatives for s in i.statuses for v in s.years.values() if v is not None})
    return words + [DASH, ANY_NEW]


def some_departments(rng: random.Random, plan: Plan) -> tuple[str, ...]:
    """One or two real departments, often those of one multi-department row (so line narrowing matters)."""
    multi = [i for i in plan.initiatives if len(i.statuses) > 1]
    pool = rng.choice(multi).departments if multi and rng.random() < 0.5 else plan.departments
    return tuple(rng.sample(pool, min(len(pool), rng.choice((1, 1, 2)))))


def random_status(rng: random.Random, plan: Plan, negated: bool) -> Cond:
    """A status condition: one or two values, years a random subset (or none), every year / every department."""
    values = tuple(rng.sample(used_statuses(plan), rng.choice((1, 1, 2))))
    years = tuple(sorted(rng.sample(YEARS, rng.choice((0, 0, 1, 1, 2, 3)))))
    return Cond("status", values, years, every_year=rng.random() < 0.25, every_department=rng.random() < 0.2,
                negated=negated)


def random_cond(rng: random.Random, plan: Plan, kind: str) -> Cond:
    """One condition of a kind with values drawn from the plan, negated about a third of the time."""
    neg = rng.random() < 0.35
    if kind == "status":
        return random_status(rng, plan, neg)
    if kind == "department":
        values: tuple = some_departments(rng, plan)
    elif kind == "field":
        values = tuple(rng.sample(range(1, 6), rng.choice((1, 1, 2))))
    elif kind == "goal":
        values = (rng.choice([i.goal for i in plan.initiatives]),)
    elif kind == "viewpoint":
        values = (rng.choice([i.viewpoint for i in plan.initiatives]),)
    elif kind == "departments_at_least":
        values = (rng.choice((2, 2, 3)),)
    elif kind == "rows":
        values = tuple(rng.sample(ids(plan.initiatives), rng.randint(3, 30)))
    elif kind == "change":
        a, b = sorted(rng.sample(YEARS, 2))
        return Cond(kind, years=tuple(y for y in YEARS if a <= y <= b), negated=neg)
    else:
        values = ()
    return Cond(kind, values, negated=neg)


def random_conds(rng: random.Random, plan: Plan, status: bool = True) -> tuple[Cond, ...]:
    """Zero to four conditions, status ones the likeliest (they carry the line semantics)."""
    kinds = list(ROW_KINDS) + (["status"] * 5 if status else [])
    return tuple(random_cond(rng, plan, rng.choice(kinds)) for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4))))


def shown(conds: tuple[Cond, ...]) -> str:
    """A combination, compactly, for a failure message."""
    return " & ".join(("NOT " if c.negated else "") + f"{c.kind}{list(c.values)}" + (f"@{list(c.years)}" if c.years
                      else "") + (" every_year" if c.every_year else "") + (" every_dept" if c.every_department
                                                                           else "") for c in conds) or "(none)"


# ---------------------------------------------------------------- the plans


@pytest.fixture(scope="module")
def edited(plan: Plan) -> Plan:
    """A reshaped copy: rows dropped and reordered, departments added, statuses, 新, KPIs and fields changed."""
    rng = random.Random(20260)
    copy = plan.model_copy(deep=True)
    words = [w for w in used_statuses(plan) if w not in (DASH, ANY_NEW)] + ["新規公開", None]
    kept = [ini for n, ini in enumerate(copy.initiatives) if n % 5 != 2]
    for n, ini in enumerate(kept):
        if n % 3 == 0:
            other = next(d for d in rng.sample(plan.departments, 6) if d not in ini.departments)
            ini.statuses.append(DepartmentStatus(department=other, years={y: rng.choice(words) for y in YEARS}))
        if n % 4 == 1:
            rng.choice(ini.statuses).years[rng.choice(YEARS)] = rng.choice(words)
        if n % 5 == 3:
            ini.new = not ini.new
        if n % 7 == 0:
            ini.kpi_ids = [] if ini.kpi_ids else ["K-edited"]
        if n % 11 == 0:
            ini.field_no = rng.randint(1, 5)
    copy.initiatives = kept[::-1]
    return copy


@pytest.fixture(params=["real", "edited"])
def some_plan(request: pytest.FixtureRequest, plan: Plan, edited: Plan) -> Plan:
    """The real plan, then the edited copy."""
    return plan if request.param == "real" else edited


def test_the_edited_copy_really_differs(plan: Plan, edited: Plan) -> None:
    assert len(edited.initiatives) < len(plan.initiatives)
    assert sum(len(i.statuses) > 1 for i in edited.initiatives) > 3 * sum(len(i.statuses) > 1 for i in plan.initiatives)
    assert ids(edited.initiatives)[0] == ids(plan.initiatives)[-1]  # reordered
    assert sum(len(i.statuses) > 1 for i in plan.initiatives) < 10  # the original is untouched by the edits


# ---------------------------------------------------------------- select


def test_select_matches_the_reference(some_plan: Plan) -> None:
    rng = random.Random(1)
    failures, nonempty, partial, multi_status = [], 0, 0, 0
    for _ in range(COMBOS):
        conds = random_conds(rng, some_plan)
        got, want = ids(select(some_plan, conds)), ref_select(some_plan.initiatives, conds)
        if got != want:
            failures.append(f"{shown(conds)}: got {got} want {want}")
        nonempty += bool(want)
        partial += 0 < len(want) < len(some_plan.initiatives)
        multi_status += bool(want) and sum(c.kind == "status" for c in conds) >= 2
    assert not failures, f"{len(failures)}/{COMBOS} combinations differ, e.g.\n" + "\n".join(failures[:5])
    assert nonempty > COMBOS // 3 and partial > COMBOS // 4 and multi_status > 20  # not a vacuous sweep


def test_select_reads_a_pool_in_its_order(some_plan: Plan) -> None:
    rng = random.Random(2)
    for _ in range(100):
        pool = rng.sample(some_plan.initiatives, rng.randint(0, 40))
        conds = random_conds(rng, some_plan)
        assert ids(select(some_plan, conds, pool)) == ref_select(pool, conds), shown(conds)


def test_same_line_semantics_on_a_transition_of_one_department(some_plan: Plan) -> None:
    """A two-year transition split over two departments' lines is no transition; on one line it is."""
    split = same = 0
    for ini in some_plan.initiatives:
        for a in ini.statuses:
            for b in ini.statuses:
                va, vb = a.years.get(2026), b.years.get(2027)
                if va is None or vb is None:
                    continue
                conds = (Cond("rows", (ini.id,)), Cond("status", (va,), (2026,)), Cond("status", (vb,), (2027,)))
                one_line = any(ln.years.get(2026) == va and ln.years.get(2027) == vb for ln in ini.statuses)
                assert bool(select(some_plan, conds)) == one_line, (ini.id, va, vb)
                split += not one_line
                same += one_line
    assert same and split  # both cases occur


# ---------------------------------------------------------------- run: the results


def ref_groups(rows: list[Initiative], by: str, among: tuple = ()) -> dict:
    """Row ids per department (a row counts for each of its departments) or per field; only `among` when given."""
    out: dict = {g: [] for g in among}
    for ini in rows:
        keys = [s.department for s in ini.statuses] if by == "department" else [ini.field_no]
        for g in keys:
            if among and g not in among:
                continue
            out.setdefault(g, []).append(ini.id)
    return out


def check_grouped_order(groups: dict, rows: list[Initiative], by: str) -> None:
    """Largest first; without `among`, ties in the order the groups first appear in the rows."""
    sizes = [len(v) for v in groups.values()]
    assert sizes == sorted(sizes, reverse=True)
    first_seen = list(ref_groups(rows, by))
    for a, b in zip(list(groups), list(groups)[1:], strict=False):
        if len(groups[a]) == len(groups[b]) and a in first_seen and b in first_seen:
            assert first_seen.index(a) < first_seen.index(b), (a, b)


def test_results_match_the_reference(some_plan: Plan) -> None:
    rng = random.Random(3)
    rows_all = some_plan.initiatives
    for _ in range(COMBOS // 2):
        conds = random_conds(rng, some_plan)
        msg = shown(conds)
        want = ref_select(rows_all, conds)
        want_rows = [i for i in rows_all if i.id in set(want)]

        assert len(run(some_plan, Query(conds, "count")).rows) == len(want), msg
        deps: list[str] = []
        for ini in want_rows:
            for s in ini.statuses:
                if s.department not in deps:
                    deps.append(s.department)
        assert run(some_plan, Query(conds, "departments")).departments == deps, msg

        by, least = rng.choice(("department", "field")), rng.random() < 0.3
        most = run(some_plan, Query(conds, "most", group=by, least=least))
        left_out: set = set()
        kept = conds
        if by == "department":  # a negated department is a group left out, not a filter on the rows
            left_out = {d for c in conds if c.kind == "department" and c.negated for d in c.values}
            kept = tuple(c for c in conds if not (c.kind == "department" and c.negated))
        base = [i for i in rows_all if ref_meets(i, kept)]
        expected = {g: v for g, v in ref_groups(base, by).items() if g not in left_out}
        assert {g: ids(v) for g, v in most.groups.items()} == expected, msg
        check_grouped_order(most.groups, base, by)
        if expected:
            best = (min if least else max)(len(v) for v in expected.values())
            assert sorted(most.extreme(), key=str) == sorted((g for g, v in expected.items() if len(v) == best), key=str)
        else:
            assert most.extreme() == []

        among = tuple(rng.sample(some_plan.departments, 2)) if by == "department" else tuple(rng.sample(range(1, 6), 2))
        comp = run(some_plan, Query(conds, "compare", group=by, among=among))
        expected = {g: v for g, v in ref_groups(base, by, among).items() if g not in left_out}
        assert {g: ids(v) for g, v in comp.groups.items()} == expected, msg
        assert set(comp.groups) == set(among) - left_out, msg

        narrower = random_conds(rng, some_plan) or (Cond("new"),)
        pair = run(some_plan, Query(conds, "pair", narrower=narrower))
        assert ids(pair.rows) == want, msg
        assert set(ids(pair.narrower)) <= set(want), msg
        assert ids(pair.narrower) == ref_select(want_rows, tuple(conds) + tuple(narrower)), \
            f"{msg} / narrower {shown(narrower)}"


def test_grouped_counts_a_row_for_each_of_its_departments(some_plan: Plan) -> None:
    multi = [i for i in some_plan.initiatives if len(i.statuses) > 1]
    assert multi
    groups = grouped(multi, "department")
    for ini in multi:
        for d in ini.departments:
            assert ini in groups[d]
    assert sum(map(len, groups.values())) == sum(len(i.statuses) for i in multi)
    check_grouped_order(groups, multi, "department")
    by_field = grouped(some_plan.initiatives, "field")
    assert sum(map(len, by_field.values())) == len(some_plan.initiatives)
    check_grouped_order(by_field, some_plan.initiatives, "field")
    assert set(grouped(multi, "department", among=("存在しない課",))) == {"存在しない課"}  # a named group, even empty


def test_first_starts_match_the_reference(some_plan: Plan) -> None:
    rng = random.Random(4)
    starts_seen = 0
    for _ in range(COMBOS // 2):
        conds = random_conds(rng, some_plan, status=False)
        wanted_cond = rng.random() < 0.5
        if wanted_cond:
            values = tuple(rng.sample([w for w in used_statuses(some_plan) if w != DASH], rng.choice((1, 2))))
            conds += (Cond("status", values, (rng.choice(YEARS),)),)  # says which start: not a filter
        msg = shown(conds)
        out = run(some_plan, Query(conds, "first"))
        row_conds = tuple(c for c in conds if c.kind != "status")
        assert ids(out.rows) == ref_select(some_plan.initiatives, row_conds), msg
        wanted = [v for c in conds if c.kind == "status" and not c.negated for v in c.values]
        named = [d for c in conds if c.kind == "department" and not c.negated for d in c.values]
        assert out.starts == firsts(out.rows, conds)
        if len(out.rows) == 1 and len(named) >= 2:
            continue  # one row's departments: below
        expected = []
        for ini in out.rows:
            starts = {(s.department, *st) for s in ini_lines(ini, named) if (st := ref_start(s, wanted))}
            if starts:
                expected.append((ini.id, min(y for _, y, _ in starts), starts))
        assert [s[0].id for s in out.starts] == [e[0] for e in expected], msg
        for (_, dep, year, value), (_, earliest, starts) in zip(out.starts, expected, strict=True):
            assert year == earliest and (dep, year, value) in starts, msg  # the earliest start, of one of its lines
            starts_seen += 1
    assert starts_seen > COMBOS // 4


def ini_lines(ini: Initiative, named: list[str]) -> list[DepartmentStatus]:
    """The lines a start is read on: the positively named departments' lines, else all."""
    return [s for s in ini.statuses if not named or s.department in named] or list(ini.statuses)


def test_first_compares_the_named_departments_of_one_row(some_plan: Plan) -> None:
    checked = 0
    for ini in some_plan.initiatives:
        if len(ini.statuses) < 2:
            continue
        named = tuple(ini.departments[:2])
        for wanted in ((), (ANY_NEW,), ("継続",)):
            conds = (Cond("rows", (ini.id,)), Cond("department", named)) + (
                (Cond("status", wanted),) if wanted else ())
            out = run(some_plan, Query(conds, "first"))
            expected = [(ini.id, s.department, *st) for s in ini.statuses if s.department in named
                        and (st := ref_start(s, list(wanted)))]
            assert [(r.id, d, y, v) for r, d, y, v in out.starts] == expected, (ini.id, wanted)
            checked += bool(expected)
    assert checked


# ---------------------------------------------------------------- KPIs


def test_kpi_conditions_match_the_reference(plan: Plan) -> None:
    rng = random.Random(5)
    for _ in range(200):
        conds = tuple(Cond("field", tuple(rng.sample(range(1, 6), rng.choice((1, 2)))), negated=rng.random() < 0.4)
                      if rng.random() < 0.6 else Cond("cumulative", negated=rng.random() < 0.5)
                      for _ in range(rng.choice((0, 1, 1, 2))))
        want = [k.id for k in plan.kpis if ref_kpi(k, conds)]
        assert [k.id for k in plan.kpis if kpi_meets(k, conds)] == want, shown(conds)
        assert [k.id for k in run(plan, Query(conds, "count", subject="kpi")).kpis] == want, shown(conds)
    cumulative = [k.id for k in run(plan, Query((Cond("cumulative"),), subject="kpi")).kpis]
    single = [k.id for k in run(plan, Query((Cond("cumulative", negated=True),), subject="kpi")).kpis]
    assert cumulative and single and sorted(cumulative + single) == sorted(k.id for k in plan.kpis)


def test_kpi_ignores_a_negated_condition_it_cannot_judge(plan: Plan) -> None:
    assert all(kpi_meets(k, (Cond("new"),)) for k in plan.kpis)  # passes: ignored
    assert all(kpi_meets(k, (Cond("new", negated=True),)) for k in plan.kpis)  # fails: no KPI meets it


# ---------------------------------------------------------------- pair: the narrower count


def test_pair_narrower_reads_the_lines_the_base_named(some_plan: Plan) -> None:
    cases = []
    for ini in some_plan.initiatives:
        for a in ini.statuses:
            for b in ini.statuses:
                value = b.years.get(2026)
                if value is not None and a.years.get(2026) != value:
                    cases.append((ini, a.department, value))
    assert cases
    ini, dep, value = cases[0]  # the real plan: I17, 保険年金課 (2026 継続); 継続・拡大 is 地域保健課's line
    base, narrower = (Cond("department", (dep,)),), (Cond("status", (value,), (2026,)),)
    out = run(some_plan, Query(base, "pair", narrower=narrower))
    assert ids(out.narrower) == ref_select(some_plan.initiatives, base + narrower)


# ---------------------------------------------------------------- the reader


def read(question: str, plan: Plan) -> Query:
    """The question read as a Query, the way understand() reads it."""
    text = normalise_question(question)
    slots = read_slots(text, plan, TODAY)
    return read_query(text, plan, slots, asks(text, slots.departments), is_english(text), TODAY)


def c(kind: str, *values: object, years: tuple[int, ...] = (), every_year: bool = False, every_department: bool = False,
      negated: bool = False) -> tuple:
    """A condition as compared: values as a set (they are alternatives)."""
    return kind, frozenset(values), years, every_year, every_department, negated


def comparable(conds: tuple[Cond, ...]) -> set[tuple]:
    """Conditions as compared, order-free."""
    return {c(x.kind, *x.values, years=x.years, every_year=x.every_year, every_department=x.every_department,
              negated=x.negated) for x in conds}


READINGS = [
    ("分野4の取組のうち、産業政策課以外が担当しているもの", [c("field", 4), c("department", "産業政策課", negated=True)]),
    ("2026年度は「検討」で、2027年度に「新規導入」へ進む取組",
     [c("status", "検討", years=(2026,)), c("status", "新規導入", years=(2027,))]),
    ("「継続」でも「継続・拡大」でもない取組", [c("status", "継続", "継続・拡大", negated=True)]),
    ("Which initiatives in field 5 are not new?", [c("field", 5), c("new", negated=True)]),
    ("新規取組のうち、担当課が2つ以上あるもの", [c("new"), c("departments_at_least", 2)]),
    ("Which new initiatives have more than one department?", [c("new"), c("departments_at_least", 2)]),
    ("分野2で、担当課が複数記載されている取組は？", [c("field", 2), c("departments_at_least", 2)]),
    ("新マークが付いているのに、2026年度の欄に「新規導入」「新規実施」「新規公開」のいずれも記載されていない取組",
     [c("new"), c("status", "新規導入", "新規実施", "新規公開", years=(2026,), negated=True)]),  # one negation, all three
    ("2026年度に「新規導入」も「新規実施」も記載されていない取組",
     [c("status", "新規導入", "新規実施", years=(2026,), negated=True)]),
    ("複数の課で担当している新規の取組", [c("departments_at_least", 2), c("new")]),
    ("Which initiatives in field 2 have multiple divisions?", [c("field", 2), c("departments_at_least", 2)]),
    ("新規取組を全部（複数課の取組は、いずれかの課が該当すれば対象）", [c("new")]),  # a scope remark, not a filter
    ("新マークの取組で、令和8年度に「新規導入」のもの（担当課が複数ある場合はどこか1課でも該当すれば可）",
     [c("new"), c("status", "新規導入", years=(2026,))]),
    ("取組は全部で何件ですか（複数課で担当している取組は1件と数えてください）", []),
    ("都市づくりの新マークで、R8年度に「新規実施」のもの", [c("field", 5), c("new"), c("status", "新規実施", years=(2026,))]),
    ("学校教育センター所管の取組で、都市づくりに載っているものは不要です", [c("department", "学校教育センター"),
                                                 c("field", 5, negated=True)]),
    ("担当課が1つだけの分野3の取組", [c("departments_at_least", 2, negated=True), c("field", 3)]),
    ("ずっと「検討」のままの取組", [c("status", "検討", every_year=True)]),
    ("どの課も2027年度に「継続」の取組", [c("status", "継続", years=(2027,), every_department=True)]),
    ("KPIが設定されていない取組", [c("kpi", negated=True)]),
    ("Initiatives in field 1 with a KPI", [c("field", 1), c("kpi")]),
    ("2029年度に「—」の取組", [c("status", DASH, years=(2029,))]),
    ("2028年度から「—」になる取組", [c("status", DASH, years=(2028, 2029), every_year=True)]),  # to the plan's end
    ("Initiatives with nothing planned from FY2028 onward", [c("status", DASH, years=(2028, 2029), every_year=True)]),
    ("Initiatives with nothing planned in 2029", [c("status", DASH, years=(2029,))]),
    ("Initiatives in field 2 that are not 継続 in 2027", [c("field", 2), c("status", "継続", years=(2027,), negated=True)]),
    ("デジタル政策課の取組で、2028年度に継続ではないもの",
     [c("department", "デジタル政策課"), c("status", "継続", years=(2028,), negated=True)]),
    ("観光政策課以外で、2027年度に「新規導入」の取組",
     [c("department", "観光政策課", negated=True), c("status", "新規導入", years=(2027,))]),
    ("Initiatives not run by the 産業政策課", [c("department", "産業政策課", negated=True)]),
    ("What does 観光政策課 run other than in field 1?", [c("department", "観光政策課"), c("field", 1, negated=True)]),
    ("「検討」の取組は2028年度にいくつある？", [c("status", "検討", years=(2028,))]),  # the year said after it
    ("来年度に「新規実施」の取組", [c("status", "新規実施", years=(2027,))]),
    ("2027年度に「継続・拡大」または「新規導入」の取組", [c("status", "継続・拡大", "新規導入", years=(2027,))]),
    ("観光政策課と文化政策課の取組", [c("department", "観光政策課", "文化政策課")]),
    ("既存の取組で、2026年度に「検討」のもの", [c("new", negated=True), c("status", "検討", years=(2026,))]),
    ("単独の課が担当する新規取組は何件？", [c("departments_at_least", 2, negated=True), c("new")]),
    ("2027年度に導入・実施に進む取組", [c("status", ANY_NEW, years=(2027,))]),
    ("2026年度に「新規導入」「新規実施」のいずれかの取組", [c("status", "新規導入", "新規実施", years=(2026,))]),
    ("分野1の新規のうち、2026年度が「新規導入」になっていないもの",
     [c("field", 1), c("new"), c("status", "新規導入", years=(2026,), negated=True)]),
    ("分野3の取組のうち、学校教育センターと産業政策課のどちらも担当していないもの",
     [c("field", 3), c("department", "学校教育センター", "産業政策課", negated=True)]),
    ("In field 5, list the initiatives other than those run by 河川水防課 or 危機管理課",
     [c("field", 5), c("department", "河川水防課", "危機管理課", negated=True)]),
    ("Which initiatives in field 2 are NOT handled by 障害福祉課?", [c("field", 2), c("department", "障害福祉課", negated=True)]),
    # a table's headers as conditions: 「分野: 5」「新: ○」「担当: 複数」「2028: —」
    ("担当: 産業政策課 ／ 新: ○ ／ 2028: — （記載なし）に当てはまる取組は？",
     [c("department", "産業政策課"), c("new"), c("status", DASH, years=(2028,))]),
    ("分野: 5 ／ 新: ○ ／ 2026: 新規導入 ― 該当する取組は？", [c("field", 5), c("new"), c("status", "新規導入", years=(2026,))]),
    ("分野: 2 ／ 新: ○ ／ 担当: 複数 ― この条件に該当する取組", [c("field", 2), c("new"), c("departments_at_least", 2)]),
    # a status changing between years, or not; a gloss in brackets repeats a mark, it adds none
    ("2027年度から2028年度にかけて状況が変わる取組は何件？", [c("change", years=(2027, 2028))]),
    ("Among initiatives WITHOUT the 新 (new) mark, which ones change status between FY2026 and FY2027?",
     [c("new", negated=True), c("change", years=(2026, 2027))]),
    ("新規の取組のうち、4年間で状況が変わらないものは？", [c("new"), c("change", years=tuple(YEARS), negated=True)]),
    # a question said twice, in two languages or with an aside: its second negation is read, its aside adds nothing
    ("Excluding デジタル政策課, which department has the most initiatives? デジタル政策課を除いたら一番多いのはどこ？",
     [c("department", "デジタル政策課", negated=True)]),
    ("FY2029: 「継続」でも「継続・拡大」でもない — i.e. anything other than continuing — which initiatives?",
     [c("status", "継続", "継続・拡大", years=(2029,), negated=True)]),
    ("人づくり分野で、2026〜2029年度ずっと「継続」ではない取組 — anything with 継続・拡大, 新規, or a gap — はどれ？",
     [c("field", 3), c("status", "継続", years=tuple(YEARS), every_year=True, negated=True)]),
    # a year 「以降」: each later year when the status stays (のまま), one of them otherwise; 「一度もない」 negates
    ("2027年度以降も「検討」のままの取組は何件か。", [c("status", "検討", years=(2027, 2028, 2029), every_year=True)]),
    ("2027年度以降に「新規導入」される取組は？", [c("status", "新規導入", years=(2027, 2028, 2029))]),
    ("「継続・拡大」が一度もない取組は何件？", [c("status", "継続・拡大", negated=True)]),
    ("デジタル政策課の取組のうち、2027年度以降に状況が変わるものは？",
     [c("department", "デジタル政策課"), c("change", years=(2027, 2028, 2029))]),
    # English negations with a verb between ('do NOT carry the 新 mark', "don't have"); a restatement after 'i.e.'
    ("Which initiatives in field 4 do NOT carry the 新 mark?", [c("field", 4), c("new", negated=True)]),
    ("Which initiatives in field 2 don't have the 新 mark?", [c("field", 2), c("new", negated=True)]),
    ("Which initiatives have not yet moved past a study stage, i.e. every year's status is only 検討 or 検討・試行?",
     [c("status", "検討", "検討・試行", every_year=True)]),
    # a bracket right after a status spells it out; after its negation it restates it in other words
    ("2026年度の時点で、まだ実施に入っておらず検討段階（「検討」「検討・試行」）のものは？",
     [c("status", "検討", "検討・試行", years=(2026,))]),
    ("新マーク付きの取組のうち、令和11年度も「継続」「継続・拡大」になっていない（まだ検討止まり、もしくは途中で終わる）もの",
     [c("new"), c("status", "継続", "継続・拡大", years=(2029,), negated=True)]),
    # 「「A」「B」「C」ではなく、まだ検討段階」 corrects all three, not the last one only
    ("新規の取組のうち、2026年度が「新規導入」「新規実施」「新規公開」ではなく、まだ検討段階のものは？",
     [c("new"), c("status", "検討", "検討・試行", years=(2026,))]),
]


@pytest.mark.parametrize(("question", "expected"), READINGS)
def test_reader_conditions(plan: Plan, question: str, expected: list[tuple]) -> None:
    q = read(question, plan)
    assert comparable(q.conds) == set(expected), q.conds
    assert q.unread == ()


@pytest.mark.parametrize(
    ("question", "result", "group", "least"),
    [("最も多くの取組を担当している課は？", "most", "department", False),
     ("Which department runs the most initiatives?", "most", "department", False),
     ("取組が最も少ない分野はどれ？", "most", "field", True),
     ("Which field has the fewest initiatives?", "most", "field", True),
     ("担当課はいくつある？", "departments", None, False),
     ("How many initiatives are not in field 5?", "count", None, False),
     ("分野2の新規取組は何件？", "count", None, False),
     ("分野4の取組のうち、産業政策課以外が担当しているもの", "list", None, False),
     ("Is it true that 産業政策課 has more initiatives than any other department?", "most", "department", False)],
)
def test_reader_results(plan: Plan, question: str, result: str, group: str | None, least: bool) -> None:
    q = read(question, plan)
    assert (q.result, q.group, q.least) == (result, group, least)


@pytest.mark.parametrize(
    ("question", "base", "narrower"),
    [("学校教育センターの取組は何件で、2029年度が「—」のものはどれか", [c("department", "学校教育センター")],
      [c("status", DASH, years=(2029,))]),
     ("予防課の取組は全て新規か？", [c("department", "予防課")], [c("new")]),
     ("Are all of 予防課's initiatives new?", [c("department", "予防課")], [c("new")]),
     ("Are all the initiatives in field 4 継続 in 2029?", [c("field", 4)], [c("status", "継続", years=(2029,))]),
     ("How many initiatives does 危機管理課 own, which one is marked 新?", [c("department", "危機管理課")], [c("new")]),
     ("Which initiatives are shared by more than one department, and which of those is 新?",
      [c("departments_at_least", 2)], [c("new")]),
     ("複数の課で担当している取組はどれですか。そのうち新規のものは？", [c("departments_at_least", 2)], [c("new")])],
)
def test_reader_pairs_a_count_with_the_part_of_it_asked_next(plan: Plan, question: str, base: list, narrower: list
                                                             ) -> None:
    q = read(question, plan)
    assert q.result == "pair" and comparable(q.conds) == set(base) and comparable(q.narrower) == set(narrower)
    out = run(plan, q)
    assert ids(out.narrower) == ref_select(out.rows, q.narrower)


def test_reader_keeps_a_comparison_of_counts_one_question(plan: Plan) -> None:
    q = read("新規取組の件数、分野2と分野5ではどちらが多い?", plan)
    assert q.result == "compare"


def test_reader_most_carries_its_conditions(plan: Plan) -> None:
    q = read("Which field has the most new initiatives?", plan)
    assert (q.result, q.group) == ("most", "field") and comparable(q.conds) == {c("new")}
    out = run(plan, q)
    counts: dict[int, int] = {}
    for ini in plan.initiatives:
        if ini.new:
            counts[ini.field_no] = counts.get(ini.field_no, 0) + 1
    assert out.extreme() == [f for f, n in counts.items() if n == max(counts.values())]


@pytest.mark.parametrize(
    ("question", "among", "group"),
    [("観光政策課と文化政策課ではどちらが多く担当していますか？", ("観光政策課", "文化政策課"), "department"),
     ("分野1と分野2ではどちらの取組が多い？", (1, 2), "field"),
     ("分野1と分野3の取組はそれぞれ何件か。", (1, 3), "field"),
     ("How many initiatives do 観光政策課 and 文化政策課 each have?", ("観光政策課", "文化政策課"), "department")],
)
def test_reader_compare(plan: Plan, question: str, among: tuple, group: str) -> None:
    q = read(question, plan)
    assert (q.result, q.group, set(q.among)) == ("compare", group, set(among))
    out = run(plan, q)
    for g in among:
        assert len(out.groups[g]) == sum((g in i.departments) if group == "department" else i.field_no == g
                                         for i in plan.initiatives)


@pytest.mark.parametrize(
    ("question", "base", "narrower"),
    [("分野2の取組は何件で、そのうち新規はいくつ？", [c("field", 2)], [c("new")]),
     ("How many initiatives are in field 3, and of these how many are new?", [c("field", 3)], [c("new")]),
     ("How many initiatives are in field 3, and how many of them are new?", [c("field", 3)], [c("new")]),
     ("2026年度に「検討」の取組は何件で、そのうち2027年度に「新規導入」はいくつ？", [c("status", "検討", years=(2026,))],
      [c("status", "新規導入", years=(2027,))])],
)
def test_reader_pair(plan: Plan, question: str, base: list[tuple], narrower: list[tuple]) -> None:
    q = read(question, plan)
    assert q.result == "pair" and comparable(q.conds) == set(base) and comparable(q.narrower) == set(narrower)
    out = run(plan, q)
    assert ids(out.narrower) == [i for i in ids(out.rows) if ref_meets(next(
        r for r in plan.initiatives if r.id == i), q.narrower)]
    assert 0 < len(out.narrower) < len(out.rows)


def test_a_pair_without_a_narrower_condition_is_a_count(plan: Plan) -> None:
    q = read("分野2の取組は何件で、そのうち分野2はいくつ？", plan)
    assert q.result == "count" and comparable(q.conds) == {c("field", 2)}


@pytest.mark.parametrize(
    ("question", "word"),
    [("以外の取組を教えて", "以外"), ("ではない取組は？", "ではない"), ("List everything except", "except"),
     ("Which initiatives are not?", "not")],
)
def test_a_negation_attached_to_nothing_is_unread(plan: Plan, question: str, word: str) -> None:
    q = read(question, plan)
    assert q.unread == (word,) and not any(x.negated for x in q.conds)


def test_read_then_run_on_the_real_plan(plan: Plan) -> None:
    """End to end, against conditions written out by hand for each question."""
    cases = {
        "分野4の取組のうち、産業政策課以外が担当しているもの":
            lambda i: i.field_no == 4 and "産業政策課" not in i.departments,
        "「継続」でも「継続・拡大」でもない取組":
            lambda i: all(v not in ("継続", "継続・拡大") for s in i.statuses for v in s.years.values()),
        "Which initiatives in field 5 are not new?": lambda i: i.field_no == 5 and not i.new,
        "新規取組のうち、担当課が2つ以上あるもの": lambda i: i.new and len(i.departments) >= 2,
        "2026年度は「検討」で、2027年度に「新規導入」へ進む取組":
            lambda i: any(s.years[2026] == "検討" and s.years[2027] == "新規導入" for s in i.statuses),
        "2029年度に「—」の取組": lambda i: any(s.years[2029] is None for s in i.statuses),
        "ずっと「検討」のままの取組": lambda i: any(all(v == "検討" for v in s.years.values()) for s in i.statuses),
        "KPIが設定されていない取組": lambda i: not i.kpi_ids,
    }
    for question, wanted in cases.items():
        expected = [i.id for i in plan.initiatives if wanted(i)]
        assert ids(run(plan, read(question, plan)).rows) == expected, question
        assert 0 < len(expected) < len(plan.initiatives), question  # the question narrows, and something is left


def test_a_correction_keeps_what_was_said_before_it(plan: Plan) -> None:
    q = read("観光政策課の「継続」じゃなくて「検討」の取組", plan)
    assert c("department", "観光政策課") in comparable(q.conds)


def test_neither_a_nor_b_with_dewanaku(plan: Plan) -> None:
    q = read("「継続」ではなく、「継続・拡大」でもない取組", plan)
    assert comparable(q.conds) == {c("status", "継続", "継続・拡大", negated=True)} or (
        comparable(q.conds) == {c("status", "継続", negated=True), c("status", "継続・拡大", negated=True)})


def test_compare_by_distinct_departments_matches_the_reference(some_plan: Plan) -> None:
    """'Which field has more departments involved' counts each department once per field."""
    fields = sorted({i.field_no for i in some_plan.initiatives})
    for a, b in zip(fields, fields[1:], strict=False):
        out = run(some_plan, Query(result="compare", group="field", among=(a, b), measure="departments"))
        for f in (a, b):
            want = {d for i in some_plan.initiatives if i.field_no == f for d in i.departments}
            assert out.size(out.groups[f]) == len(want)
        sizes = {f: out.size(out.groups[f]) for f in (a, b)}
        assert out.extreme() == [f for f in (a, b) if sizes[f] == max(sizes.values())]


def test_a_question_about_numbers_of_departments_is_read_as_that_measure(plan: Plan) -> None:
    text = normalise_question("人づくり分野と仕事づくり分野とで、関わっている担当課の数（重複を除く）はどちらが多いか。")
    slots = read_slots(text, plan, date(2026, 12, 1))
    q = read_query(text, plan, slots, asks(text, slots.departments), False, date(2026, 12, 1))
    assert (q.result, q.group, q.measure) == ("compare", "field", "departments") and set(q.among) == {3, 4}


@pytest.mark.parametrize("field_no", [1, 2, 3, 4, 5])
def test_kpi_sums_add_only_one_unit_that_adds(bot, plan: Plan, field_no: int) -> None:  # noqa: ANN001
    kpis = [k for k in plan.kpis if k.field_no == field_no]
    text = bot.ask(f"分野{field_no}のKPIの目標値を合計するといくつ？").text
    units = {k.unit for k in kpis}
    if len(units) == 1 and not any("%" in u for u in units):
        total = sum(k.value for k in kpis)
        assert f"{int(total):,}" in text.splitlines()[0] if total == int(total) else str(total) in text
    else:
        assert "合計できません" in text or "足し合わせられません" in text


@pytest.mark.parametrize("question", ["分野5の取組は何件？あと、そのうち新マークのものは？",
                                      "仕事づくり分野の取組数と、そのうち新マークの件数を教えて"])
def test_a_count_then_of_those_is_a_pair(plan: Plan, question: str) -> None:
    q = read(question, plan)
    assert q.result == "pair" and comparable(q.narrower) == {c("new")}, q


def test_a_number_inside_a_word_is_not_a_count(plan: Plan) -> None:
    q = read("3.1では数値目標が並んでいますが、そのうち累計で設定されているKPIは何項目？", plan)
    assert q.result != "pair"


def test_conditions_called_contradictory_never_select_a_row(some_plan: Plan) -> None:
    """contradictory() only names conditions that no row can meet (on the real plan and an edited copy), and it
    finds some among random ones (the check can fail)."""
    rng = random.Random(11)
    found = 0
    for _ in range(3000):
        conds = tuple(random_status(rng, some_plan, rng.random() < 0.3) for _ in range(rng.choice((2, 3))))
        if contradictory(conds):
            found += 1
            assert ref_select(some_plan.initiatives, conds) == [], shown(conds)
    assert found >= 30


def test_a_contradictory_reading_is_said_and_not_answered_as_an_empty_list(bot) -> None:  # noqa: ANN001
    ans = bot.ask("2029年度が「検討」で、2029年度が「継続」の取組は？")
    assert ans.grounded is False and "同時には成り立たない" in ans.text, ans.text


def test_which_of_two_named_rows_ends_first_is_read_from_their_last_planned_years(bot, plan: Plan) -> None:  # noqa: ANN001
    """「AとB、どちらが先に終わる？」 for pairs of rows whose last planned years differ (computed here from the rows)."""
    def last(ini: Initiative) -> int:
        return max(y for st in ini.statuses for y in YEARS if st.years.get(y) is not None)

    ending = [i for i in plan.initiatives if last(i) < YEARS[-1] and len(i.name) <= 30]
    running = [i for i in plan.initiatives if last(i) == YEARS[-1] and len(i.name) <= 30]
    assert len(ending) >= 2
    rng = random.Random(4)
    answered = 0
    for a in ending:
        b = rng.choice(running)
        ans = bot.ask(f"「{b.name}」と「{a.name}」、どちらが先に終わりますか？")
        if ans.grounded:  # two rows it could not both find are declined, never guessed
            answered += 1
            first_line = ans.text.splitlines()[0]
            assert first_line.startswith(f"「{a.name}」のほうが先に終わります（{last(a)}年度まで）"), (a.name, b.name, first_line)
    assert answered >= len(ending) // 2


def test_every_japanese_negation_is_read_or_said_never_dropped(bot, plan: Plan) -> None:  # noqa: ANN001
    """For each negation form the reader knows (mentions.NEG_JA), after 新規: the new condition is read as
    negated, or the negation is reported as unread; a list never silently keeps the 新 rows."""
    from assistant.understand.frame import understand
    from assistant.understand.mentions import NEG_JA

    forms = [re.sub(r"\(\?<?[!=][^)]*\)", "", w) for w in NEG_JA.split("|")]  # the words, without their lookarounds
    assert len(forms) > 40
    for w in forms:
        q = understand(f"分野1の取組のうち、新規{w}ものを挙げて", plan, bot.searcher).query
        negated = any(c.kind == "new" and c.negated for c in q.conds)
        assert negated or q.unread or not any(c.kind == "new" for c in q.conds), (w, q)


@pytest.mark.parametrize("mark", ["新マーク", "「新」マーク", "「新」の印", "新規"])
def test_the_new_mark_is_read_however_it_is_written(bot, plan: Plan, mark: str) -> None:  # noqa: ANN001
    n = sum(i.new for i in plan.initiatives)
    assert f"{n}件" in bot.ask(f"{mark}が付いた取組は全部で何件ですか。").text.splitlines()[0]


def test_a_follow_up_that_points_back_narrows_the_last_list_even_by_a_department(bot, plan: Plan) -> None:  # noqa: ANN001
    """「このうち産業政策課のは何件？」 after a field's list counts within that list, not over the whole plan."""
    field4 = [i for i in plan.initiatives if i.field_no == 4]
    want = sum("産業政策課" in i.departments for i in field4)
    assert 0 < want < sum("産業政策課" in i.departments for i in plan.initiatives)
    text = bot.ask("このうち産業政策課が担当しているのは何件？", history=["分野4の取組を一覧で"]).text
    assert f"{want}件" in text.splitlines()[0], text


@pytest.mark.parametrize("said", ["fields {a} and {b}", "分野{a}と{b}", "分野{a}・{b}", "Fields {a}, {b}"])
def test_two_fields_said_together_both_filter(bot, plan: Plan, said: str) -> None:  # noqa: ANN001
    """Every pair of fields said as a list: the new rows of exactly those two fields (none dropped, none added)."""
    from assistant.understand.slots import fields

    for a, b in [(1, 2), (3, 4), (2, 5)]:
        assert fields(said.format(a=a, b=b) + " 2026年度") == [a, b]
        want = sum(i.new and i.field_no in (a, b) for i in plan.initiatives)
        english = said[0] in "fF"
        q = f"How many new initiatives are in {said.format(a=a, b=b)}?" if english else \
            f"{said.format(a=a, b=b)}の新規の取組は何件？"
        head = "\n".join(bot.ask(q).text.splitlines()[:2])
        assert (f"{want} initiatives" if english else f"{want}件") in head, (q, head)


def test_a_viewpoint_said_by_its_number_is_the_plans_numbered_heading(plan: Plan) -> None:
    """「分野Fの視点(n)」, 「分野Fの(n)」, 'field F, viewpoint n' read the viewpoint the plan heads 「(n) …」 in that field,
    for every field and number the plan has (the headings are read from the plan text, not from the parser)."""
    from pathlib import Path

    from assistant.config import Settings

    text = next(Path(Settings().corpus_dir).glob("*.txt")).read_text(encoding="utf-8")
    headings = dict.fromkeys(re.findall(r"^\((\d)\) (\S+に向けて|\S+の推進)", text, re.MULTILINE))
    numbered = {int(n): name for n, name in headings}
    assert len(numbered) == 3
    for field in sorted({i.field_no for i in plan.initiatives}):
        for n, name in numbered.items():
            if not any(i.field_no == field and i.viewpoint == name for i in plan.initiatives):
                continue
            for q in (f"分野{field}の視点({n})の取組は？", f"分野{field}の({n})の取組は？", f"In field {field}, viewpoint {n}?"):
                conds = read(q, plan).conds
                assert Cond("viewpoint", (name,)) in conds and Cond("field", (field,)) in conds, (q, conds)


def test_where_a_status_is_written_is_not_left_as_a_theme(plan: Plan) -> None:
    """「…に「新規実施」と書かれているもの」: 「書かれている」 says where the status is, so nothing of it is left for the
    theme (書く is a word of the plan: 書かない窓口), which would have narrowed the list to nothing."""
    from assistant.understand.conditions import residue

    for glue in ("と書かれている", "と記載されている", "と載っている"):
        text = normalise_question(f"都市づくりの新マークで、R8年度に「新規実施」{glue}もの")
        assert not re.search(r"書|記|載", residue(text, read(text, plan)).replace("新マーク", "")), glue


@pytest.mark.parametrize("status", ["検討", "継続", "継続・拡大"])
@pytest.mark.parametrize("span", [(2026, 2029), (2027, 2029), (2026, 2028)])
def test_a_span_of_years_is_read_as_every_year_of_it_and_selects_what_a_loop_finds(plan: Plan, status: str,
                                                                                   span: tuple[int, int]) -> None:
    """「2026〜2029年度の4か年すべてで「検討」」, 「令和9年度から令和11年度まで」, 'FY2027 to FY2029': the status in every
    year of the span (not only in the year said last), and the rows are those a plain loop over the lines finds."""
    a, b = span
    years = tuple(range(a, b + 1))
    expected = [i.id for i in plan.initiatives if any(all(st.years.get(y) == status for y in years) for st in i.statuses)]
    for said in (f"{a}〜{b}年度のすべてで「{status}」の取組は？", f"令和{a - 2018}年度から令和{b - 2018}年度まで「{status}」の取組は？",
                 f"令和{a - 2018}〜{b - 2018}年度にずっと「{status}」のままの取組", f"Which initiatives are 「{status}」 from FY{a} to FY{b}?"):
        q = read(said, plan)
        assert comparable(q.conds) == {c("status", status, years=years, every_year=True)}, (said, q.conds)
        assert [i.id for i in run(plan, q).rows] == expected, said


def test_a_span_with_any_or_a_new_status_is_any_year_of_it(plan: Plan) -> None:
    """「2026〜2029年度のいずれかに「検討」」 and 「令和8〜11年度に新規導入される」 ask for one year of the span, not every."""
    for said, status in (("2026〜2029年度のいずれかに「検討」の取組", "検討"), ("令和8〜11年度に「新規導入」される取組", "新規導入")):
        assert comparable(read(said, plan).conds) == {c("status", status, years=tuple(YEARS))}, said


def test_a_remark_in_brackets_after_a_status_is_its_own_condition(plan: Plan) -> None:
    """「令和8年度の状況:「新規実施」(新規導入は含めない)」: the remark excludes 新規導入 and does not negate 新規実施."""
    q = read("都市づくりで、令和8年度の状況が「新規実施」(新規導入は含めない)の取組", plan)
    assert comparable(q.conds) == {c("field", 5), c("status", "新規実施", years=(2026,)),
                                   c("status", "新規導入", years=(2026,), negated=True)}
    assert run(plan, q).rows and all(i.field_no == 5 for i in run(plan, q).rows)


def test_departments_given_as_examples_in_brackets_are_no_condition(plan: Plan) -> None:
    """'(counting 金沢美術工芸大学, 市立工業高校 etc. as listed)', 「(市立病院事務局など)」: examples of what to count, for every
    department the plan has, never a filter on it."""
    for dep in sorted({d for i in plan.initiatives for d in i.departments}):
        for said in (f"How many distinct departments (counting {dep} etc. as listed) appear in the plan?",
                     f"担当課（{dep}なども含めて）は全部で何課ありますか"):
            assert not [x for x in read(said, plan).conds if x.kind == "department"], said


def test_english_status_words_are_read_as_the_plans_statuses(plan: Plan) -> None:
    """'new introduction', 'under study', 'continued and expanded' … name the plan's statuses (the words answers use)."""
    from assistant.models import STATUS_EN

    for ja, en in STATUS_EN.items():
        if " " in en:
            assert comparable(read(f"Which initiatives are {en} in FY2027?", plan).conds) == {
                c("status", ja, years=(2027,))}, en


def test_a_remark_on_rows_with_several_departments_is_no_condition(plan: Plan) -> None:
    """'For a row with several departments, tell me which …' says how to show such rows, not to keep only them; 'more
    than one responsible department' asked as a condition is one."""
    q = read("Which initiatives are 継続・拡大 in FY2026? For a row with several departments, tell me which one.", plan)
    assert not [x for x in q.conds if x.kind == "departments_at_least"]
    q = read("How many initiatives list more than one responsible department?", plan)
    assert comparable(q.conds) == {c("departments_at_least", 2)} and q.result == "count"
    assert len(run(plan, q).rows) == sum(len(i.departments) > 1 for i in plan.initiatives)


@pytest.mark.parametrize("said", ["所管件数の多い課、上位2課と件数。", "取組が多い課のトップ3は？", "Top 3 departments by number of initiatives"])
def test_a_top_n_of_departments_is_the_most_result(plan: Plan, said: str) -> None:
    """「上位2課」 'top 3' ask for the departments with the most rows."""
    q = read(said, plan)
    assert (q.result, q.group) == ("most", "department"), said


def test_an_exclusion_given_as_a_labelled_line_negates_that_line_only(plan: Plan) -> None:
    """「・対象:分野5 ・除外1:「新」の付いた取組 ・除外2:河川水防課の取組」 (lines arrive joined): each 除外 line negates what it
    names, and no negation reaches back over a line to the target before it."""
    q = read("・対象:都市づくり分野\n・除外1:「新」の付いた取組\n・除外2:河川水防課の取組\n→ 残る取組と担当課を一覧で", plan)
    assert comparable(q.conds) == {c("field", 5), c("new", negated=True), c("department", "河川水防課", negated=True)}
    assert not q.unread
    rows = run(plan, q).rows
    assert rows and [i.id for i in rows] == [i.id for i in plan.initiatives
                                             if i.field_no == 5 and not i.new and "河川水防課" not in i.departments]


@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_carried_out_until_a_year_then_nothing_is_what_a_loop_finds(plan: Plan, year: int) -> None:
    """「令和Y年度までは実施され、令和Y+1年度から「—」となる取組」: something planned in Y (not —) and — from Y+1 to the
    end, on one department's line (the first part was dropped: rows already — in Y were listed)."""
    q = read(f"令和{year - 2018}年度までは実施され、令和{year - 2017}年度から「—」となる取組を教えてください。", plan)
    later = [y for y in YEARS if y > year]
    expected = [i.id for i in plan.initiatives if any(
        st.years.get(year) is not None and all(st.years.get(y) is None for y in later) for st in i.statuses)]
    assert c("status", DASH, years=(year,), negated=True) in comparable(q.conds)
    assert [i.id for i in run(plan, q).rows] == expected


def ref_partly(rows: list[Initiative], conds: tuple[Cond, ...]) -> list[str]:
    """Rows outside the strict selection that meet every condition on one line of a multi-department row, a negated
    status read on that line alone (none when a condition says every department)."""
    if not any(c.kind == "status" and c.negated for c in conds) or any(c.every_department for c in conds):
        return []
    out = []
    for ini in rows:
        if ref_meets(ini, conds) or len(ini.statuses) < 2:
            continue
        if any(c.kind != "status" and ref_plain(ini, c) == c.negated for c in conds):
            continue
        named = {d for c in conds if c.kind == "department" and not c.negated for d in c.values}
        lines = [ln for ln in ini.statuses if ln.department in named] or list(ini.statuses)
        if any(all(ref_line(ln, c) != c.negated for c in conds if c.kind == "status") for ln in lines):
            out.append(ini.id)
    return out


def test_rows_meeting_a_negation_on_some_lines_only_match_the_reference(some_plan: Plan) -> None:
    """「2027年度が「継続」でない取組」: rows whose other departments do continue are told apart, never counted."""
    rng = random.Random(9)
    found = 0
    for _ in range(COMBOS):
        conds = random_conds(rng, some_plan)
        out = run(some_plan, Query(conds))
        assert ids(out.partly) == ref_partly(some_plan.initiatives, conds), shown(conds)
        assert not set(ids(out.partly)) & set(ids(out.rows))
        found += bool(out.partly)
    assert found > 5  # not a vacuous sweep
