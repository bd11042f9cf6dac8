"""What every answer kind shares: the records by id, citations and the Draft an answer starts as."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import KPI, STATUS_EN, YEARS, Citation, Goal, Initiative, Plan, Section
from ..retrieve import HybridSearcher


@dataclass
class Draft:
    """An answer before it becomes the public model."""

    text: str
    kind: str
    citations: list[Citation]
    grounded: bool = True
    suggestions: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)  # the initiative(s) the answer is about, for follow-ups
    computed: bool = False  # computed by the query over the records (its conditions are said back in its first line)


def fmt_status(status: str | None, en: bool) -> str:
    """A status for display; None is the plan's — (nothing planned)."""
    if status is None:
        return "— (nothing planned)" if en else "—（予定なし）"
    return f"{status} ({STATUS_EN[status]})" if en and status in STATUS_EN else status


def join_ja(items: list[str]) -> str:
    """Items joined with the Japanese comma."""
    return "、".join(items)


def page(p: int | None) -> str:
    """「p.10」 for a known page, else nothing."""
    return f"p.{p}・" if p else ""


class Records:
    """The plan's records by id, and their citations."""

    def __init__(self, plan: Plan, searcher: HybridSearcher) -> None:
        self.plan, self.searcher = plan, searcher
        self.initiatives: dict[str, Initiative] = {i.id: i for i in plan.initiatives}
        self.kpis: dict[str, KPI] = {k.id: k for k in plan.kpis}
        self.sections: dict[str, Section] = {s.id: s for s in plan.sections}
        self.goals: dict[str, Goal] = {g.id: g for g in plan.goals}
        ids = [i.id for i in plan.initiatives]
        # what the rows' names and context use, computed once: topic words outside it cannot select rows
        self.row_vocab: set[str] = set().union(*(searcher.name_tokens[i] | searcher.context_tokens[i] for i in ids))
        self.row_names: str = " ".join(searcher.name_keys[i] for i in ids)

    def cite_initiative(self, ini: Initiative) -> Citation:
        """The citation of an initiative row."""
        return Citation(
            id=ini.id, kind="initiative", title=ini.name, departments=ini.departments,
            field=f"【分野{ini.field_no}】{ini.field_name}", viewpoint=ini.viewpoint, goal=ini.goal,
            years=ini.statuses[0].years, department_years={s.department: s.years for s in ini.statuses},
            quote=ini.quote, location=f"{page(ini.page)}{self.plan.source} {ini.line}行目（2.5 具体的な取組）",
            page=ini.page, line=ini.line,
        )

    def cite_kpi(self, kpi: KPI) -> Citation:
        """The citation of a KPI."""
        return Citation(
            id=kpi.id, kind="kpi", title=kpi.label, field=f"【分野{kpi.field_no}】{kpi.field_name}",
            viewpoint=kpi.viewpoint, quote=f"{kpi.label} {kpi.target}",
            location=f"{page(kpi.page)}{self.plan.source} {kpi.line}行目（3.1 重要業績評価指標(KPI)の設定）",
            page=kpi.page, line=kpi.line,
        )

    def cite_section(self, sec: Section, quote: str) -> Citation:
        """The citation of a narrative section with the quoted passage."""
        return Citation(
            id=sec.id, kind="section", title=" › ".join(p for p in sec.path + [sec.title] if p), quote=quote,
            location=f"{page(sec.page)}{self.plan.source} {sec.line}行目付近（{sec.title}）", page=sec.page, line=sec.line,
        )

    def years_line(self, ini: Initiative, en: bool, years: list[int] | None = None) -> list[str]:
        """One line per department with its statuses for the years asked (all four by default)."""
        years = years or list(YEARS)
        lines = []
        for st in ini.statuses:
            parts = [f"{'FY' if en else ''}{y}{'' if en else '年度'} {fmt_status(st.years[y], en)}" for y in years]
            prefix = f"{st.department}: " if len(ini.statuses) > 1 or en else ""
            lines.append(prefix + " / ".join(parts))
        return lines

    def year_status(self, ini: Initiative, year: int, en: bool) -> str:
        """One year's status; per department when the departments differ."""
        values = {st.department: st.years[year] for st in ini.statuses}
        if len(set(values.values())) == 1:
            return f"{year}: {fmt_status(next(iter(values.values())), en)}"
        return f"{year}: " + ", ".join(f"{d} {fmt_status(v, en)}" for d, v in values.items())


def en_count(n: int, noun: str) -> str:
    """「7 initiatives (7件)」: an English count with the plan's own counter, as staff quote it in Japanese papers."""
    return f"{n} {noun.removesuffix('s') if n == 1 else noun} ({n}{'課' if noun.startswith('department') else '件'})"
