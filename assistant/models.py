"""Pydantic records for the plan and the public answer shapes."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, Field

YEARS: tuple[int, ...] = (2026, 2027, 2028, 2029)
NO_PLAN = "—"  # the plan's mark for "nothing planned that year"
# The yearly statuses the plan uses, longest first (so 「継続・拡大」 is found before 「継続」).
STATUSES: tuple[str, ...] = ("新規導入", "新規実施", "新規公開", "継続・拡大", "検討・試行", "拡大検討", "検討", "継続", "試行", "拡大")
STATUS_EN = {  # how answers say each status in English (and English questions may name it)
    "新規導入": "new introduction", "新規実施": "new implementation", "新規公開": "new release", "継続": "continued",
    "継続・拡大": "continued and expanded", "検討": "under study", "検討・試行": "study and trial",
    "拡大検討": "studying expansion",
}


class DepartmentStatus(BaseModel):
    """One department's yearly statuses for an initiative (⇒ already resolved)."""

    department: str
    years: dict[int, str | None] = Field(description="status per fiscal year; None where the plan says —")

    def status(self, year: int) -> str | None:
        """The status in a fiscal year, None when nothing is planned."""
        return self.years.get(year)


class Initiative(BaseModel):
    """A row (plus continuation rows) of the 2.5 具体的な取組 tables."""

    id: str
    name: str
    new: bool
    field_no: int
    field_name: str
    viewpoint: str
    goal: str
    statuses: list[DepartmentStatus]
    quote: str
    line: int
    page: int | None = None
    kpi_ids: list[str] = Field(default=[], description="KPIs that measure this initiative (linked at parse time)")

    @property
    def departments(self) -> list[str]:
        """Department names in the order the plan lists them."""
        return [s.department for s in self.statuses]


class Goal(BaseModel):
    """A ○ goal heading of the tables and the initiatives listed under it."""

    id: str
    field_no: int
    field_name: str
    viewpoint: str
    title: str
    initiative_ids: list[str]
    line: int
    page: int | None = None


class KPI(BaseModel):
    """A key performance indicator of 3.1, targeted for the end of FY2029."""

    id: str
    field_no: int
    field_name: str
    viewpoint: str
    label: str
    target: str
    value: float
    unit: str
    cumulative: bool
    target_year: str = "2029年度末"
    line: int
    page: int | None = None
    initiative_ids: list[str] = []


class Section(BaseModel):
    """A narrative section of the plan, repeated page headers merged."""

    id: str
    path: list[str]
    title: str
    text: str
    line: int
    page: int | None = None


class LineIssue(BaseModel):
    """A line of the plan's tables or KPI pages that could not be read, and why."""

    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        """「123行目: 6列ではなく5列です — 新 スマートごみ箱…」"""
        return f"{self.line}行目: {self.reason} — {self.text[:80]}"


class Plan(BaseModel):
    """Everything parsed from the corpus."""

    initiatives: list[Initiative]
    kpis: list[KPI]
    sections: list[Section]
    fields: dict[int, str]
    source: str
    goals: list[Goal] = []
    issues: list[LineIssue] = Field(default=[], description="lines of the tables and KPI pages not understood")

    @cached_property
    def departments(self) -> list[str]:
        """All departments, in order of first appearance (a plan is never edited once parsed)."""
        seen: dict[str, None] = {}
        for ini in self.initiatives:
            for dep in ini.departments:
                seen.setdefault(dep, None)
        return list(seen)


class Citation(BaseModel):
    """A record an answer relies on."""

    id: str
    kind: Literal["initiative", "kpi", "section", "goal"]
    title: str
    departments: list[str] = []
    field: str | None = None
    viewpoint: str | None = None
    goal: str | None = None
    years: dict[int, str | None] = {}
    department_years: dict[str, dict[int, str | None]] = {}
    quote: str
    location: str
    page: int | None = None
    line: int | None = None


class Answer(BaseModel):
    """The reply to one question."""

    text: str
    grounded: bool
    kind: str
    citations: list[Citation] = []
    language: Literal["ja", "en"] = "ja"
    suggestions: list[str] = Field(default=[], description="example questions the plan can answer (on a decline)")
    list_url: str | None = Field(default=None, description="a list answer's rows in the list view (「この条件で一覧を開く」), "
                                 "relative to the app's root; only when that view lists exactly these rows")
