"""The build report (what the parser found) and what changed between two versions of the plan."""

from __future__ import annotations

from collections import Counter
from difflib import SequenceMatcher

from .models import YEARS, Plan

RENAMED = 0.6  # name similarity from which a removed + an added row count as one renamed row


def build_report(plan: Plan) -> dict:
    """Counts a reviewer checks after every build: per field, department, year status; lone departments."""
    per_department = Counter(d for i in plan.initiatives for d in i.departments)
    field_name = {n: f"【分野{n}】{name}" for n, name in plan.fields.items()}
    return {
        "source": plan.source,
        "initiatives": len(plan.initiatives),
        "new": sum(i.new for i in plan.initiatives),
        "departments": len(per_department),
        "kpis": len(plan.kpis),
        "goals": len(plan.goals),
        "per_field": dict(Counter(field_name[i.field_no] for i in plan.initiatives)),
        "new_per_field": dict(Counter(field_name[i.field_no] for i in plan.initiatives if i.new)),
        "per_department": dict(per_department.most_common()),
        "statuses_per_year": {
            str(y): dict(Counter(s.years[y] or "—" for i in plan.initiatives for s in i.statuses).most_common())
            for y in YEARS
        },
        "kpis_per_field": dict(Counter(f"【分野{k.field_no}】{k.field_name}" for k in plan.kpis)),
        "single_departments": sorted(d for d, n in per_department.items() if n == 1),
        "issues": [str(i) for i in plan.issues],
    }


def format_report(report: dict) -> str:
    """The build report as text for the terminal (Japanese)."""
    lines = [f"プラン: {report['source']}",
             f"取組 {report['initiatives']} 件（新規 {report['new']} 件）、担当課 {report['departments']} 課、"
             f"○目標 {report['goals']} 件、KPI {report['kpis']} 件", "分野別の取組（うち新規）:"]
    lines += [f"  {f}: {n} 件（{report['new_per_field'].get(f, 0)}）" for f, n in report["per_field"].items()]
    lines.append("年度別の状態:")
    lines += [f"  {y}年度: " + "、".join(f"{s} {n}" for s, n in c.items()) for y, c in report["statuses_per_year"].items()]
    lines.append("分野別のKPI: " + "、".join(f"{f} {n}" for f, n in report["kpis_per_field"].items()))
    lines.append("担当課別の取組: " + "、".join(f"{d} {n}" for d, n in report["per_department"].items()))
    lines.append("取組が1件だけの担当課（名前の誤記がないか確認してください）: "
                 + ("、".join(report["single_departments"]) or "なし"))
    if report["issues"]:
        lines.append(f"読めなかった行 {len(report['issues'])} 行:")
        lines += [f"  {i}" for i in report["issues"]]
    return "\n".join(lines)


def snapshot(plan: Plan) -> dict:
    """What a later build is compared with: each row's departments and statuses, each KPI's target."""
    return {
        "initiatives": {i.name: {"place": f"【分野{i.field_no}】{i.field_name} › {i.viewpoint} › ○{i.goal}",
                                 "new": i.new,
                                 "departments": {s.department: {str(y): v for y, v in s.years.items()}
                                                 for s in i.statuses}}
                        for i in plan.initiatives},
        "kpis": {k.label: k.target for k in plan.kpis},
    }


def _renames(removed: list[str], added: list[str]) -> list[tuple[str, str]]:
    """Removed and added names that are most likely one renamed row."""
    pairs = []
    for old in removed:
        best = max(added, key=lambda new: SequenceMatcher(None, old, new).ratio(), default=None)
        if best is not None and best not in [b for _, b in pairs] and SequenceMatcher(None, old, best).ratio() >= RENAMED:
            pairs.append((old, best))
    return pairs


def _row_changes(name: str, old_row: dict, new_row: dict) -> list[str]:
    """Place, 新 mark, department and status changes of one row."""
    old, new = old_row["departments"], new_row["departments"]
    out = [f"「{name}」: 位置が変わりました {old_row['place']} → {new_row['place']}"] if old_row["place"] != new_row["place"] else []
    if old_row["new"] != new_row["new"]:
        out.append(f"「{name}」: 新規の印が{'付きました' if new_row['new'] else 'なくなりました'}")
    out += [f"「{name}」: 担当課を追加 {d}" for d in new if d not in old]
    out += [f"「{name}」: 担当課を削除 {d}" for d in old if d not in new]
    for dep in (d for d in new if d in old):
        for year, status in new[dep].items():
            if old[dep].get(year) != status:
                out.append(f"「{name}」（{dep}）{year}年度: {old[dep].get(year) or '—'} → {status or '—'}")
    return out


def diff(old: dict, new: dict) -> list[str]:
    """Rows added, removed, renamed; departments and statuses changed; KPI targets changed."""
    oi, ni = old.get("initiatives", {}), new.get("initiatives", {})
    removed = [n for n in oi if n not in ni]
    added = [n for n in ni if n not in oi]
    renames = _renames(removed, added)
    out = [f"名称変更: 「{a}」 → 「{b}」" for a, b in renames]
    out += [f"取組を追加: 「{n}」（{'、'.join(ni[n]['departments'])}）" for n in added if n not in {b for _, b in renames}]
    out += [f"取組を削除: 「{n}」（{'、'.join(oi[n]['departments'])}）" for n in removed if n not in {a for a, _ in renames}]
    for name in ni:
        before = oi.get(name) or next((oi[a] for a, b in renames if b == name), None)
        if before is not None:
            out += _row_changes(name, before, ni[name])
    ok, nk = old.get("kpis", {}), new.get("kpis", {})
    out += [f"KPI「{k}」の目標: {ok[k]} → {t}" for k, t in nk.items() if k in ok and ok[k] != t]
    out += [f"KPIを追加: 「{k}」 {t}" for k, t in nk.items() if k not in ok]
    out += [f"KPIを削除: 「{k}」 {t}" for k, t in ok.items() if k not in nk]
    return out
