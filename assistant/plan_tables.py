"""The plan's tables, line by line: 2.5's initiative rows and 3.1's KPIs. Every line is classified or reported.

Tolerant where the meaning is clear (tabs or runs of spaces between columns, NFKC, spaces around ⇒ and —),
never guessing where it is not: a missing year column, an unknown status or a target without a label is
reported with its line number and the reason, not filled in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .models import KPI, STATUSES, YEARS, DepartmentStatus, LineIssue

SAME_AS_BEFORE = "⇒"
NO_PLAN_MARKS = ("—", "-", "―", "－", "–")
NEW_MARK = "新 "
FIELD_RE = re.compile(r"^【分野(\d)】\s*(\S+?)(?:\s+(.*))?$")
VIEWPOINT_RE = re.compile(r"^\((\d)\)\s*(.+?)(?:\s+2026(?:\s+\d{4})*)?$")
YEAR_HEADER = re.compile(r"^(?:20\d\d\s*)+$")
PAGE_HEADER = re.compile(r"^(\d \S+|\d\.\d\.\s*\S+)$")  # 「2 取組」「2.5. 具体的な取組」 repeated on every page
UNITS = r"(?:%|人|件|コマ|チーム|ビュー|ダウンロード|回|社|団体|か所|箇所|校|施設)"
TARGET_RE = re.compile(rf"^([\d,.]+)(万)?({UNITS}(?:以上|以下)?)$")  # units the plan uses; others are reported
KPI_FIELDS = ("魅力づくり", "暮らしづくり", "人づくり", "仕事づくり", "都市づくり")
KPI_VIEWPOINTS = ("全ての人の利便性向上", "共創のための環境整備")
KPI_HEADERS = ("3 成果の測定", "3.1.", "2029年度末")


def cells(line: str) -> list[str]:
    """Columns of a table line: tab-separated, or separated by runs of two or more spaces; NFKC, trimmed."""
    text = unicodedata.normalize("NFKC", line).rstrip()
    parts = text.split("\t") if "\t" in text else re.split(r" {2,}", text)
    return [re.sub(r"\s+", " ", c).strip() for c in parts]


def resolve_years(raw: list[str]) -> dict[int, str | None]:
    """Four checked year cells as statuses: ⇒ copies the year before, — is None."""
    years: dict[int, str | None] = {}
    previous: str | None = None
    for year, cell in zip(YEARS, raw, strict=True):
        status = previous if cell == SAME_AS_BEFORE else None if cell in NO_PLAN_MARKS or not cell else cell
        years[year] = status
        previous = status
    return years


def year_problem(raw: list[str]) -> str | None:
    """Why four year cells cannot be read, or None."""
    for year, cell in zip(YEARS, raw, strict=True):
        if cell == SAME_AS_BEFORE and year == YEARS[0]:
            return f"{year}年度に「⇒」（前年度と同じ）は使えません"
        if cell not in STATUSES and cell != SAME_AS_BEFORE and cell not in NO_PLAN_MARKS:
            return f"年度の状態が読めません: {cell or '（空欄）'}"
    return None


@dataclass
class TableState:
    """Where the table parser is: field, viewpoint and goal of the rows that follow, and what it found."""

    field_no: int = 0
    field_name: str = ""
    viewpoint: str = ""
    goal: str = ""
    rows: list[dict] = field(default_factory=list)
    goal_lines: dict[tuple[int, str, str], int] = field(default_factory=dict)
    fields: dict[int, str] = field(default_factory=dict)
    issues: list[LineIssue] = field(default_factory=list)
    after_row: bool = False  # the previous non-blank line was a row (a continuation row may follow)


def _heading(first: str, lineno: int, state: TableState) -> bool:
    """Update field/viewpoint/goal from a heading line; True when the line was one."""
    if m := FIELD_RE.match(first):
        state.field_no, state.field_name = int(m.group(1)), m.group(2)
        state.fields[state.field_no] = state.field_name
        return True
    if m := VIEWPOINT_RE.match(first):
        state.viewpoint = m.group(2).strip()
        return True
    if first.startswith("○"):
        state.goal = first.lstrip("○ ").strip()
        state.goal_lines.setdefault((state.field_no, state.viewpoint, state.goal), lineno)
        return True
    return False


def _row(cols: list[str], lineno: int, state: TableState) -> str | None:
    """Add an initiative row, or another department of the row above; the reason when it cannot."""
    if len(cols) != 6:
        return f"6列ではなく{len(cols)}列です"
    if not cols[1]:
        return "担当課の列が空です"
    if problem := year_problem(cols[2:6]):
        return problem
    if not state.goal:
        return "○ 目標の見出しより前に取組の行があります"
    status = DepartmentStatus(department=cols[1], years=resolve_years(cols[2:6]))
    quote = " | ".join(c for c in cols if c)
    if cols[0]:
        name = cols[0][len(NEW_MARK):].strip() if cols[0].startswith(NEW_MARK) else cols[0]
        state.rows.append({"name": name, "new": cols[0].startswith(NEW_MARK), "field_no": state.field_no,
                           "field_name": state.field_name, "viewpoint": state.viewpoint, "goal": state.goal,
                           "statuses": [status], "quote": quote, "line": lineno})
        return None
    if not state.rows or not state.after_row:
        return "取組名のない続きの行ですが、直前に取組の行がありません"
    if cols[1] in [s.department for s in state.rows[-1]["statuses"]]:
        return f"同じ取組に同じ担当課（{cols[1]}）が2回あります"
    state.rows[-1]["statuses"].append(status)
    state.rows[-1]["quote"] += "\n" + quote
    return None


def parse_tables(lines: list[tuple[int, str]]) -> TableState:
    """Initiative rows of 2.5 under their field / viewpoint / goal; every other line is a heading or reported."""
    state = TableState()
    for lineno, raw in lines:
        if not raw.strip():
            state.after_row = False  # a continuation row must follow its row directly
            continue
        cols = cells(raw)
        first = cols[0] if any(cols) else ""
        text = " ".join(c for c in cols if c)
        if _heading(first, lineno, state) or YEAR_HEADER.match(text) or PAGE_HEADER.match(text):
            state.after_row = False
            continue
        reason = _row(cols, lineno, state) if len(cols) > 1 else "表の行としても見出しとしても読めません"
        if reason:
            state.issues.append(LineIssue(line=lineno, text=raw.strip(), reason=reason))
        state.after_row = reason is None
    return state


@dataclass
class _KpiState:
    """Where the KPI parser is: page (field), viewpoint and the label lines read so far."""

    page: int = 0
    viewpoint: str = ""
    label: list[tuple[int, str]] = field(default_factory=list)
    kpis: list[KPI] = field(default_factory=list)
    issues: list[LineIssue] = field(default_factory=list)

    def drop_label(self, why: str) -> None:
        """Report label lines that never got a target."""
        if self.label:
            lineno = self.label[0][0]
            self.issues.append(LineIssue(line=lineno, text="".join(t for _, t in self.label), reason=why))
        self.label = []


def _target(line: str) -> re.Match[str] | None:
    """A target line (47 万件, 95%以上, 80パーセント), spaces ignored."""
    return TARGET_RE.match(re.sub(r"\s+", "", unicodedata.normalize("NFKC", line)).replace("パーセント", "%"))


def _kpi(state: _KpiState, m: re.Match[str], lineno: int) -> None:
    """Pair the label read so far with its target."""
    number = float(m.group(1).replace(",", ""))
    text = "".join(t for _, t in state.label)
    state.kpis.append(KPI(
        id=f"K{len(state.kpis) + 1:02d}", field_no=state.page, field_name=KPI_FIELDS[state.page - 1],
        viewpoint=state.viewpoint, label=text, target=m.group(0), value=number * 10000 if m.group(2) else number,
        unit=m.group(3), cumulative="累計" in text, line=lineno,
    ))
    state.label = []


def parse_kpis(lines: list[tuple[int, str]]) -> tuple[list[KPI], list[LineIssue]]:
    """KPIs of 3.1 (pages in field order, label lines then a target line) and the lines that could not be read."""
    state = _KpiState()
    for lineno, raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line == KPI_HEADERS[0]:
            state.drop_label("目標値のないKPI名です")
            state.page, state.viewpoint = state.page + 1, ""
        elif line in KPI_FIELDS:
            state.page = KPI_FIELDS.index(line) + 1
        elif line in KPI_VIEWPOINTS:
            state.drop_label("目標値のないKPI名です")
            state.viewpoint = line
        elif line.startswith(("※", *KPI_HEADERS[1:])) or len(line) == 1:
            continue  # notes, headings and the page's vertical field label (人 / づ / く / り)
        elif m := _target(line):
            if not state.label or not state.page or state.page > len(KPI_FIELDS):
                state.issues.append(LineIssue(line=lineno, text=line, reason="KPI名のない目標値です"))
            else:
                _kpi(state, m, lineno)
        elif re.match(r"^[\d,.]", unicodedata.normalize("NFKC", line)):
            state.issues.append(LineIssue(line=lineno, text=line, reason=f"目標値の形が読めません: {line}"))
        elif len(state.label) >= 3:
            state.drop_label("目標値のないKPI名です")
            state.label.append((lineno, line))
        else:
            state.label.append((lineno, line))
    state.drop_label("目標値のないKPI名です")
    return state.kpis, state.issues
