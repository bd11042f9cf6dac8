"""Parse the plan text in corpus/ into typed records (pure functions)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

from .errors import CorpusError
from .models import KPI, Goal, Initiative, Plan, Section
from .plan_tables import parse_kpis, parse_tables
from .text import tokens

SECTION_RE = re.compile(r"^(\d)\.(\d)\.\s*(.+)$")
CHAPTER_RE = re.compile(r"^(\d) (\S+)$")
INDEX_RE = re.compile(r"^\d\.\d\.\s*(\S.*?)\t\s*(\d{1,2})\s*$")
VIEW_HEAD_RE = re.compile(r"^【視点(\d)】\s*(.+)$")
FIELD_HEAD_RE = re.compile(r"^【分野(\d)】\s*(\S+)$")
NARRATIVE_NOISE = re.compile(r"^(DXアクションプラン(2\.0)?|継続|インデックス|\d{1,2})$")


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The plan text files in the corpus folder, sorted."""
    files = sorted(p for p in Path(corpus_dir).glob("*.txt") if p.is_file())
    if not files:
        raise CorpusError(f"{corpus_dir} にプラン本文 (*.txt) が見つかりません。")
    return files


def corpus_hash(corpus_dir: Path) -> str:
    """SHA-256 over the names and bytes of every corpus file."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_plan(corpus_dir: Path) -> Plan:
    """Read and parse the (newest) plan text in the corpus folder."""
    path = corpus_files(corpus_dir)[-1]
    return parse_plan(path.read_text(encoding="utf-8"), source=path.name)


def _section_blocks(lines: list[tuple[int, str]]) -> Iterator[tuple[list[str], int, str]]:
    """(heading path, first line, text line) for every narrative line, in order."""
    chapter, section = "", ""
    for lineno, raw in lines:
        line = raw.strip()
        if not line:
            continue
        if m := CHAPTER_RE.match(line):
            chapter = f"{m.group(1)} {m.group(2)}"
            continue
        if m := SECTION_RE.match(line):
            section = f"{m.group(1)}.{m.group(2)} {m.group(3).strip()}"
            continue
        if NARRATIVE_NOISE.match(line) or not section:
            continue
        yield [chapter, section], lineno, line.replace("**", "")


def _parse_sections(lines: list[tuple[int, str]], colophon: list[tuple[int, str]]) -> list[Section]:
    """Narrative sections; the same heading on several pages is one section."""
    merged: dict[str, dict] = {}
    for path, lineno, text in _section_blocks(lines):
        key = path[1]
        entry = merged.setdefault(key, {"path": path, "line": lineno, "lines": []})
        if text not in entry["lines"]:
            entry["lines"].append(text)
    sections = [
        Section(
            id="S" + key.split(" ")[0],
            path=entry["path"],
            title=key.split(" ", 1)[1],
            text="\n".join(entry["lines"]),
            line=entry["line"],
        )
        for key, entry in merged.items()
    ]
    colophon_lines = [t.strip() for _, t in colophon if t.strip()]
    if colophon_lines:
        sections.append(
            Section(
                id="S-colophon",
                path=["奥付"],
                title="策定・発行",
                text="\n".join(colophon_lines),
                line=colophon[0][0],
            )
        )
    return sections


def _split_parts(text: str) -> dict[str, list[tuple[int, str]]]:
    """Split the document into narrative, tables, KPI and colophon parts (1-based line numbers)."""
    parts: dict[str, list[tuple[int, str]]] = {"narrative": [], "tables": [], "kpi": [], "colophon": []}
    part = "front"
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if part == "front" and stripped == "1 趣旨":
            part = "narrative"
        elif part == "narrative" and stripped == "2.5. 具体的な取組":
            part = "tables"
        elif part == "tables" and stripped == "3 成果の測定":
            part = "kpi"
        elif part == "kpi" and stripped.startswith("金沢市DXアクションプラン"):
            part = "colophon"
        if part in parts:
            parts[part].append((lineno, line))
    return parts


def parse_plan(text: str, source: str = "plan.txt") -> Plan:
    """Parse the whole plan text into initiatives, KPIs and narrative sections."""
    parts = _split_parts(text)
    if not parts["tables"]:
        raise CorpusError("プラン本文に「2.5. 具体的な取組」の表が見つかりません。")
    state = parse_tables(parts["tables"])
    kpis, kpi_issues = parse_kpis(parts["kpi"])
    pages = _pages(text)
    initiatives = [Initiative(id=f"I{i + 1:02d}", page=pages.get(row["line"]), **row) for i, row in enumerate(state.rows)]
    kpi_lines = parts["kpi"]
    narrative = parts["narrative"] + [(n, t) for n, t in kpi_lines if t.strip().startswith(("3 成果", "3.1.", "2029年度末", "※"))]
    kpis = [k.model_copy(update={"page": pages.get(k.line)}) for k in kpis]
    sections = _parse_sections(narrative, parts["colophon"]) + _structure_sections(parts["narrative"])
    sections = [s.model_copy(update={"page": pages.get(s.line)}) for s in sections]
    link_kpis(initiatives, kpis)
    return Plan(
        initiatives=initiatives,
        kpis=kpis,
        sections=sections,
        fields=state.fields,
        source=source,
        goals=_goals(initiatives, state.goal_lines, pages),
        issues=state.issues + kpi_issues,
    )


def _pages(text: str) -> dict[int, int]:
    """The printed page of every line: the index gives each section's first page, a repeated heading a new page."""
    index = {m.group(1).strip(): int(m.group(2)) for line in text.splitlines() if (m := INDEX_RE.match(line))}
    pages: dict[int, int] = {}
    page, seen = 0, set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if (m := SECTION_RE.match(line.strip())) and not INDEX_RE.match(line):
            key = m.group(3).strip()
            page = page + 1 if key in seen else index.get(key, page + 1)
            seen.add(key)
        if page:
            pages[lineno] = page
    return pages


def _goals(initiatives: list[Initiative], lines: dict[tuple[int, str, str], int], pages: dict[int, int]) -> list[Goal]:
    """The ○ goals in plan order, each with the initiatives listed under it."""
    goals: list[Goal] = []
    for (field_no, viewpoint, title), lineno in sorted(lines.items(), key=lambda kv: kv[1]):
        members = [i for i in initiatives if (i.field_no, i.viewpoint, i.goal) == (field_no, viewpoint, title)]
        if members:
            goals.append(Goal(id=f"G{len(goals) + 1:02d}", field_no=field_no, field_name=members[0].field_name,
                              viewpoint=viewpoint, title=title, initiative_ids=[i.id for i in members],
                              line=lineno, page=pages.get(lineno)))
    return goals


def _structure_sections(lines: list[tuple[int, str]]) -> list[Section]:
    """2.4's two viewpoints (視点) and five fields (分野) as their own records, with their bullet points."""
    views: dict[str, list[str]] = {}
    fields: dict[str, list[str]] = {}
    first: dict[str, int] = {}
    current: list[str] | None = None
    for lineno, raw in lines:
        line = raw.strip()
        if m := VIEW_HEAD_RE.match(line):
            current = views.setdefault(f"【視点{m.group(1)}】{m.group(2).strip()}", [])
            first.setdefault("views", lineno)
        elif m := FIELD_HEAD_RE.match(line):
            current = fields.setdefault(f"【分野{m.group(1)}】{m.group(2)}", [])
            first.setdefault("fields", lineno)
        elif SECTION_RE.match(line) or (line == "DXアクションプラン" and current):
            current = None  # a new page, or the former plan's column beside this one
        elif current is not None and line and not NARRATIVE_NOISE.match(line):
            current.append(line.lstrip("-・ ").strip())
    out = []
    for key, title, items in (("views", "取組の方向性（2つの視点）", views), ("fields", "取組の方向性（5つの分野）", fields)):
        if items:
            body = "\n".join(f"{head}: {' '.join(b)}" if b else head for head, b in items.items())
            out.append(Section(id=f"S2.4-{key}", path=["2 取組", "2.4 取組の方向性"], title=title, text=body,
                               line=first[key]))
    return out


def link_kpis(initiatives: list[Initiative], kpis: list[KPI]) -> None:
    """Link each KPI to the initiatives of its field whose names share its rarest words (in place)."""
    names = {i.id: {t for t in tokens(i.name) if len(t) > 1} for i in initiatives}
    for k in kpis:
        label = {t for t in tokens(re.sub(r"\(累計\)|数$|率$", "", k.label)) if len(t) > 1}
        quoted = set(re.findall(r"「(.+?)」", k.label))
        scored = []
        for ini in initiatives:
            if ini.field_no != k.field_no:
                continue
            shared = len(label & names[ini.id]) + 2 * len(quoted & set(re.findall(r"「(.+?)」", ini.name)))
            scored.append((shared, ini))
        best = max((s for s, _ in scored), default=0)
        chosen = [ini for s, ini in scored if s >= best - 1e-9]
        if best >= 2 and len(chosen) <= 2:  # a label shared by many rows (生成AI) measures none of them alone
            k.initiative_ids = [i.id for i in chosen]
            for ini in chosen:
                ini.kpi_ids.append(k.id)
