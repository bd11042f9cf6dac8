"""HTML of one answer: text with [n] source markers, scannable list tables, its own sources and passages.

Every value that comes from the plan or the user is escaped with html.escape; nothing here runs code.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from html import escape as E
from pathlib import Path
from urllib.parse import quote

from .models import YEARS, Answer, Citation
from .spreadsheet import csv_row

STATIC = Path(__file__).parent / "static"
TEXT = json.loads((STATIC / "ui-text.json").read_text(encoding="utf-8"))
FIRST_SOURCES = 5  # sources shown before 「すべて表示」


def label(lang: str, key: str, **values: object) -> str:
    """A UI label in the answer's language, filled in."""
    table = TEXT["labels"].get(lang) or TEXT["labels"]["ja"]
    return table[key].format(**values)


def department(dep: str, lang: str) -> str:
    """A department name; in English with its English gloss after the Japanese name."""
    gloss = TEXT["departments_en"].get(dep) if lang == "en" else None
    return f"{E(dep)} <span class=\"gloss\">({E(gloss)})</span>" if gloss else E(dep)


def departments(deps: list[str], lang: str) -> str:
    """Several departments, joined the way the language joins them."""
    return ("、" if lang == "ja" else ", ").join(department(d, lang) for d in deps)


def anchor(turn: int, n: int) -> str:
    """The id of source n of a turn."""
    return f"src-{turn}-{n}"


def where(c: Citation, lang: str) -> str:
    """Page, line and section of a citation: 「p.12・359行目・2.5 具体的な取組」."""
    parts = []
    if c.page:
        parts.append(label(lang, "page", p=c.page))
    if c.line:
        parts.append(label(lang, "line", l=c.line))
    section = re.search(r"（([^（）]+)）$", c.location)
    if section:
        parts.append(section.group(1))
    return "・".join(E(p) for p in parts) or E(c.location)


def fiscal_year(year: int, lang: str) -> str:
    """「2026年度」 as a column head; on a phone only 「2026」 shows (the suffix is hidden by CSS)."""
    return f'{year}<span class="fy">年度</span>' if lang == "ja" else E(label(lang, "fy", y=year))


def year_table(c: Citation, lang: str) -> str:
    """Every department of an initiative with its status in each fiscal year."""
    head = "".join(f'<th scope="col">{fiscal_year(y, lang)}</th>' for y in YEARS)
    rows = "".join(
        f'<tr><th scope="row">{department(dep, lang)}</th>'
        + "".join(f"<td>{E(years.get(y) or label(lang, 'no_plan'))}</td>" for y in YEARS) + "</tr>"
        for dep, years in c.department_years.items()
    )
    return (f'<div class="scroll"><table class="years"><thead><tr><th scope="col">{E(label(lang, "department"))}'
            f"</th>{head}</tr></thead><tbody>{rows}</tbody></table></div>")


def passage(c: Citation, lang: str) -> str:
    """What the plan says at a source: the full row as a table, the KPI target, or the section's paragraph."""
    path = " › ".join(E(p) for p in (c.field, c.viewpoint, c.goal) if p)
    out = [f'<p class="path"><span class="k">{E(label(lang, "path"))}:</span> {path}</p>' if path else ""]
    if c.kind == "initiative" and c.department_years:
        out.append(year_table(c, lang))
    elif c.kind == "kpi":
        target = c.quote[len(c.title):].strip() if c.quote.startswith(c.title) else c.quote
        out.append(f'<p><span class="k">{E(label(lang, "kpi_target"))}:</span> <strong>{E(target)}</strong></p>')
    else:
        out.append(f'<blockquote class="quote">{E(c.quote)}</blockquote>')
    out.append(f'<p class="where">{where(c, lang)}</p>')
    return "".join(out)


def source_item(c: Citation, n: int, turn: int, lang: str) -> str:
    """One numbered source: its title and place, opening to the passage (a <details>, so it works without JS)."""
    deps = f' <span class="deps">{departments(c.departments, lang)}</span>' if c.departments else ""
    return (f'<li id="{anchor(turn, n)}" data-id="{E(c.id)}"><details><summary><span class="num">[{n}]</span> '
            f'<span class="title">{E(c.title)}</span>{deps} <span class="page">{where(c, lang)}</span></summary>'
            f'<div class="passage">{passage(c, lang)}</div></details></li>')


def sources_html(citations: list[Citation], turn: int, lang: str) -> str:
    """The answer's own compact source list; past the first few, a 「すべて表示 (n)」 toggle."""
    if not citations:
        return ""
    items = [source_item(c, n, turn, lang) for n, c in enumerate(citations, 1)]
    head, rest = items[:FIRST_SOURCES], items[FIRST_SOURCES:]
    more = (f'<details class="more"><summary>{E(label(lang, "show_all", n=len(items)))}</summary>'
            f'<ol start="{FIRST_SOURCES + 1}">{"".join(rest)}</ol></details>') if rest else ""
    title = E(label(lang, "sources"))
    return (f'<section class="sources" aria-label="{title}"><h3>{title}</h3>'
            f'<ol>{"".join(head)}</ol>{more}</section>')


def marker(turn: int, n: int, lang: str) -> str:
    """A clickable [n] that opens source n of the turn."""
    return (f'<a class="ref" href="#{anchor(turn, n)}" aria-label="{E(label(lang, "marker", n=n))}">[{n}]</a>')


def assign(lines: list[str], citations: list[Citation]) -> dict[int, list[int]]:
    """Which line each citation's marker goes on: where its 「title」 is quoted, else where it is named, else line 0."""
    found: dict[int, list[int]] = {}
    for n, c in enumerate(citations, 1):
        names = [f"「{c.title}」", c.title, c.title.split(" › ")[-1]]
        at = next((i for name in names for i, line in enumerate(lines) if name and name in line), 0)
        found.setdefault(at, []).append(n)
    return found


@dataclass
class Row:
    """One item of a list answer: its source number, citation and the rest of its line (status, 新規 …)."""

    n: int
    c: Citation
    tail: str


@dataclass
class Block:
    """A run of answer lines: a paragraph, or a group of list items under an optional ■ heading."""

    heading: str = ""
    rows: list[Row] = field(default_factory=list)
    lines: list[tuple[str, list[int]]] = field(default_factory=list)


def tail_of(line: str, c: Citation) -> str:
    """What a list line says besides the initiative's name and departments: 「2026: 新規導入」, 「新規」, 「95%以上」."""
    rest = line.lstrip("・ ").replace(f"「{c.title}」", "", 1)
    if rest == line.lstrip("・ "):
        rest = rest.replace(c.title, "", 1)
    for sep in ("、", ", "):
        rest = rest.replace(f"（{sep.join(c.departments)}）", "", 1)
    return rest.strip(" :：").strip().removeprefix("[").removesuffix("]").strip("（）")


def blocks(text: str, citations: list[Citation]) -> list[Block]:
    """The answer text cut into paragraphs and groups of list items, each item bound to its citation."""
    lines = text.split("\n")
    marks = assign(lines, citations)
    out: list[Block] = [Block()]
    for i, line in enumerate(lines):
        nums = marks.get(i, [])
        if line.startswith("■"):
            out.append(Block(heading=line.lstrip("■ ").strip()))
        elif line.startswith("・") and len(nums) == 1 and i > 0:
            if out[-1].lines and not out[-1].rows:
                out.append(Block())
            out[-1].rows.append(Row(nums[0], citations[nums[0] - 1], tail_of(line, citations[nums[0] - 1])))
        else:
            if out[-1].rows or out[-1].heading:
                out.append(Block())
            out[-1].lines.append((line, nums))
    return [b for b in out if b.rows or b.lines or b.heading]


def status_html(tail: str) -> str:
    """A status like 「2026: 料金センター 新規導入, 保険年金課 検討」; each part kept on one line (「新規実 / 施」 never splits)."""
    return ", ".join(f'<span class="nw">{E(part)}</span>' for part in tail.split(", ") if part)


def uniform(values: list[str]) -> str:
    """The one value every row shares (when there are at least two rows), else ''."""
    return values[0] if len(values) > 1 and values[0] and len(set(values)) == 1 else ""


def shared(rows: list[Row], lang: str) -> tuple[str, str]:
    """The department and the status every row shares (as HTML), or '' for each that differs."""
    return (uniform([departments(r.c.departments, lang) for r in rows]),
            uniform([status_html(r.tail) for r in rows]))


def once(dep: str, status: str, lang: str) -> str:
    """「担当課: 産業政策課」「状況: 2026: 新規導入」 said once instead of on every row."""
    notes = [E(label(lang, "dept_once", d="§")).replace("§", dep) if dep else "",
             E(label(lang, "status_once", s="§")).replace("§", f'<span class="status">{status}</span>') if status else ""]
    return "".join(f'<p class="once">{x}</p>' for x in notes if x)


def group_table(b: Block, turn: int, lang: str, said: tuple[str, str]) -> str:
    """A ■ group as a table; a department or status the group shares (or the whole list, `said`) is said once."""
    deps = [departments(r.c.departments, lang) for r in b.rows]
    tails = [status_html(r.tail) for r in b.rows]
    same_dep, same_tail = shared(b.rows, lang)
    same_dep, same_tail = ("" if said[0] else same_dep), ("" if said[1] else same_tail)
    show_dep = not (said[0] or same_dep) and any(deps)
    show_tail = not (said[1] or same_tail) and any(tails)
    head = f'<th scope="col">{E(label(lang, "initiative"))}</th>'
    head += f'<th scope="col">{E(label(lang, "department"))}</th>' if show_dep else ""
    head += f'<th scope="col">{E(label(lang, "status"))}</th>' if show_tail else ""
    rows = "".join(
        f'<tr><td>{E(r.c.title)} {marker(turn, r.n, lang)}</td>'
        + (f"<td>{d}</td>" if show_dep else "") + (f'<td class="status">{t}</td>' if show_tail else "") + "</tr>"
        for r, d, t in zip(b.rows, deps, tails, strict=True))
    heading = f"<h3>{E(b.heading)}</h3>" if b.heading else ""
    return (f'<div class="group">{heading}{once(same_dep, same_tail, lang)}<div class="scroll"><table class="list">'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div></div>")


def paragraph(line: str, nums: list[int], turn: int, lang: str, first: bool) -> str:
    """One line of answer text with its markers; the first line is the headline."""
    marks = "".join(" " + marker(turn, n, lang) for n in nums)
    cls = "headline" if first else "line"
    return f'<p class="{cls}">{E(line)}{marks}</p>' if line.strip() or marks else ""


def body_html(answer: Answer, turn: int) -> str:
    """The answer text with markers; list items become tables grouped as the answer groups them."""
    found = blocks(answer.text, answer.citations)
    groups = [b for b in found if b.rows]
    said = shared([r for b in groups for r in b.rows], answer.language) if len(groups) > 1 else ("", "")
    parts, first = [], True
    for b in found:
        if b is (groups[0] if groups else None):
            parts.append(once(*said, answer.language))  # what every row of the whole list shares, said once
        if b.rows:
            parts.append(group_table(b, turn, answer.language, said))
        elif b.heading:
            parts.append(f"<h3>{E(b.heading)}</h3>")
        for line, nums in b.lines:
            parts.append(paragraph(line, nums, turn, answer.language, first))
            first = False
    return "".join(parts)


def list_rows(answer: Answer) -> list[Citation]:
    """The initiatives and KPIs an answer lists (for the CSV), when it is a list of three or more."""
    rows = [r.c for b in blocks(answer.text, answer.citations) for r in b.rows]
    return rows if len(rows) >= 3 else []


def csv_text(rows: list[Citation]) -> str:
    """The listed records as CSV for staff (every cell safe in Excel): name, departments, place, statuses, page, line."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(csv_row(["ID", "取組・KPI", "担当課", "分野", "視点", "○目標", *[f"{y}年度" for y in YEARS], "ページ", "行"]))
    for c in rows:
        years = [" / ".join(f"{d}: {ys.get(y) or '—'}" for d, ys in c.department_years.items()) for y in YEARS]
        w.writerow(csv_row([c.id, c.title, "、".join(c.departments), c.field, c.viewpoint, c.goal, *years,
                            c.page or "", c.line or ""]))
    return buf.getvalue()


def list_view_link(answer: Answer) -> str:
    """「この条件で一覧を開く」: the list view with exactly the rows of a list answer (when it can show them)."""
    if not answer.list_url:
        return ""
    return f'<p class="tolist"><a href="{E(answer.list_url)}">{E(label(answer.language, "open_list"))}</a></p>'


def csv_link(answer: Answer) -> str:
    """A download link (data: URL, so it needs no server route and no JS) for a list answer."""
    rows = list_rows(answer)
    if not rows:
        return ""
    href = "data:text/csv;charset=utf-8," + quote("\ufeff" + csv_text(rows))
    return (f'<a class="csv" download="kanazawa-dx-list.csv" href="{E(href)}">'
            f'{E(label(answer.language, "csv"))}</a>')
