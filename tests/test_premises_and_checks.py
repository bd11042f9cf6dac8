"""A department asserted in casual words (confirmed or corrected), a check that every row of a department is new, a
count with the part of it asked next, departments counted with their rows, a status changing between years, a
table's headers as conditions, and a follow-up about the row the assistant's last turn showed; on the real plan,
every expected value read from the parsed records."""

from __future__ import annotations

import random

from assistant.models import YEARS, Initiative, Plan


def cited(ans) -> set[str]:  # noqa: ANN001 - Answer
    """The ids an answer cites."""
    return {c.id for c in ans.citations}


def plain_rows(plan: Plan) -> list[Initiative]:
    """Rows whose names quote nothing (a question can quote them whole)."""
    return [i for i in plan.initiatives if "「" not in i.name]


def test_a_department_asserted_casually_is_confirmed_or_corrected_on_the_rows_card(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「A」ってDがやるんけ」 (D not A's) is corrected, 「「A」はDさんがやっているということで合ってますか」 (D A's own) is
    confirmed: both on A's card, never as D's list of rows."""
    departments = sorted({d for i in plan.initiatives for d in i.departments})
    rng = random.Random(5)
    for ini in rng.sample(plain_rows(plan), 8):
        wrong = rng.choice([d for d in departments if d not in ini.departments])
        ans = bot.ask(f"「{ini.name}」って{wrong}がやるんけ")
        first = ans.text.splitlines()[0]
        assert ans.grounded and first.startswith("いいえ") and all(d in first for d in ini.departments), ans.text[:200]
        ans = bot.ask(f"「{ini.name}」は、{ini.departments[0]}さんがやっているということで合ってますでしょうか。")
        first = ans.text.splitlines()[0]
        assert ans.grounded and first.startswith("はい") and all(d in first for d in ini.departments), ans.text[:200]
        assert ans.citations[0].id == ini.id


def test_a_department_named_before_a_list_ask_is_not_a_premise(bot, plan: Plan) -> None:  # noqa: ANN001
    dep = "デジタル政策課"
    rows = {i.id for i in plan.initiatives if dep in i.departments}
    ans = bot.ask(f"{dep}がやっている取組は何ですか")
    assert ans.grounded and rows <= cited(ans) and f"{len(rows)}件" in ans.text


def test_whether_every_row_of_a_department_is_new_is_counted(bot, plan: Plan) -> None:  # noqa: ANN001
    """「Dの取組は全て新規ですか」: D's rows counted, and how many of them are new (all, or the share)."""
    counts: dict[str, list[Initiative]] = {}
    for i in plan.initiatives:
        for d in i.departments:
            counts.setdefault(d, []).append(i)
    several = sorted(d for d, rows in counts.items() if len(rows) >= 2)
    for dep in random.Random(3).sample(several, 6):
        rows = counts[dep]
        new = sum(i.new for i in rows)
        ans = bot.ask(f"{dep}の取組は全て新規ですか？")
        assert ans.grounded and f"{len(rows)}件" in ans.text, ans.text[:200]
        said = f"{len(rows)}件すべてが新規" if new == len(rows) else f"そのうち新規（新）は{new}件"
        assert said in ans.text, ans.text[:200]


def test_a_count_then_a_second_ask_narrows_it(bot, plan: Plan) -> None:  # noqa: ANN001
    """「Dの取組は何件で、2029年度が「—」のものはどれか」: both numbers, the narrower rows marked."""
    for dep in ("学校教育センター", "産業政策課"):
        rows = [i for i in plan.initiatives if dep in i.departments]
        ends = [i for i in rows if any(st.years.get(2029) is None for st in i.statuses if st.department == dep)]
        ans = bot.ask(f"{dep}の取組は何件で、2029年度が「—」のものはどれか教えて")
        assert ans.grounded and f"取組は{len(rows)}件" in ans.text and f"{len(ends)}件" in ans.text, ans.text[:300]
        marked = [ln.split("（")[0] for ln in ans.text.splitlines() if "← 該当" in ln]
        assert sorted(marked) == sorted(f"・「{i.name}」" for i in ends)


def test_departments_are_counted_with_the_rows_they_run(bot, plan: Plan) -> None:  # noqa: ANN001
    for no in plan.fields:
        rows = [i for i in plan.initiatives if i.field_no == no]
        deps = {d for i in rows for d in i.departments}
        ans = bot.ask(f"分野{no}の取組には取組が何件あり、担当課は何課ですか")
        assert ans.grounded and f"{len(rows)}件" in ans.text and f"{len(deps)}課" in ans.text, ans.text[:200]


def test_a_status_changing_between_two_years_is_a_condition(bot, plan: Plan) -> None:  # noqa: ANN001
    for a, b in zip(YEARS[:-1], YEARS[1:], strict=True):
        changed = [i for i in plan.initiatives if any(st.years.get(a) != st.years.get(b) for st in i.statuses)]
        ans = bot.ask(f"{a}年度から{b}年度にかけて状況が変わる取組は何件？")
        said = f"{len(changed)}件" if changed else "該当する取組はありません"
        assert ans.grounded and said in ans.text.splitlines()[0], ans.text[:200]
        assert {i.id for i in changed} <= cited(ans)
        shown = [ln for ln in ans.text.splitlines() if ln.startswith("・")]
        assert all(f"{a}:" in ln and f"{b}:" in ln for ln in shown), shown[:3]


def test_a_tables_headers_are_read_as_conditions(bot, plan: Plan) -> None:  # noqa: ANN001
    """「分野: 2 ／ 新: ○ ／ 担当: 複数」「担当: D ／ 新: ○ ／ 2028: —」: every header is a condition."""
    rows = [i for i in plan.initiatives if i.field_no == 2 and i.new and len(i.departments) >= 2]
    ans = bot.ask("分野: 2 ／ 新: ○ ／ 担当: 複数 ― この条件に該当する取組は？")
    assert ans.grounded and f"{len(rows)}件" in ans.text.splitlines()[0] and {i.id for i in rows} == cited(ans)
    dep = "産業政策課"
    rows = [i for i in plan.initiatives if dep in i.departments and i.new
            and any(st.years.get(2028) is None for st in i.statuses if st.department == dep)]
    ans = bot.ask(f"担当: {dep} ／ 新: ○ ／ 2028: — （記載なし）に当てはまる取組は？")
    assert ans.grounded and f"{len(rows)}件" in ans.text.splitlines()[0] and {i.id for i in rows} == cited(ans)


def test_a_follow_up_refers_to_the_one_row_the_assistant_showed(bot, plan: Plan) -> None:  # noqa: ANN001
    """After a list, an assistant turn that names one of its rows (as a person or a client summarising it would):
    「それはいつまで続く？」 is about that row; a turn naming every row, or a row the list lacks, changes nothing."""
    first = "庁内のデジタル人材の育成の取組は？"
    listed = [c.id for c in bot.ask(first).citations if c.kind == "initiative"]
    assert len(listed) >= 3
    for rid in (listed[1], listed[-1]):
        ini = next(i for i in plan.initiatives if i.id == rid)
        history = [{"role": "user", "content": first},
                   {"role": "assistant", "content": f"「{ini.name}」があり、{ini.departments[0]}が担当しています。"}]
        ans = bot.ask("それはいつまで続く？", history=history)
        assert ans.grounded and ans.citations[0].id == rid, ans.text[:200]
    other = next(i for i in plan.initiatives if i.id not in listed)
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": f"「{other.name}」です。"}]
    ans = bot.ask("その中で新規のものは？", history=history)
    assert {c.id for c in ans.citations} <= set(listed)


def test_a_row_without_a_linked_kpi_offers_its_fields_kpi_that_names_it(bot, plan: Plan) -> None:  # noqa: ANN001
    """「それ、数値目標はある？」 about a row no KPI is linked to: the KPIs of its field whose labels share a word of its
    name that few KPIs use, said as not linked to the row; a row sharing no such word gets no KPI of another row."""
    rows = [i for i in plan.initiatives if not i.kpi_ids and "生成AI" in i.name]
    assert rows
    for ini in rows:
        history = [{"role": "user", "content": f"{ini.name}について教えて"},
                   {"role": "assistant", "content": f"「{ini.name}」は{ini.departments[0]}の担当です。"}]
        ans = bot.ask("それ、数値目標はある？", history=history)
        near = [k for k in plan.kpis if k.field_no == ini.field_no and "生成AI" in k.label]
        if near:
            assert ans.grounded and "直接結びつくKPIは示されていません" in ans.text, ans.text[:200]
            assert all(k.target in ans.text for k in near)
        else:
            assert not any(k.target in ans.text and k.id in {c.id for c in ans.citations} for k in plan.kpis
                           if k.field_no != ini.field_no), ans.text[:200]


def test_a_department_asserted_before_the_row_or_inside_its_name_is_corrected(bot, plan: Plan) -> None:  # noqa: ANN001
    """「Dが「A」をやっているんですか」, 'Is D in charge of A?': D is corrected even when A's name holds a department's
    name (市立工業高校) or stem (金沢マラソン), which is A's, not one the question names."""
    departments = sorted({d for i in plan.initiatives for d in i.departments})
    named = [i for i in plan_rows_naming_a_department(plan, departments)]
    assert named
    rng = random.Random(9)
    for ini in named:
        wrong = rng.choice([d for d in departments if d not in ini.departments])
        for q in (f"{wrong}が{ini.name}をやっているんですか", f"Is {wrong} in charge of {ini.name}?"):
            first = bot.ask(q).text.splitlines()[0]
            assert first.startswith(("いいえ", "No")) and all(d in first for d in ini.departments), (q, first)


def plan_rows_naming_a_department(plan: Plan, departments: list[str]) -> list[Initiative]:
    """Rows whose own names hold a department's name or its first four characters (金沢マラソン)."""
    return [i for i in plain_rows(plan) if any(d in i.name or d[:4] in i.name for d in departments)]
