"""One initiative as a card: departments, place in the plan, each year's status and its KPI; or candidates."""

from __future__ import annotations

from dataclasses import replace

from ..models import Initiative
from .base import Draft, Records, fmt_status, join_ja


def kpi_lines(r: Records, ini: Initiative, en: bool) -> list[str]:
    """The KPI(s) the plan sets for an initiative."""
    out = []
    for kid in ini.kpi_ids:
        k = r.kpis[kid]
        if en:
            out.append(f"KPI: 「{k.label}」 target {k.target} by the end of FY2029.")
        else:
            out.append(f"関連KPI: 「{k.label}」 {k.target}（{k.target_year}の目標）")
    return out


def card(r: Records, inis: list[Initiative], en: bool, kind: str = "who", years: list[int] | None = None,
         others: list[Initiative] | None = None) -> Draft:
    """Departments, place in the plan, yearly statuses and KPI of one (or a few same-department) initiative(s)."""
    lines = []
    for ini in inis:
        deps = ini.departments
        for st in ini.statuses if years else []:  # the year asked about comes first
            for y in years:
                status = fmt_status(st.years[y], en)
                lines.append(f"In FY{y}, 「{ini.name}」 ({st.department}) is planned as: {status}." if en
                             else f"「{ini.name}」（{st.department}）の{y}年度の予定は「{status}」です。")
        if en:
            lines.append(f"「{ini.name}」 is run by {', '.join(deps)}"
                         f" (Field {ini.field_no} {ini.field_name}{', new in this plan' if ini.new else ''}).")
        else:
            who = join_ja(deps) + (f"の{len(deps)}課" if len(deps) > 1 else "")
            lines.append(f"「{ini.name}」の担当は{who}です。" + ("（プラン2.0の新規取組）" if ini.new else ""))
            lines.append(f"位置づけ: 【分野{ini.field_no}】{ini.field_name} › {ini.viewpoint} › {ini.goal}")
        label = "Status by fiscal year" if en else "年度別の予定"
        lines += [f"{label}: {line}" for line in r.years_line(ini, en)]
        lines += kpi_lines(r, ini, en)
    cites = [r.cite_initiative(i) for i in inis] + [r.cite_kpi(r.kpis[k]) for i in inis for k in i.kpi_ids]
    if others:
        names = "; ".join(f"「{o.name}」 ({', '.join(o.departments)})" for o in others) if en else \
            join_ja([f"「{o.name}」（{join_ja(o.departments)}）" for o in others])
        lines.append(f"Other initiatives that may match: {names}" if en else f"ほかに近い取組: {names}")
        cites += [r.cite_initiative(o) for o in others]
    return Draft("\n".join(lines), kind, cites, subjects=[i.id for i in inis])


def candidates(r: Records, inis: list[Initiative], en: bool, sure: bool) -> Draft:
    """Several initiatives match (sure: equally well; else only loosely, so not an answer): list them."""
    if sure:
        head = "Several initiatives match your question equally well:" if en else "ご質問に同じくらい当てはまる取組が複数あります。"
    else:
        head = ("I could not find an initiative that clearly matches. The closest ones in the plan are:" if en
                else "はっきり該当する取組は見つかりませんでした。近い取組は次のとおりです。")
    lines = [head] + [f"・「{i.name}」（{join_ja(i.departments)}）" for i in inis[:5]]
    lines.append("Please tell me which one you mean." if en else "どの取組についてお知りになりたいか教えてください。")
    return Draft("\n".join(lines), "candidates", [r.cite_initiative(i) for i in inis[:5]], grounded=sure)


def same_departments(pair: list[Initiative], en: bool) -> str:
    """Whether two rows share a department, in one line from both rows' departments (「AとBは同じ課？」)."""
    a, b = pair
    shared = [d for d in a.departments if d in b.departments]
    if set(a.departments) == set(b.departments):
        return f"Yes: both are run by {', '.join(shared)}." if en else f"はい、どちらも{join_ja(shared)}の担当です。"
    if shared:
        return (f"Partly: {', '.join(shared)} is in charge of both." if en
                else f"一部が同じです: どちらも{join_ja(shared)}が担当しています。")
    if en:
        return (f"No, different departments: 「{a.name}」 is run by {', '.join(a.departments)}, "
                f"「{b.name}」 by {', '.join(b.departments)}.")
    return f"いいえ、担当課は異なります: 「{a.name}」は{join_ja(a.departments)}、「{b.name}」は{join_ja(b.departments)}です。"


def same_statuses(r: Records, pair: list[Initiative], years: list[int], en: bool) -> str:
    """Whether two rows have the same status in each year asked, in one line from both rows' lines."""
    a, b = pair
    statuses = [(y, *(r.year_status(i, y, en).split(": ", 1)[1] for i in pair)) for y in years]
    parts = []
    for y, sa, sb in statuses:
        if sa == sb:
            parts.append(f"FY{y}: both {sa}" if en else f"{y}年度はどちらも「{sa}」")
        else:
            parts.append(f"FY{y}: different — 「{a.name}」 {sa}, 「{b.name}」 {sb}" if en
                         else f"{y}年度は異なります（「{a.name}」は「{sa}」、「{b.name}」は「{sb}」）")
    same = all(sa == sb for _, sa, sb in statuses)
    head = ("Yes, the same. " if same else "No, not the same. ") if en else ("はい、同じです。" if same else "いいえ、同じではありません。")
    return head + ("; ".join(parts) if en else "。".join(parts)) + ("." if en else "。")


def with_verdict(draft: Draft, line: str) -> Draft:
    """The card with the answer to a comparison of its rows put first."""
    return replace(draft, text=f"{line}\n{draft.text}")
