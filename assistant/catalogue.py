"""The plan's tables as data: filters read into the query over the records (query.py), rows as JSON or CSV.

The same algebra answers chat lists, so the list view, the API and the chat always agree."""

from __future__ import annotations

import csv
import io
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, create_model

from .errors import UnknownFilterError
from .models import KPI, NO_PLAN, STATUSES, YEARS, Initiative, Plan
from .query import NEW_FAMILY, NONE, Cond, select
from .spreadsheet import csv_row
from .text import match_key

TEXT_CHARS = 100  # the longest text filter
STATUS_CHOICES = [*STATUSES, NEW_FAMILY, NONE]


class TableQuery(BaseModel):
    """What every table route takes besides its filters; a parameter it does not know is an error, not ignored."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["json", "csv"] | None = Field(default=None, description="csv: a download (or Accept: text/csv)")
    lang: Literal["ja", "en"] = Field(default="ja", description="language of the CSV's header")


class InitiativeFilter(TableQuery):
    """Which initiatives to list; every filter given must hold (none given: every row)."""

    field: int | None = Field(default=None, ge=1, le=5, description="分野 1–5")
    viewpoint: str | None = Field(default=None, max_length=100, description="視点 (exact, as the plan writes it)")
    goal: str | None = Field(default=None, max_length=200, description="○目標 (exact, as the plan writes it)")
    department: str | None = Field(default=None, max_length=50, description="担当課 (exact name)")
    new: bool | None = Field(default=None, description="true: only rows marked 新; false: only rows not marked")
    year: int | None = Field(default=None, ge=YEARS[0], le=YEARS[-1],
                             description="fiscal year the status is read in (alone: something is planned that year)")
    status: str | None = Field(default=None, max_length=10,
                               description=f"status ({'、'.join(STATUS_CHOICES)}); with year, in that year")
    text: str | None = Field(default=None, max_length=TEXT_CHARS, description="words in the name, goal or viewpoint")


class KpiFilter(TableQuery):
    """Which KPIs to list; every filter given must hold."""

    field: int | None = Field(default=None, ge=1, le=5, description="分野 1–5")
    viewpoint: str | None = Field(default=None, max_length=100, description="視点 (exact)")
    text: str | None = Field(default=None, max_length=TEXT_CHARS, description="words in the KPI's label")


class DepartmentRow(BaseModel):
    """One department's line of a row: its status per fiscal year (— where nothing is planned)."""

    department: str
    years: dict[str, str] = Field(description="fiscal year → status, 「—」 where the plan plans nothing")


class InitiativeRow(BaseModel):
    """One initiative as the plan's table gives it, with where it is."""

    id: str
    name: str
    new: bool = Field(description="marked 新 in the plan")
    field: int
    field_name: str
    viewpoint: str
    goal: str
    departments: list[DepartmentRow]
    kpis: list[str] = Field(description="labels of the KPIs linked to this row")
    page: int | None
    line: int = Field(description="line of the plan text")


class KpiRow(BaseModel):
    """One KPI: its target for the end of FY2029 and the rows it measures."""

    id: str
    label: str
    target: str
    value: float
    unit: str
    cumulative: bool
    field: int
    field_name: str
    viewpoint: str
    initiatives: list[str] = Field(description="names of the initiatives it measures")
    page: int | None
    line: int


class InitiativeList(BaseModel):
    """The rows that meet the filters, in plan order."""

    count: int
    items: list[InitiativeRow]


class KpiList(BaseModel):
    """The KPIs that meet the filters, in plan order."""

    count: int
    items: list[KpiRow]


def choices(plan: Plan) -> dict[str, list[str]]:
    """The values each text filter takes, as the plan writes them (the API schema lists them as enums)."""
    return {"department": plan.departments, "status": STATUS_CHOICES,
            "viewpoint": list(dict.fromkeys(i.viewpoint for i in plan.initiatives)),
            "goal": list(dict.fromkeys(i.goal for i in plan.initiatives)),
            "kpi_viewpoint": list(dict.fromkeys(k.viewpoint for k in plan.kpis))}


def filter_models(plan: Plan) -> tuple[type[InitiativeFilter], type[KpiFilter]]:
    """The filters with this plan's values as enums, so the OpenAPI schema says exactly what is accepted."""
    c = choices(plan)

    def one_of(name: str, values: list[str], base: type[BaseModel]) -> tuple:
        """A field of the base, narrowed to the values."""
        field = base.model_fields[name]
        return Literal[tuple(values)] | None, Field(default=None, description=field.description)  # type: ignore[valid-type]

    ini = create_model("InitiativeFilter", __base__=InitiativeFilter, **{
        n: one_of(n, c[n], InitiativeFilter) for n in ("department", "viewpoint", "goal", "status")})
    kpi = create_model("KpiFilter", __base__=KpiFilter, viewpoint=one_of("viewpoint", c["kpi_viewpoint"], KpiFilter))
    return ini, kpi


def allowed(name: str, value: object, choices: list) -> None:
    """A 400 naming the allowed values when a filter value is not one of them."""
    if value is not None and value not in choices:
        raise UnknownFilterError(name, value, [str(c) for c in choices])


def conds_of(f: InitiativeFilter, plan: Plan) -> tuple[Cond, ...]:
    """The filters as conditions of the query algebra (unknown values refused first)."""
    for name, values in choices(plan).items():  # the schema's enums are the plan's at start; the plan may have moved on
        if not name.startswith("kpi_"):
            allowed(name, getattr(f, name), values)
    conds = [Cond("department", (f.department,))] if f.department else []
    conds += [Cond("field", (f.field,))] if f.field else []
    conds += [Cond("viewpoint", (f.viewpoint,))] if f.viewpoint else []
    conds += [Cond("goal", (f.goal,))] if f.goal else []
    conds += [Cond("new", negated=not f.new)] if f.new is not None else []
    if f.status:
        conds.append(Cond("status", (f.status,), years=(f.year,) if f.year else ()))
    elif f.year:  # a year alone: something is planned that year (on some department's line)
        conds.append(Cond("status", STATUSES, years=(f.year,)))
    return tuple(conds)


def filters_for(conds: tuple[Cond, ...]) -> dict[str, str] | None:
    """The list view's filters that state the same conditions, or None when some condition has no filter there
    (several values, negation, a theme, a count of departments, every year, more than one status)."""
    out: dict[str, str] = {}
    for c in conds:
        if c.kind == "new" and "new" not in out:
            out["new"] = "false" if c.negated else "true"
            continue
        if c.negated or len(c.values) != 1 or c.kind not in ("department", "field", "viewpoint", "goal", "status"):
            return None
        if c.kind == "status":
            if "status" in out or len(c.years) > 1 or c.every_department or (c.every_year and not c.years):
                return None
            out |= {"status": str(c.values[0])} | ({"year": str(c.years[0])} if c.years else {})
        elif c.kind in out:
            return None
        else:
            out[c.kind] = str(c.values[0])
    return out


def list_link(plan: Plan, conds: tuple[Cond, ...], shown: list[str]) -> str | None:
    """「この条件で一覧を開く」: the list view's URL for a chat list, only when it lists exactly the rows shown."""
    given = filters_for(conds)
    if not given or not shown:
        return None
    try:
        rows = selected(plan, InitiativeFilter.model_validate(given))
    except (UnknownFilterError, ValueError):
        return None
    return f"list?{urlencode(given)}" if [r.id for r in rows] == shown else None


def has_text(words: str | None, *fields: str) -> bool:
    """Whether every word (split on spaces) is in one of the fields, compared as match keys."""
    keys = [match_key(w) for w in (words or "").split()]
    hay = match_key(" ".join(fields))
    return all(k in hay for k in keys if k)


def initiative_row(ini: Initiative, labels: dict[str, str]) -> InitiativeRow:
    """One row for the API and the list view (labels: KPI id → label)."""
    return InitiativeRow(
        id=ini.id, name=ini.name, new=ini.new, field=ini.field_no, field_name=ini.field_name, viewpoint=ini.viewpoint,
        goal=ini.goal, page=ini.page, line=ini.line, kpis=[labels[k] for k in ini.kpi_ids if k in labels],
        departments=[DepartmentRow(department=s.department, years={str(y): s.years.get(y) or NO_PLAN for y in YEARS})
                     for s in ini.statuses])


def initiatives(plan: Plan, f: InitiativeFilter) -> InitiativeList:
    """The initiatives meeting the filters (the same select() the chat's lists use)."""
    labels = {k.id: k.label for k in plan.kpis}
    rows = selected(plan, f)
    return InitiativeList(count=len(rows), items=[initiative_row(i, labels) for i in rows])


def selected(plan: Plan, f: InitiativeFilter) -> list[Initiative]:
    """The plan's rows meeting the filters, in plan order."""
    return [i for i in select(plan, conds_of(f, plan)) if has_text(f.text, i.name, i.goal, i.viewpoint)]


def kpi_row(k: KPI, names: dict[str, str]) -> KpiRow:
    """One KPI for the API (names: initiative id → name)."""
    return KpiRow(id=k.id, label=k.label, target=k.target, value=k.value, unit=k.unit, cumulative=k.cumulative,
                  field=k.field_no, field_name=k.field_name, viewpoint=k.viewpoint, page=k.page, line=k.line,
                  initiatives=[names[i] for i in k.initiative_ids if i in names])


def kpis(plan: Plan, f: KpiFilter) -> KpiList:
    """The KPIs meeting the filters."""
    allowed("viewpoint", f.viewpoint, choices(plan)["kpi_viewpoint"])
    rows = [k for k in plan.kpis if (f.field is None or k.field_no == f.field)
            and (f.viewpoint is None or k.viewpoint == f.viewpoint) and has_text(f.text, k.label)]
    names = {i.id: i.name for i in plan.initiatives}
    return KpiList(count=len(rows), items=[kpi_row(k, names) for k in rows])


def to_csv(rows: list[list[object]]) -> str:
    """CSV text for Excel: UTF-8 with BOM, CRLF, every cell safe from formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(csv_row(row))
    return "\ufeff" + out.getvalue()


def initiatives_csv(found: InitiativeList, english: bool = False) -> str:
    """One line per initiative: its place, departments and each year's status per department (「・」 between)."""
    head = (["id", "name", "new", "field", "field name", "viewpoint", "goal", "departments",
             *[f"FY{y}" for y in YEARS], "KPIs", "page", "line"] if english else
            ["ID", "取組", "新規", "分野", "分野名", "視点", "目標", "担当課", *[f"{y}年度" for y in YEARS], "KPI", "ページ", "行"])
    body = [[r.id, r.name, "新" if r.new else "", r.field, r.field_name, r.viewpoint, r.goal,
             "・".join(d.department for d in r.departments),
             *["・".join(f"{d.department}:{d.years[str(y)]}" if len(r.departments) > 1 else d.years[str(y)]
                        for d in r.departments) for y in YEARS],
             "・".join(r.kpis), r.page, r.line] for r in found.items]
    return to_csv([head, *body])


def kpis_csv(found: KpiList, english: bool = False) -> str:
    """One line per KPI."""
    head = (["id", "KPI", "target", "value", "unit", "cumulative", "field", "field name", "viewpoint", "initiatives",
             "page", "line"] if english else
            ["ID", "KPI", "目標値", "数値", "単位", "累計", "分野", "分野名", "視点", "関連する取組", "ページ", "行"])
    body = [[k.id, k.label, k.target, k.value, k.unit, "累計" if k.cumulative else "", k.field, k.field_name,
             k.viewpoint, "・".join(k.initiatives), k.page, k.line] for k in found.items]
    return to_csv([head, *body])

