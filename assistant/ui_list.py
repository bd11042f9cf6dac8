"""The 「取組一覧」 page: the plan's initiatives as a table staff filter, sort, link to and download.

Plain HTML from the server (a GET form, links for sorting): every filter lives in the URL, it works by keyboard
and without JavaScript, and it lists exactly what GET /api/initiatives lists (both go through catalogue.py).
Every value from the plan or the URL is escaped with html.escape.
"""

from __future__ import annotations

from html import escape as E
from urllib.parse import urlencode

from pydantic import ValidationError

from .catalogue import STATUS_CHOICES, InitiativeFilter, InitiativeList, InitiativeRow, initiatives
from .errors import UnknownFilterError
from .models import YEARS, Plan
from .ui_render import STATIC
from .ui_render import TEXT as UI_TEXT

CSS = (STATIC / "list.css").read_text(encoding="utf-8")
FILTERS = ("field", "department", "new", "year", "status", "text")
SORTS = {"plan": lambda r: 0, "name": lambda r: r.name, "field": lambda r: r.field,
         "department": lambda r: r.departments[0].department, "new": lambda r: not r.new}
TEXT = UI_TEXT["list"]  # the page's labels, Japanese and English, with the chat's in static/ui-text.json


def t(lang: str, key: str, **values: object) -> str:
    """A label of the page in its language, filled in."""
    return TEXT[lang][key].format(**values)


def read(params: dict[str, str]) -> tuple[InitiativeFilter, str, str, str]:
    """The filters, sort and language from the URL; a value that cannot be read becomes an error message."""
    lang = "en" if params.get("lang") == "en" else "ja"
    sort = params.get("sort") if params.get("sort") in SORTS else "plan"
    given = {k: v for k, v in params.items() if k in FILTERS and v != ""}
    try:
        return InitiativeFilter.model_validate(given), sort, lang, ""
    except ValidationError as exc:
        bad = "、".join(dict.fromkeys(t(lang, str(e["loc"][-1])) for e in exc.errors()))
        return InitiativeFilter(), sort, lang, t(lang, "unreadable", what=bad)


def options(values: list[tuple[str, str]], chosen: str | None, lang: str) -> str:
    """<option>s with 「すべて」 first and the chosen one selected."""
    out = [f'<option value="">{E(t(lang, "any"))}</option>']
    out += [f'<option value="{E(v)}"{" selected" if v == chosen else ""}>{E(shown)}</option>' for v, shown in values]
    return "".join(out)


def form(plan: Plan, f: InitiativeFilter, sort: str, lang: str) -> str:
    """The filter form (GET, so the URL holds the view)."""
    fields = [(str(n), f"{n} {name}") for n, name in sorted(plan.fields.items())]
    deps = [(d, d) for d in sorted(plan.departments)]
    years = [(str(y), t(lang, "fy", y=y)) for y in YEARS]
    statuses = [(s, s) for s in STATUS_CHOICES]
    select = [("field", fields, str(f.field) if f.field else None), ("department", deps, f.department),
              ("year", years, str(f.year) if f.year else None), ("status", statuses, f.status)]
    boxes = "".join(f'<label>{E(t(lang, name))}<select name="{name}">{options(vals, chosen, lang)}</select></label>'
                    for name, vals, chosen in select)
    return (f'<form class="filters" method="get" action="list">{boxes}'
            f'<label class="check"><input type="checkbox" name="new" value="true"{" checked" if f.new else ""}> '
            f'{E(t(lang, "new"))}</label>'
            f'<label>{E(t(lang, "text"))}<input type="search" name="text" maxlength="100" value="{E(f.text or "")}">'
            f'</label><input type="hidden" name="sort" value="{E(sort)}"><input type="hidden" name="lang" value="{lang}">'
            f'<div class="actions"><button type="submit">{E(t(lang, "apply"))}</button>'
            f'<a href="list?lang={lang}">{E(t(lang, "reset"))}</a></div></form>')


def query_of(f: InitiativeFilter, **extra: str) -> str:
    """The URL query of the filters given (and extra parameters)."""
    given = {k: ("true" if v is True else "false" if v is False else str(v))
             for k, v in f.model_dump(include=set(FILTERS)).items() if v is not None}
    return urlencode(given | extra)


def said(f: InitiativeFilter, plan: Plan, lang: str) -> str:
    """The conditions said back in words (the list's first line)."""
    parts = [f"{t(lang, 'field')} {f.field} {plan.fields.get(f.field, '')}".strip()] if f.field else []
    parts += [f"{t(lang, 'department')} {f.department}"] if f.department else []
    parts += [t(lang, "new")] if f.new else []
    if f.status or f.year:
        when = t(lang, "fy", y=f.year) if f.year else ""
        parts.append(f"{when} {t(lang, 'status')} {f.status or '—以外'}".strip())
    parts += [f"{t(lang, 'text')}「{f.text}」"] if f.text else []
    return t(lang, "conditions", c="、".join(parts) if parts else t(lang, "all_rows"))


def head(f: InitiativeFilter, sort: str, lang: str) -> str:
    """Column heads; the sortable ones are links that keep the filters (aria-sort on the sorted one)."""
    def th(key: str, text: str) -> str:
        current = ' aria-sort="ascending"' if sort == key else ""
        return f'<th scope="col"{current}><a href="list?{E(query_of(f, sort=key, lang=lang))}">{E(text)}</a></th>'

    years = "".join(f'<th scope="col">{E(t(lang, "fy", y=y))}</th>' for y in YEARS)
    return (f"<thead><tr>{th('name', t(lang, 'name'))}{th('new', t(lang, 'new_mark'))}{th('field', t(lang, 'field'))}"
            f"{th('department', t(lang, 'department'))}{years}</tr></thead>")


def row_html(r: InitiativeRow, lang: str) -> str:
    """One initiative: its name links to its card in the chat (the same numbered sources), then its lines."""
    ask = urlencode({"q": t(lang, "ask", name=r.name), "source": r.id})
    name = f'<a href="./?{E(ask)}" title="{E(t(lang, "open"))}">{E(r.name)}</a>'
    deps = "<br>".join(E(d.department) for d in r.departments)
    years = "".join(f'<td data-label="{E(t(lang, "fy", y=y))}">'
                    + "<br>".join(E(d.years[str(y)]) for d in r.departments) + "</td>" for y in YEARS)
    return (f'<tr><th scope="row" data-label="{E(t(lang, "name"))}">{name}</th>'
            f'<td data-label="{E(t(lang, "new_mark"))}">{E(t(lang, "new_mark")) if r.new else ""}</td>'
            f'<td data-label="{E(t(lang, "field"))}">{r.field} {E(r.field_name)}</td>'
            f'<td data-label="{E(t(lang, "department"))}">{deps}</td>{years}</tr>')


def table(found: InitiativeList, f: InitiativeFilter, sort: str, lang: str) -> str:
    """The rows, sorted as asked (ties in plan order)."""
    if not found.items:
        return f'<p class="none">{E(t(lang, "none"))}</p>'
    rows = sorted(found.items, key=SORTS[sort])
    return (f'<div class="scroll"><table class="rows">{head(f, sort, lang)}<tbody>'
            f'{"".join(row_html(r, lang) for r in rows)}</tbody></table></div>')


def page(plan: Plan, params: dict[str, str]) -> str:
    """The whole page for the URL's filters."""
    f, sort, lang, problem = read(params)
    found = InitiativeList(count=0, items=[])  # a filter that cannot be read lists nothing rather than everything
    try:
        found = found if problem else initiatives(plan, f)
    except UnknownFilterError as exc:
        problem = exc.message_en if lang == "en" else exc.message_ja
    other = "en" if lang == "ja" else "ja"
    csv = f"api/initiatives?{E(query_of(f, format='csv', lang=lang))}"
    alert = f'<p class="problem" role="alert">{E(problem)}</p>' if problem else ""
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{E(t(lang, 'title'))} — 金沢市DXアクションプラン2.0</title><style>{CSS}</style></head><body>"
            f'<header><a class="back" href="./">{E(t(lang, "chat"))}</a>'
            f'<a class="lang" href="list?{E(query_of(f, sort=sort, lang=other))}" lang="{other}">{E(t(lang, "lang"))}</a>'
            f'</header><main><h1>{E(t(lang, "title"))}</h1><p class="lead">{E(t(lang, "lead"))}</p>'
            f'{form(plan, f, sort, lang)}{alert}'
            f'<div class="summary" aria-live="polite"><p class="count"><strong>{E(t(lang, "count", n=found.count))}</strong>'
            f' <span class="said">{E(said(f, plan, lang))}</span></p>'
            f'<a class="csv" href="{csv}" download>{E(t(lang, "csv"))}</a></div>'
            f"{table(found, f, sort, lang)}</main></body></html>")
