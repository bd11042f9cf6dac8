"""KPI answers: one indicator's target, or every KPI (of a field), or how many there are."""

from __future__ import annotations

from ..models import KPI, Initiative
from .base import Draft, Records
from .coverage import is_channel


def kpi_answer(r: Records, kpis: list[KPI], en: bool, sure: bool = True) -> Draft:
    """The targets of the KPIs asked about (not sure: the closest ones, said as such)."""
    lines = [] if sure else ["The closest KPIs in the plan are:" if en else "ご質問に近いKPIは次のとおりです。"]
    for k in kpis:
        cum = "cumulative over FY2026–2029" if en else "2026～2029年度の4年間の累計"
        if en:
            lines.append(f"KPI 「{k.label}」: target {k.target} by the end of FY2029"
                         f"{' (' + cum + ')' if k.cumulative else ''} — Field {k.field_no} {k.field_name}.")
        else:
            lines.append(f"「{k.label}」の目標値は{k.target}です（{k.target_year}まで"
                         f"{'、' + cum if k.cumulative else ''}。【分野{k.field_no}】{k.field_name} › {k.viewpoint}）。")
        for iid in k.initiative_ids:
            ini = r.initiatives[iid]
            lines.append(f"  Related initiative: 「{ini.name}」 ({', '.join(ini.departments)})" if en
                         else f"  関連する取組: 「{ini.name}」（{'、'.join(ini.departments)}）")
    cites = [r.cite_kpi(k) for k in kpis] + [r.cite_initiative(r.initiatives[i]) for k in kpis for i in k.initiative_ids]
    return Draft("\n".join(lines), "kpi", cites)


RARE_IN_KPIS = 2  # a word of a row's name held by this few KPI labels ties a KPI of its field to it (生成AI, not 利用)


def sharing_kpis(r: Records, ini: Initiative) -> list[KPI]:
    """KPIs of the row's field whose labels share a rare word of its name (none are linked to it)."""
    tokens = r.searcher.name_tokens
    kpis = [k for k in r.plan.kpis if k.field_no == ini.field_no]
    # (a channel word, how a service is used: オンライン, names nothing)
    rare = {t for t in tokens[ini.id] if len(t) >= 2 and not is_channel(t)
            and sum(t in tokens[k.id] for k in r.plan.kpis) <= RARE_IN_KPIS}
    return [k for k in kpis if rare & tokens[k.id]]


def near_kpis(r: Records, ini: Initiative, kpis: list[KPI], en: bool) -> Draft:
    """A row without a linked KPI, asked for one, given the KPIs of its field that name what it does, said as such."""
    head = (f"The plan links no KPI to 「{ini.name}」 itself; its field has this related KPI:" if en else
            f"プランでは「{ini.name}」に直接結びつくKPIは示されていませんが、同じ分野に関連するKPIがあります。")
    found = kpi_answer(r, kpis, en)
    return Draft(f"{head}\n{found.text}", "kpi", [r.cite_initiative(ini), *found.citations], subjects=[ini.id])


def no_kpi(r: Records, ini: Initiative, en: bool) -> Draft:
    """「プランでは「X」にKPIは設定されていません」: a named row without a KPI, asked for one (grounded=False: the plan
    has no number to give)."""
    text = (f"The plan sets no KPI (numeric target) for 「{ini.name}」; it gives its department and yearly status only."
            if en else f"プランでは「{ini.name}」にKPI（数値目標）は設定されていません（載っているのは担当課と年度ごとの予定です）。")
    return Draft(text, "not_in_plan", [r.cite_initiative(ini)], grounded=False, subjects=[ini.id])


def kpi_list(r: Records, fields: list[int], en: bool, count: bool) -> Draft:
    """Every KPI of the plan (or of the fields asked), with its target."""
    chosen = [k for k in r.plan.kpis if not fields or k.field_no in fields]
    where = "".join(f"【分野{f}】{r.plan.fields.get(f, '')}" for f in fields)
    head = (f"The plan sets {len(chosen)} KPIs ({len(chosen)}件){' in ' + where if where else ''} (targets for the end "
            "of FY2029, the last year of the plan period FY2026–2029):" if en else
            f"{where + 'の' if where else 'プランの'}KPIは{len(chosen)}件です（計画期間2026～2029年度の最終年度末、2029年度末の目標）。")
    lines = [head] + [f"・{k.label}: {k.target}" for k in chosen]
    return Draft("\n".join(lines), "count" if count else "kpi", [r.cite_kpi(k) for k in chosen])
