"""The documents of the index: one per initiative, KPI and ○ goal, and sentence chunks of each section."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Plan
from .text import sentences


@dataclass(frozen=True)
class Doc:
    """One indexed document: the text embedded, its record and metadata."""

    id: str
    record_id: str
    kind: str
    text: str
    metadata: dict


def initiative_docs(plan: Plan) -> list[Doc]:
    """One document per initiative: name, departments, field, viewpoint, goal, statuses."""
    docs = []
    for ini in plan.initiatives:
        statuses = " / ".join(
            f"{s.department} " + " ".join(f"{y}:{v or '—'}" for y, v in s.years.items()) for s in ini.statuses
        )
        text = f"{ini.name}（担当: {'、'.join(ini.departments)}）{ini.field_name} {ini.viewpoint} {ini.goal} {statuses}"
        meta = {
            "kind": "initiative",
            "record_id": ini.id,
            "departments": ini.departments,
            "field": ini.field_no,
            "new": ini.new,
        }
        for year in (2026, 2027, 2028, 2029):
            meta[f"status_{year}"] = [s.years[year] or "—" for s in ini.statuses]
        docs.append(Doc(ini.id, ini.id, "initiative", text, meta))
    return docs


def kpi_docs(plan: Plan) -> list[Doc]:
    """One document per KPI."""
    return [
        Doc(
            k.id,
            k.id,
            "kpi",
            f"KPI {k.label} 目標 {k.target}（{k.target_year}）{k.field_name} {k.viewpoint}",
            {"kind": "kpi", "record_id": k.id, "field": k.field_no, "cumulative": k.cumulative},
        )
        for k in plan.kpis
    ]


def goal_docs(plan: Plan) -> list[Doc]:
    """One document per ○ goal: its title, field, viewpoint and the names of its initiatives."""
    names = {i.id: i.name for i in plan.initiatives}
    return [
        Doc(g.id, g.id, "goal",
            f"○ {g.title}（{g.field_name} {g.viewpoint}）: " + "、".join(names[i] for i in g.initiative_ids),
            {"kind": "goal", "record_id": g.id, "field": g.field_no})
        for g in plan.goals
    ]


def section_docs(plan: Plan, max_chars: int = 220) -> list[Doc]:
    """Narrative sections cut into chunks of whole sentences, each prefixed with its heading."""
    docs = []
    for sec in plan.sections:
        chunk: list[str] = []
        pieces = sentences(sec.text)
        for i, sentence in enumerate(pieces):
            chunk.append(sentence)
            if sum(map(len, chunk)) >= max_chars or i == len(pieces) - 1:
                n = sum(1 for d in docs if d.record_id == sec.id)
                docs.append(
                    Doc(
                        f"{sec.id}#{n}",
                        sec.id,
                        "section",
                        f"{sec.title}: " + " ".join(chunk),
                        {"kind": "section", "record_id": sec.id, "title": sec.title},
                    )
                )
                chunk = []
    return docs


def plan_docs(plan: Plan) -> list[Doc]:
    """Every document of the index, in a stable order."""
    return initiative_docs(plan) + kpi_docs(plan) + goal_docs(plan) + section_docs(plan)
