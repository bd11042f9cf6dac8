"""Answers computed by a query over the records (query.py): the understood conditions first, then the result."""

from __future__ import annotations

from dataclasses import replace

from ..models import KPI, Initiative
from ..query import NEW_FAMILY, NONE, Computed, Cond, distinct_departments, kpi_meets, start_of
from ..understand.frame import Frame
from .base import Draft, Records, en_count, fmt_status, join_ja
from .lists import department_count, list_answer

TOP = 5  # groups shown after the most (or fewest)


def status_words(c: Cond, en: bool) -> str:
    """「継続」または「継続・拡大」."""
    names = [("any 新規… (new start)" if en else "新規（導入・実施・公開）") if v == NEW_FAMILY else
             ("— (nothing planned)" if en else "「—」（予定なし）") if v == NONE else (v if en else f"「{v}」")
             for v in c.values]
    return (" or " if en else "または").join(names)


def years_words(c: Cond, en: bool) -> str:
    """「2026年度に」, 「4年間すべて」, 「いずれかの年度に」."""
    if len(c.years) > 1 and c.every_year:
        span = f"FY{c.years[0]}–{c.years[-1]}" if en else f"{c.years[0]}～{c.years[-1]}年度"
        return f"in every year {span}" if en else f"{span}のすべての年度に"
    if c.years:
        ys = ", ".join(f"FY{y}" for y in c.years) if en else join_ja([f"{y}年度" for y in c.years])
        some = len(c.years) > 1
        return f"in {'any of ' if some else ''}{ys}" if en else f"{ys}{'のいずれかに' if some else 'に'}"
    if c.every_year:
        return "in every year FY2026–2029" if en else "4年間すべて"
    return "in some year" if en else "いずれかの年度に"


def cond_words(r: Records, c: Cond, en: bool) -> str:
    """One condition as the answer states it back."""
    not_ = ("not " if en else "") if c.negated else ""
    tail = ("以外" if c.kind in ("department", "field") else "ではない") if c.negated and not en else ""
    if c.kind == "department":
        return f"{not_}run by {' or '.join(c.values)}" if en else f"{join_ja(list(c.values))}{tail}" + (
            "" if c.negated else "の担当")
    if c.kind == "field":
        names = [f"Field {n} {r.plan.fields.get(n, '')}" if en else f"【分野{n}】{r.plan.fields.get(n, '')}"
                 for n in c.values]
        return f"{not_}{' or '.join(names)}" if en else f"{join_ja(names)}{tail}"
    if c.kind in ("goal", "viewpoint"):
        return f"{not_}under 「{c.values[0]}」" if en else f"「{c.values[0]}」{'に含まれない' if c.negated else ''}"
    if c.kind == "new":
        return f"{not_}new (新)" if en else ("新規ではない（新の印がない）" if c.negated else "新規（新）")
    if c.kind == "departments_at_least":
        n = c.values[0]
        return (f"run by fewer than {n} departments" if c.negated else f"run by {n} or more departments") if en else (
            f"担当課が{n - 1}つ以下" if c.negated and n > 2 else "担当課が1つ" if c.negated else f"担当課が{n}つ以上")
    if c.kind == "kpi":
        return f"{'without' if c.negated else 'with'} a linked KPI" if en else (
            "KPIが紐づいていない" if c.negated else "KPIが紐づいている")
    if c.kind == "cumulative":
        return ("single-year" if c.negated else "cumulative") if en else ("単年度の目標" if c.negated else "累計の目標")
    if c.kind == "percent":
        return ("not a share in %" if c.negated else "a share in %") if en else ("%以外の目標" if c.negated else "%で示す目標")
    if c.kind == "unit":
        return f"{not_}in 「{c.values[0]}」" if en else f"単位が「{c.values[0]}」{tail}"
    if c.kind == "name":
        said = "」「".join(c.values)
        return f"{not_}with 「{said}」 in the title" if en else f"取組名に「{said}」を含{'まない' if c.negated else 'む'}"
    if c.kind == "change":
        span = f"FY{c.years[0]}–{c.years[-1]}" if en else f"{c.years[0]}～{c.years[-1]}年度"
        return (f"status {'unchanged' if c.negated else 'changing'} over {span}" if en
                else f"{span}に状況が{'変わらない' if c.negated else '変わる'}")
    if c.kind == "rows" and c.label:
        words = "・".join(c.label)
        return f"about {words}" if en else f"「{words}」に関する"
    if c.kind == "rows":
        return "the initiatives you named" if en else "ご質問の取組"
    if c.kind == "status" and c.negated and c.values == (NONE,):  # not 「—」: something is planned
        return f"something planned {years_words(c, en)}" if en else f"{years_words(c, en)}予定がある"
    who = ("for every department " if en else "どの担当課も") if c.every_department else ""
    if c.negated and not c.years and not c.every_year:  # in no year: not 「いずれかの年度に…ではない」
        return f"{who}{status_words(c, en)} in no year" if en else f"どの年度も{who}{status_words(c, en)}ではない"
    if en:
        return f"{who}{'not ' if c.negated else ''}{status_words(c, en)} {years_words(c, en)}"
    return f"{years_words(c, en)}{who}{status_words(c, en)}{'ではない' if c.negated else ''}"


def stated(r: Records, conds: tuple[Cond, ...], en: bool) -> str:
    """All conditions, as understood (「【分野4】仕事づくり・産業政策課以外」)."""
    return ("; " if en else "・").join(cond_words(r, c, en) for c in conds)


def head(r: Records, conds: tuple[Cond, ...], en: bool, n: int, noun: str = "initiatives") -> str:
    """「条件（…）に該当する取組は6件です。」"""
    cond = stated(r, conds, en)
    if en:
        return f"{en_count(n, noun)} match ({cond})." if cond else f"The plan lists {en_count(n, noun)}."
    ja = {"initiatives": "取組", "KPIs": "KPI"}[noun]
    return f"条件（{cond}）に該当する{ja}は{n}件です。" if cond else f"プランの{ja}は{n}件です。"


def answer(r: Records, f: Frame, out: Computed, kpis: list[KPI] | None = None) -> Draft:
    """The reply to a computed query: the condition said back, then the rows, count, groups or comparison."""
    q, en = out.query, f.english
    if q.subject == "kpi":
        return kpi_result(r, f, out, kpis or [])
    if q.result == "departments":
        cond = stated(r, q.conds, en) or ("whole plan" if en else "プラン全体")
        return department_count(r, out.rows, f, cond if en else f"条件（{cond}）")
    if q.result in ("most", "groups", "compare"):
        return grouped_answer(r, f, out)
    if q.result == "pair":
        return pair_answer(r, f, out)
    if q.result == "first":
        return first_answer(r, f, out)
    if not out.rows:
        text = f"No initiative matches ({stated(r, q.conds, en)})." if en else \
            f"条件（{stated(r, q.conds, en)}）に該当する取組はありません。"
        return with_partly(r, Draft(text, "count" if q.result == "count" else "list", []), out, en)
    draft = list_answer(r, out.rows, f, head=head(r, q.conds, en, len(out.rows)), count=q.result == "count")
    return with_partly(r, draft, out, en)


def with_partly(r: Records, draft: Draft, out: Computed, en: bool) -> Draft:
    """The reading said back when rows run by several departments meet a negated status on some lines only."""
    if not out.partly:
        return draft
    note = ("(An initiative whose departments differ counts only when the condition holds for every one of them.)"
            if en else "（担当課によって状況が異なる取組は、すべての担当課の欄が条件に当たる場合だけ数えています。）")
    return replace(draft, text=f"{draft.text}\n{note}")


def group_name(r: Records, g: object, en: bool) -> str:
    """A department's name, or a field as 【分野2】暮らしづくり."""
    if isinstance(g, int):
        return f"Field {g} {r.plan.fields.get(g, '')}" if en else f"【分野{g}】{r.plan.fields.get(g, '')}"
    return str(g)


def compare_note(r: Records, group: object, rows: list, kpis: bool, en: bool) -> str:
    """What a compared group's count is said with: its 新 rows, and a field's KPIs (「（うち新規3件、KPI 5件）」)."""
    new = sum(i.new for i in rows)
    n_kpis = sum(k.field_no == group for k in r.plan.kpis) if kpis else None
    if en:
        return f" ({new} new" + (f", {n_kpis} KPIs)" if kpis else ")")
    return f"（うち新規{new}件" + (f"、KPI {n_kpis}件）" if kpis else "）")


FEWEST_SAID = 3  # the fewest groups are named when there are at most this many


def grouped_answer(r: Records, f: Frame, out: Computed) -> Draft:
    """The department or field with the most (fewest) rows, or two named ones compared, with the counts."""
    q, en = out.query, f.english
    left_out = [d for c in q.conds if c.kind == "department" and c.negated and q.group == "department" for d in c.values]
    filters = tuple(c for c in q.conds if not (c.kind == "department" and c.negated and q.group == "department"))
    cond = stated(r, filters, en) or ("whole plan" if en else "プラン全体")
    if left_out:
        cond += f"; excluding {', '.join(left_out)}" if en else f"・{join_ja(left_out)}を除く"
    best = out.extreme()
    counts = [(group_name(r, g, en), out.size(v)) for g, v in out.groups.items()]
    by_dept = q.measure == "departments"
    unit = ("departments" if by_dept else "initiatives") if en else ("課" if by_dept else "件")
    amount = (lambda c: en_count(c, unit)) if en else (lambda c: f"{c}{unit}")  # noqa: E731 - one line each
    what = ("departments involved" if by_dept else "initiatives") if en else ("担当課（重複を除く）" if by_dept else "取組")
    if q.result == "groups":  # 「分野ごとの取組件数」: every group (or those of at least q.at_least), most first
        ranked = sorted(counts, key=lambda nc: -nc[1])
        listed = ", ".join(f"{n}: {amount(c)}" for n, c in ranked) if en else "、".join(f"{n} {amount(c)}" for n, c in ranked)
        if q.at_least:  # 「取組4件以上持ってる課」
            lines = [(f"Departments with at least {q.at_least} initiatives ({cond}): {len(ranked)} — {listed}." if ranked else
                      f"No department has {q.at_least} initiatives or more ({cond}).") if en else
                     (f"条件（{cond}）で取組が{q.at_least}件以上の担当課は{len(ranked)}課です: {listed}。" if ranked else
                      f"条件（{cond}）で取組が{q.at_least}件以上の担当課はありません。")]
        else:
            by = ("field" if q.group == "field" else "department") if en else ("分野" if q.group == "field" else "担当課")
            lines = [f"{what.capitalize()} ({cond}) by {by}: {listed}." if en else f"条件（{cond}）の{what}の数（{by}別）: {listed}。"]
            if ranked and not by_dept:  # the total counts a row once; the most is the first group
                top = [n for n, c in ranked if c == ranked[0][1]]
                low = [n for n, c in ranked if c == ranked[-1][1]]
                fewest = len(ranked) > 1 and len(low) <= FEWEST_SAID
                if en:
                    lines.append(f"In all: {en_count(len(out.rows), 'initiatives')}; the most: {' and '.join(top)}"
                                 + (f"; the fewest: {' and '.join(low)} ({ranked[-1][1]})." if fewest else "."))
                else:
                    lines.append(f"合計{len(out.rows)}件で、最も多いのは{'と'.join(top)}（{ranked[0][1]}件）"
                                 + (f"、最も少ないのは{'と'.join(low)}（{ranked[-1][1]}件）です。" if fewest else "です。"))
    elif q.result == "compare":  # each with its 新 rows counted (「件数と新マーク数を比較」)
        notes = [compare_note(r, g, v, q.group == "field", en) for g, v in out.groups.items()]
        counts_new = [(n, amount(c) + ("" if by_dept else note)) for (n, c), note in zip(counts, notes, strict=True)]
        listed = ", ".join(f"{n}: {c}" for n, c in counts_new) if en else "、".join(f"{n} {c}" for n, c in counts_new)
        if len(best) > 1:
            verdict = "Both have the same number." if en else "同じ数です。"
        else:
            verdict = f"{group_name(r, best[0], en)} has more." if en else f"{group_name(r, best[0], en)}のほうが多いです。"
        lines = [f"{what.capitalize()} ({cond}): {listed}. {verdict}" if en else f"条件（{cond}）の{what}の数: {listed}。{verdict}"]
    else:
        names = (" and " if en else "と").join(group_name(r, g, en) for g in best)
        n = out.size(out.groups[best[0]]) if best else 0
        word = ("fewest" if q.least else "most") if en else ("最も少ない" if q.least else "最も多い")
        lines = [f"Within ({cond}), {names} has the {word} {what}: {amount(n)}." if en else
                 f"条件（{cond}）で{what}が{word}のは{names}（{amount(n)}）です。"]
        others = [f"{name} {amount(c)}" for name, c in counts if c and name not in names][:TOP]
        if others:
            lines.append(("Next: " if en else "続いて: ") + (", " if en else "、").join(others))
    if by_dept:
        lines += [f"{group_name(r, g, en)}: {', '.join(distinct_departments(v)) if en else join_ja(distinct_departments(v))}"
                  for g, v in out.groups.items()]
    if q.group == "department" and any(len(i.departments) > 1 for i in out.rows):
        lines.append("(An initiative run by several departments counts for each of them.)" if en else
                     "（複数の課が担当する取組は、それぞれの課に数えています。）")
    shown = [i for g in best for i in out.groups.get(g, [])] if q.result == "most" else \
        [i for v in out.groups.values() for i in v]
    rows = list({i.id: i for i in shown}.values())
    if q.result != "groups":  # every group's rows would be the whole list again: cited, not repeated
        mark = " (new)" if en else "（新規）"
        lines += [f"・「{i.name}」（{join_ja(i.departments)}）{mark if i.new else ''}" for i in rows]
    return Draft("\n".join(lines), "count", [r.cite_initiative(i) for i in rows])


def pair_answer(r: Records, f: Frame, out: Computed) -> Draft:
    """「N件で、そのうち…はM件」: both counts, then the rows (the narrower ones marked)."""
    q, en = out.query, f.english
    n, m = len(out.rows), len(out.narrower)
    base = stated(r, q.conds, en)
    narrow = stated(r, q.narrower, en)
    if en:
        text = f"{en_count(n, 'initiatives')}{' (' + base + ')' if base else ' in the plan'}; of these, {m} ({m}件) {'is' if m == 1 else 'are'} {narrow}" + (
            " (all of them)." if n == m and n else ".")
    else:
        share = f"{n}件すべてが{narrow}です" if n == m and n else f"そのうち{narrow}は{m}件です"
        text = f"{'条件（' + base + '）の' if base else 'プランの'}取組は{n}件で、{share}。"
    shown = out.rows if n <= 20 else out.narrower
    years = f.slots.years
    when = "when" in f.asks and not years  # 「そのうち新規のものはどれで、いつ導入されますか」
    lines = [text] + [f"・「{i.name}」（{join_ja(i.departments)}）{mark(i, out.narrower, en)}"
                      + (f" [{' / '.join(r.year_status(i, y, en) for y in years)}]" if years else "")
                      + (f" [{start_note(i, en)}]" if when and i in out.narrower else "") for i in shown]
    return Draft("\n".join(lines), "count", [r.cite_initiative(i) for i in out.rows])


def start_note(ini: Initiative, en: bool) -> str:
    """When a row starts: its first year with its status (a row only studied: its first study), per department when
    they differ."""
    starts = {st.department: s for st in ini.statuses if (s := start_of(st, ()))}
    said = {d: (f"from FY{y} ({fmt_status(v, en)})" if en else f"{y}年度「{v}」から") for d, (y, v) in starts.items()}
    if len(set(said.values())) <= 1:
        return next(iter(said.values()), "no start planned" if en else "開始の予定なし")
    return ", ".join(f"{d} {v}" for d, v in said.items())


def mark(ini: Initiative, narrower: list[Initiative], en: bool) -> str:
    """「 ← 該当」 after a row that meets the narrower conditions."""
    return (" ← yes" if en else " ← 該当") if ini in narrower else ""


def first_answer(r: Records, f: Frame, out: Computed) -> Draft:
    """Which of the compared rows (or one row's departments) starts first, with each one's first year; or, asked
    when they end, which ends first, with each row's last planned year."""
    en = f.english
    starts = sorted(out.starts, key=lambda s: s[2])
    by_row = len({s[0].id for s in starts}) > 1  # two rows compared, else one row's departments
    parts = [(f"「{i.name}」" if by_row else "") + f"{dep}: "
             + (f"FY{y} {fmt_status(v, en)}" if en else f"{y}年度「{v}」") for i, dep, y, v in starts]
    earliest = [s for s in starts if s[2] == starts[0][2]]
    first = f"「{earliest[0][0].name}」" if by_row else earliest[0][1]
    if out.query.end:
        parts = [f"「{i.name}」（{dep}）: " + (f"last planned in FY{y} ({fmt_status(v, en)})" if en else f"{y}年度「{v}」まで")
                 for i, dep, y, v in starts]
        if len(earliest) > 1:
            verdict = "They end in the same year." if en else "同じ年度まで予定されています。"
        else:
            later = f"「{starts[-1][0].name}」"
            verdict = (f"{first} ends first (FY{starts[0][2]}); {later} runs longer." if en else
                       f"{first}のほうが先に終わります（{starts[0][2]}年度まで）。{later}のほうが長く続きます。")
    elif len(earliest) > 1:
        verdict = "They start in the same year." if en else "同じ年度です。"
    else:
        verdict = f"{first} comes first." if en else f"{first}のほうが先です。"
    text = "\n".join([verdict] + [f"・{p}" for p in parts])
    return Draft(text, "schedule", [r.cite_initiative(i) for i in {s[0].id: s[0] for s in starts}.values()])


def kpi_result(r: Records, f: Frame, out: Computed, named: list[KPI]) -> Draft:
    """KPIs by condition (count or list), or the larger of two named KPIs' targets."""
    q, en = out.query, f.english
    if q.result == "larger":
        a, b = named[0], named[1]
        if a.value == b.value:
            verdict = "Both targets are the same." if en else f"どちらも同じ目標値（{a.target}）です。"
        else:
            big = a if a.value > b.value else b
            verdict = f"「{big.label}」 has the larger target." if en else f"「{big.label}」のほうが目標値が大きいです。"
        if a.unit != b.unit:
            verdict += (f" (The units differ: {a.unit} and {b.unit}; only the numbers are compared.)" if en else
                        f"（単位は{a.unit}と{b.unit}で異なり、数値だけを比べています。）")
        lines = [verdict] + [f"・{k.label}: {k.target}（{k.target_year}）" for k in (a, b)]
        return Draft("\n".join(lines), "kpi", [r.cite_kpi(k) for k in (a, b)])
    if q.result == "sum":
        return kpi_sum(r, f, out)
    if q.result == "most":
        return kpis_by_field(r, f, out)
    if q.result == "pair":  # 「KPIはいくつあり、そのうち累計で測るものは」
        narrower = [k for k in out.kpis if kpi_meets(k, q.narrower)]
        part = stated(r, q.narrower, en)
        lines = [f"{head(r, q.conds, en, len(out.kpis), 'KPIs')} Of these, {len(narrower)} are {part}." if en else
                 f"{head(r, q.conds, en, len(out.kpis), 'KPIs')}そのうち{part}は{len(narrower)}件です。"]
        lines += [f"・{k.label}: {k.target}{(' ← yes' if en else ' ← 該当') if k in narrower else ''}" for k in out.kpis]
        return Draft("\n".join(lines), "count", [r.cite_kpi(k) for k in out.kpis])
    lines = [head(r, q.conds, en, len(out.kpis), "KPIs")] + [f"・{k.label}: {k.target}" for k in out.kpis]
    return Draft("\n".join(lines), "count" if q.result == "count" else "kpi", [r.cite_kpi(k) for k in out.kpis])


def kpis_by_field(r: Records, f: Frame, out: Computed) -> Draft:
    """The field with the most (fewest) KPIs, every field's count after it, then that field's KPIs."""
    q, en = out.query, f.english
    counts = {no: [k for k in out.kpis if k.field_no == no] for no in sorted(r.plan.fields)}
    best = (min if q.least else max)(len(v) for v in counts.values())
    top = [no for no, v in counts.items() if len(v) == best]
    names = (" and " if en else "と").join(group_name(r, no, en) for no in top)
    cond = stated(r, q.conds, en) or ("whole plan" if en else "プラン全体")
    word = ("fewest" if q.least else "most") if en else ("最も少ない" if q.least else "最も多い")
    listed = (", " if en else "、").join(f"{group_name(r, no, en)} {len(v)}{'' if en else '件'}" for no, v in counts.items())
    verb = "has" if len(top) == 1 else "have"
    lines = [f"The plan sets {len(out.kpis)} KPIs ({cond}); {names} {verb} the {word}: {best}. By field: {listed}."
             if en else f"条件（{cond}）のKPIは{len(out.kpis)}件で、KPIの数が{word}のは{names}（{best}件）です。"
             f"分野別: {listed}。"]
    shown = [k for no in top for k in counts[no]]
    lines += [f"・{k.label}: {k.target}" for k in shown]
    return Draft("\n".join(lines), "count", [r.cite_kpi(k) for k in shown])


def number(x: float) -> str:
    """A target value as people write it: 470,000 (not 4.7e+05), 1.5."""
    return f"{int(x):,}" if x == int(x) else f"{x:,}"


def kpi_sum(r: Records, f: Frame, out: Computed) -> Draft:
    """The KPI targets added up, only when they share one unit that adds (a count, not a share in %)."""
    en, kpis = f.english, out.kpis
    cond = stated(r, out.query.conds, en) or ("whole plan" if en else "プラン全体")
    units = {k.unit for k in kpis}
    listed = [f"・{k.label}: {k.target}" for k in kpis]
    cites = [r.cite_kpi(k) for k in kpis]
    shares = bool(units) and all("%" in u for u in units)
    if not kpis or len(units) != 1 or shares:
        why = ("they are shares (%), which do not add up" if shares else f"their units differ ({', '.join(sorted(units))})"
               ) if en else ("割合（%）のため足し合わせられません" if shares else f"単位が異なる（{join_ja(sorted(units))}）ため合計できません")
        text = f"The targets of the KPIs ({cond}) are not added: {why}." if en else f"条件（{cond}）のKPIの目標値は、{why}。"
        return Draft("\n".join([text] + listed), "kpi", cites, grounded=bool(kpis))
    unit = next(iter(units))
    total = sum(k.value for k in kpis)
    shown = f"{number(total)}{unit}"
    parts = " + ".join(number(k.value) for k in kpis)
    text = (f"The {len(kpis)} KPI targets ({cond}) add up to {shown} ({parts})." if en else
            f"条件（{cond}）のKPI {len(kpis)}件の目標値を合計すると{shown}です（{parts}）。")
    return Draft("\n".join([text] + listed), "kpi", cites)
