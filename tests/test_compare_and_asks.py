"""Comparisons of named groups, KPI properties, negated and coordinated conditions, and messages with several asks,
on the real plan: every expected count or list comes from a loop over the parsed rows."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from assistant.models import YEARS, Plan
from assistant.text import two_asks


def dept_rows(plan: Plan) -> dict[str, list]:
    """Each department's rows."""
    out: dict[str, list] = {}
    for i in plan.initiatives:
        for d in i.departments:
            out.setdefault(d, []).append(i)
    return out


def test_two_departments_compared_give_each_ones_rows_and_new_rows(bot, plan: Plan) -> None:  # noqa: ANN001
    """「AとB、所管取組の件数と新マーク数を比較して」 for random department pairs: each one's count and 新 count from a loop
    (新 is counted for each, not a filter), in Japanese and English."""
    rows = dept_rows(plan)
    rng = random.Random(11)
    pairs = rng.sample([p for p in combinations(sorted(rows), 2) if len(rows[p[0]]) != len(rows[p[1]])], 6)
    for a, b in pairs:
        ans = bot.ask(f"{a}と{b}、所管取組の件数と新マーク数を比較して。")
        for d in (a, b):
            n, k = len(rows[d]), sum(i.new for i in rows[d])
            assert f"{d} {n}件（うち新規{k}件）" in ans.text, (d, ans.text[:300])
        ans = bot.ask(f"Compare {a} and {b}: how many initiatives does each own?")
        assert all(f"{d}: {len(rows[d])} initiative" in ans.text for d in (a, b)), ans.text[:300]


def test_two_fields_compared_give_rows_new_rows_and_kpis_from_a_loop(bot, plan: Plan) -> None:  # noqa: ANN001
    """「分野Aと分野Bの取組数、新マーク数及びKPIの設定数を比較」 for every pair of fields: each count from a loop."""
    for a, b in combinations(sorted(plan.fields), 2):
        ans = bot.ask(f"{plan.fields[a]}分野と{plan.fields[b]}分野について、取組数、新マークの付いた取組数及びKPIの設定数を比較して示されたい。")
        assert ans.grounded, ans.text[:200]
        for no in (a, b):
            n = sum(i.field_no == no for i in plan.initiatives)
            k = sum(i.field_no == no and i.new for i in plan.initiatives)
            m = sum(x.field_no == no for x in plan.kpis)
            assert f"{plan.fields[no]} {n}件（うち新規{k}件、KPI {m}件）" in ans.text, (no, ans.text[:300])


def test_kpis_by_unit_and_viewpoint_are_those_a_loop_finds(bot, plan: Plan) -> None:  # noqa: ANN001
    """「〈viewpoint〉に設定されたKPIで、単位が「U」のもの」 for every viewpoint and unit: exactly the KPIs with both,
    the unit said back (never dropped)."""
    for view in sorted({k.viewpoint for k in plan.kpis}):
        for unit in sorted({k.unit.removesuffix("以上") for k in plan.kpis}):
            expected = [k for k in plan.kpis if k.viewpoint == view and k.unit.removesuffix("以上") == unit]
            ans = bot.ask(f"{view}に設定されたKPIで、目標の単位が「{unit}」のものを一覧にしてください。")
            shown = [k for k in plan.kpis if k.label in ans.text]
            assert f"単位が「{unit}」" in ans.text.splitlines()[0] or not expected, (view, unit, ans.text[:200])
            assert sorted(k.id for k in shown) == sorted(k.id for k in expected), (view, unit, ans.text[:300])


def test_departments_joined_by_oyobi_before_igai_are_all_excluded(bot, plan: Plan) -> None:  # noqa: ANN001
    """「分野Fの取組のうち、A及びBの所管以外のもの」 for random fields and two of their departments: the rows of F run
    by neither, from a loop."""
    rng = random.Random(5)
    for no in sorted(plan.fields):
        deps = sorted({d for i in plan.initiatives if i.field_no == no for d in i.departments})
        a, b = rng.sample(deps, 2)
        expected = {i.id for i in plan.initiatives if i.field_no == no and not {a, b} & set(i.departments)}
        ans = bot.ask(f"{plan.fields[no]}分野の取組のうち、{a}及び{b}の所管以外のものを示されたい。")
        assert {c.id for c in ans.citations if c.kind == "initiative"} == expected, (a, b, ans.text[:300])


def test_a_new_mark_not_given_is_read_as_a_negation_in_its_written_forms(bot, plan: Plan) -> None:  # noqa: ANN001
    """「新マークが付されていない」「新マークなしの」 for every field: the rows without 新, from a loop."""
    for no in sorted(plan.fields):
        expected = {i.id for i in plan.initiatives if i.field_no == no and not i.new}
        for said in ("新マークが付されていない", "新マークなしの"):
            ans = bot.ask(f"{plan.fields[no]}分野の取組のうち、{said}ものを一覧で示されたい。")
            assert {c.id for c in ans.citations if c.kind == "initiative"} == expected, (said, ans.text[:200])


def test_a_short_list_names_each_rows_field_when_the_field_is_asked(bot, plan: Plan) -> None:  # noqa: ANN001
    """「Dの新規取組を、どの分野に載っているかとあわせて」 for departments with one to three 新 rows: each row's field."""
    rows = dept_rows(plan)
    for d, inis in sorted(rows.items()):
        new = [i for i in inis if i.new]
        if not 1 <= len(new) <= 3:
            continue
        ans = bot.ask(f"{d}所管の新規取組を、どの分野に載っているかとあわせて教えてください。")
        for i in new:
            assert f"【分野{i.field_no}】{i.field_name}" in ans.text, (d, ans.text[:300])


def test_asks_joined_inside_one_sentence_are_answered_in_two_parts(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「A」について、所管課と2026年度の状況、それから対応するKPIとその目標値を教えてください」 for rows with a KPI:
    the department, the 2026 status and the KPI's target; 「…何件か、あわせて教えてください」 is one ask."""
    linked = [(i, k) for k in plan.kpis for i in plan.initiatives if i.id in k.initiative_ids and "「" not in i.name]
    for ini, kpi in random.Random(2).sample(linked, 5):
        ans = bot.ask(f"「{ini.name}」について、所管課と2026年度の状況、それから対応するKPIとその目標値を教えてください。")
        assert ans.grounded and ini.departments[0] in ans.text and kpi.target in ans.text, ans.text[:400]
        assert (ini.statuses[0].status(2026) or "—") in ans.text, ans.text[:400]
    assert two_asks("分野内の新規取組は何件あり、そのうち2026年度に新規導入のものは何件か、あわせて教えてください。") is None
    assert two_asks("「A」の件です。①所管と分野、②各年度の状況、③同じ課のほかの取組、をまとめて。") == (
        "「A」の件です。①所管と分野、②各年度の状況", "③同じ課のほかの取組、をまとめて。")


def test_a_follow_up_counts_the_rows_of_that_department_however_the_turn_was_asked(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「A」の担当は？あと、その所管課は全部で何件の取組を持ってる？」 for random rows: the department's whole count
    (the row talked about included), from a loop; the same as a follow-up in a conversation."""
    rows = dept_rows(plan)
    for ini in random.Random(4).sample([i for i in plan.initiatives if len(i.departments) == 1], 5):
        d = ini.departments[0]
        ans = bot.ask(f"「{ini.name}」の担当は？あと、その所管課は全部で何件の取組を持ってる？")
        assert f"{d}に該当する取組は{len(rows[d])}件です" in ans.text, ans.text[:400]
        ans = bot.ask("その所管課は全部で何件の取組を持ってる？", history=[f"「{ini.name}」の担当は？"])
        assert f"{d}に該当する取組は{len(rows[d])}件です" in ans.text, ans.text[:400]


def test_counts_per_field_say_the_total_and_the_most(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「新」マーク付きの取組数を分野別に。合計と最多の分野も」: every field's count, the total (a row once) and the
    field with most, from a loop; the same in English."""
    by_field = {no: sum(i.new and i.field_no == no for i in plan.initiatives) for no in plan.fields}
    total, most = sum(by_field.values()), max(by_field.values())
    ans = bot.ask("「新」マーク付きの取組数を分野別に出してください。合計と最多の分野も。")
    assert f"合計{total}件" in ans.text and f"（{most}件）" in ans.text.split("最も多いのは")[1], ans.text[:400]
    assert all(f"{plan.fields[no]} {n}件" in ans.text for no, n in by_field.items() if n), ans.text[:400]
    ans = bot.ask("How many new initiatives are there? Break that down by field and say which field has the most.")
    assert f"In all: {total} initiatives ({total}件)" in ans.text, ans.text[:400]


def test_a_named_rows_department_status_and_kpi_asked_together_are_its_card(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「A」について3点。①所管課、②2026年度の状況、③KPIの目標値。」 for every row with a KPI: the card (department,
    the 2026 status) with the KPI's target."""
    for ini in [i for i in plan.initiatives if i.kpi_ids and "「" not in i.name]:
        ans = bot.ask(f"「{ini.name}」について3点。①所管課、②2026年度の状況、③KPIの目標値。")
        targets = [k.target for k in plan.kpis if k.id in ini.kpi_ids]
        assert ans.grounded and ini.departments[0] in ans.text and any(t in ans.text for t in targets), ans.text[:300]
        assert f"2026年度 {ini.statuses[0].status(2026) or '—'}" in ans.text, ans.text[:300]


def test_words_built_on_a_status_and_a_dash_between_parts_are_not_conditions(plan: Plan) -> None:
    """「既存事業の継続分」「継続性」 name no status, a — between two parts is not 「—」; 新 and not 新 together are said
    back as a misreading; 「がなく」「入っていない」 negate what they follow."""
    from datetime import date

    from assistant.query import contradictory
    from assistant.understand.conditions import read_query
    from assistant.understand.intent import asks
    from assistant.understand.slots import read_slots

    def read(text: str):  # noqa: ANN202
        return read_query(text, plan, read_slots(text, plan, date(2026, 12, 1)), asks(text, []), False, date(2026, 12, 1))

    assert not [c for c in read("「既存事業の継続分」を説明したい。デジタル政策課の取組は？").conds if c.kind == "status"]
    assert not [c for c in read("継続性のある取組を一覧で").conds if c.kind == "status"]
    q = read("暮らしづくり／「新」あり／2026年度が「新規導入」— この条件に当てはまる取組と所管を。")
    assert [c.values for c in q.conds if c.kind == "status"] == [("新規導入",)], q.conds
    assert contradictory(read("「新」マークが付いていない取組のうち新規のものは？").conds)
    for said in ("「新」マークがなく", "「検討」の文字が入っていない"):
        q = read(f"都市づくり分野の取組のうち、{said}ものを一覧で。")
        assert any(c.negated for c in q.conds if c.kind in ("new", "status")), (said, q.conds)


def test_a_status_negated_in_every_year_and_a_bracketed_exclusion_are_those_a_loop_finds(bot, plan: Plan) -> None:  # noqa: ANN001
    """「分野Fの新規取組のうち、4か年のどの年度にも「継続・拡大」が付いていないもの」 and 「…2026年度が「新規実施」
    (新規導入・新規公開ではなく)のもの」 for every field: the rows a loop over every department line finds."""
    for no in sorted(plan.fields):
        new = [i for i in plan.initiatives if i.field_no == no and i.new]
        never = {i.id for i in new if not any(st.status(y) == "継続・拡大" for st in i.statuses for y in range(2026, 2030))}
        ans = bot.ask(f"{plan.fields[no]}分野の新規取組のうち、4か年のどの年度にも「継続・拡大」が付いていないものを一覧で。")
        assert {c.id for c in ans.citations if c.kind == "initiative"} == never, (no, ans.text[:300])
        assert "どの年度も" in ans.text.splitlines()[0], ans.text[:200]
        started = {i.id for i in new if any(st.status(2026) == "新規実施" for st in i.statuses)}
        ans = bot.ask(f"{plan.fields[no]}分野の新規取組のうち、2026年度の欄が「新規実施」(新規導入・新規公開ではなく)のものを示されたい。")
        assert {c.id for c in ans.citations if c.kind == "initiative"} == started, (no, ans.text[:300])


def test_most_and_fewest_asked_together_give_both_ends_from_a_loop(bot, plan: Plan) -> None:  # noqa: ANN001
    """「新マーク付きの取組が最も多い分野と最も少ない分野」: every field's count, the most and the fewest named (not one end
    only, and not by department), in Japanese and English."""
    for new, said in ((True, "新マーク付きの"), (False, "")):
        counts = {no: sum(i.field_no == no and (i.new or not new) for i in plan.initiatives) for no in plan.fields}
        ans = bot.ask(f"{said}取組が最も多い分野と最も少ない分野、それぞれの件数を示されたい。")
        most, least = max(counts.values()), min(counts.values())
        for no, n in counts.items():
            assert f"{plan.fields[no]} {n}件" in ans.text, (no, ans.text[:300])
        assert "最も多いのは" in ans.text and f"（{most}件）" in ans.text and "最も少ないのは" in ans.text, ans.text[:300]
        fewest = [plan.fields[no] for no, n in counts.items() if n == least]
        assert all(f in ans.text.split("最も少ないのは")[1] for f in fewest), ans.text[:300]


def test_a_condition_said_with_if_any_marks_rows_instead_of_filtering(bot, plan: Plan) -> None:  # noqa: ANN001
    """「〈課〉の所管分は何件…新マークが付いているものがあればそれも」 for every department: all its rows counted, the new
    ones counted and marked (a clause 「…があれば」 does not filter)."""
    for dep, rows in sorted(dept_rows(plan).items()):
        ans = bot.ask(f"{dep}の所管分は何件あって、それぞれ何という取組ですか。新マークが付いているものがあればそれも教えてください。")
        assert ans.grounded, (dep, ans.text[:200])
        assert f"{len(rows)}件" in ans.text.splitlines()[0], (dep, ans.text[:300])
        assert all(i.name in ans.text for i in rows), (dep, ans.text[:300])
        if any(i.new for i in rows) and len(rows) > sum(i.new for i in rows):
            assert f"新規（新）は{sum(i.new for i in rows)}件" in ans.text, (dep, ans.text[:300])


def test_a_comparison_whose_groups_are_not_read_is_declined_not_listed(bot, plan: Plan) -> None:  # noqa: ANN001
    """Two viewpoints of a field compared (groups the reader does not take): declined with the part said back, never one
    joined list under the badge — for every field."""
    views = sorted({i.viewpoint for i in plan.initiatives})
    for no, name in sorted(plan.fields.items()):
        ans = bot.ask(f"{name}分野の「{views[0]}」と「{views[1]}」とで、取組数を比較されたい。")
        assert not ans.grounded and "比較" in ans.text, (no, ans.text[:200])


def test_years_after_the_plan_period_are_declined_on_every_route(bot, plan: Plan) -> None:  # noqa: ANN001
    """A year after 2029 (2030–2035, 令和12–17) asked of a department's rows or of one row: the plan's period is said,
    nothing is listed under the badge."""
    deps = sorted(dept_rows(plan))
    for k, year in enumerate(range(2030, 2036)):
        dep, row = deps[k % len(deps)], plan.initiatives[k * 7 % len(plan.initiatives)]
        for q in (f"{dep}所管の取組のうち、令和{year - 2018}年度({year}年度)以降も「継続・拡大」と位置付けられているものを示されたい。",
                  f"「{row.name}」は{year}年度にはどうなる予定ですか？"):
            ans = bot.ask(q)
            assert not ans.grounded and "2026～2029年度" in ans.text, (q, ans.text[:200])


def test_a_year_alone_is_not_answered_with_every_row_of_that_year(bot, plan: Plan) -> None:  # noqa: ANN001
    """A yes/no question whose only condition is a year (its subject not recognised) gets no grounded list of every row
    with something in that year; asked for a list or a count, the year does select those rows."""
    for year in (2026, 2027, 2028, 2029):
        ans = bot.ask(f"あれって{year}ねんにも やっとるんやよね？")
        assert not (ans.grounded and ans.kind in ("list", "count")), (year, ans.text[:200])
        n = sum(any(s.years.get(year) for s in i.statuses) for i in plan.initiatives)
        ans = bot.ask(f"{year}年度に予定が入っている取組はいくつありますか？")
        assert ans.grounded and f"{n}件" in ans.text.splitlines()[0], (year, n, ans.text[:200])


def test_a_status_word_no_row_uses_alone_reads_as_the_statuses_that_hold_it(bot, plan: Plan) -> None:  # noqa: ANN001
    """「R8に試行やってるのは？」「2027年度に拡大の取組」 for every year: 試行 and 拡大 are no row's status on their own,
    so they read as every status that holds them (検討・試行; 継続・拡大 and 拡大検討), said back, rows from a loop."""
    used = {v for i in plan.initiatives for s in i.statuses for v in s.years.values() if v}
    for word in ("試行", "拡大"):
        assert word not in used
        for year in YEARS:
            expected = {i.id for i in plan.initiatives if any(word in (s.years.get(year) or "") for s in i.statuses)}
            ans = bot.ask(f"令和{year - 2018}年度に{word}やってる取組ってどれ？")
            head = ans.text.splitlines()[0]
            count = f"{len(expected)}件" if expected else "ありません"
            assert ans.grounded and count in head, (word, year, ans.text[:200])
            assert all(f"「{u}」" in head for u in used if word in u), (word, head)


def test_a_status_that_comes_up_in_no_year_is_negated(bot, plan: Plan) -> None:  # noqa: ANN001
    """「新規の取組のうち、どの年度にも「S」が出てこないものは何件」 for every status the rows use: the 新 rows none of whose
    lines has S in any year, counted by a loop."""
    used = sorted({v for i in plan.initiatives for s in i.statuses for v in s.years.values() if v})
    for status in used:
        n = sum(i.new and not any(status == v for s in i.statuses for v in s.years.values()) for i in plan.initiatives)
        ans = bot.ask(f"新規の取組のうち、どの年度にも「{status}」が出てこないものは何件ありますか。")
        assert ans.grounded and f"{n}件" in ans.text.splitlines()[0], (status, n, ans.text[:200])


def test_words_before_the_departments_named_describe_them_and_select_no_theme(bot, plan: Plan) -> None:  # noqa: ANN001
    """「〈word〉関係（AとB）の取組は、合わせて何件」 for random department pairs, the word taken from A's own row names:
    every row of A or B counted (the word says which departments, it does not narrow their rows)."""
    rows = dept_rows(plan)
    rng = random.Random(5)
    for a, b in rng.sample(list(combinations(sorted(rows), 2)), 8):
        word = next((t for t in bot.searcher.name_tokens[rows[a][0].id] if len(t) >= 2 and t.isalpha()), None)
        if word is None:
            continue
        n = len({i.id for i in rows[a] + rows[b]})
        ans = bot.ask(f"{word}関係（{a}と{b}）の取組は、合わせて何件になりますか。")
        assert ans.grounded and f"{n}件" in ans.text.splitlines()[0], (a, b, word, n, ans.text[:200])


def test_two_rows_named_without_quotes_and_asked_each_get_both_cards(bot, plan: Plan) -> None:  # noqa: ANN001
    """「AとBについて、それぞれ担当課を教えて」 for random pairs of rows named in full without quotes: both rows and their
    departments are in the answer."""
    rng = random.Random(8)
    names = [i for i in plan.initiatives if "「" not in i.name and "(" not in i.name]
    for a, b in (rng.sample(names, 2) for _ in range(8)):
        ans = bot.ask(f"{a.name}と、{b.name}について、それぞれ担当課を教えて")
        assert ans.grounded, (a.name, b.name, ans.text[:200])
        for i in (a, b):
            assert i.name in ans.text and all(d in ans.text for d in i.departments), (i.name, ans.text[:300])


def test_continuing_projects_are_rows_and_jo_ite_negates(bot, plan: Plan) -> None:  # noqa: ANN001
    """「〈課〉の取組を整理しています。継続事業の棚卸しなので、新マークが付いているものは除いてください」 for every
    department with both kinds of rows: exactly its rows without 新 (「継続事業」 is no status, 「は除いて」 negates)."""
    for dep, rows in sorted(dept_rows(plan).items()):
        old = [i for i in rows if not i.new]
        if not old or len(old) == len(rows):
            continue
        ans = bot.ask(f"{dep}の取組を整理しています。継続事業の棚卸しなので、新マークが付いているものは除いてください。")
        assert ans.grounded and f"{len(old)}件" in ans.text.splitlines()[0], (dep, ans.text[:200])
        assert all(i.name in ans.text for i in old) and not any(i.name in ans.text for i in rows if i.new), dep


def test_kpis_that_are_not_cumulative_are_those_without_the_mark(bot, plan: Plan) -> None:  # noqa: ANN001
    """「累計じゃないKPIだけ一覧に」「累計ではない指標」: exactly the KPIs not marked (累計), from a loop."""
    expected = [k for k in plan.kpis if not k.cumulative]
    for q in ("累計じゃないKPIだけ一覧にしてもらえますか", "累計ではない指標を全部挙げて"):
        ans = bot.ask(q)
        assert ans.grounded and f"{len(expected)}件" in ans.text.splitlines()[0], (q, ans.text[:200])
        assert sorted(k.label for k in plan.kpis if k.label in ans.text) == sorted(k.label for k in expected), q


def test_the_most_of_kpis_not_by_field_is_declined_not_answered_by_field(bot) -> None:  # noqa: ANN001
    """「人数で目標を立ててるKPIで一番多いのは」 asks for the largest target, which the query does not compute: declined,
    never the field with the most KPIs; 「KPIが最も少ない分野」 is still answered."""
    for q in ("人数で目標を立ててるKPIで、一番多いのと一番少ないのはどれ？", "累計のKPIで最も多いのはどれ？"):
        assert not bot.ask(q).grounded, q
    assert bot.ask("KPIの設定数が最も少ない分野はどこ？").grounded


def test_a_status_read_both_as_said_and_as_negated_is_a_misreading(bot) -> None:  # noqa: ANN001
    """「「S」を打ち出していない…どの年度にも「S」の文字が入っていない」 for every status family: S and not S for the same
    years cannot both be meant, so the question is declined and both readings are said back."""
    for word in ("拡大", "試行", "継続・拡大", "検討"):
        ans = bot.ask(f"デジタル政策課所管の取組で「{word}」を打ち出していないものを区別したい。R8〜R11のどの年度にも"
                      f"“{word}”の文字が入っていない取組はどれか。")
        assert not ans.grounded and "同時には成り立たない" in ans.text, (word, ans.text[:200])


def test_still_being_studied_reads_as_study_with_or_without_a_trial(bot, plan: Plan) -> None:  # noqa: ANN001
    """「〈年度〉にまだ検討段階の新規取組」 for every year: the 新 rows with 検討 or 検討・試行 that year, from a loop."""
    for year in YEARS:
        n = sum(i.new and any(s.years.get(year) in ("検討", "検討・試行") for s in i.statuses) for i in plan.initiatives)
        ans = bot.ask(f"新規の取組で、{year}年度にまだ検討段階のものは何件？")
        assert ans.grounded and f"{n}件" in ans.text.splitlines()[0], (year, n, ans.text[:200])


def test_how_many_departments_of_a_field_or_the_plan_is_counted_and_of_one_row_is_its_department(bot, plan: Plan  # noqa: ANN001
                                                                                              ) -> None:
    """「…分野には何課が関わっていますか」 counts the field's distinct departments (with its rows); 「かなパスは何課が
    担当」 asks which department runs one row; a count and a department count asked together are both answered."""
    for no in sorted({i.field_no for i in plan.initiatives}):
        rows = [i for i in plan.initiatives if i.field_no == no]
        name = rows[0].field_name
        deps = {d for i in rows for d in i.departments}
        ans = bot.ask(f"{name}分野には何課が関わっていますか？")
        assert ans.grounded and f"{len(deps)}課" in ans.text, ans.text[:300]
        both = bot.ask(f"{name}分野について: 取組は何件で、何課が担当していますか？")
        assert f"{len(rows)}件" in both.text and f"{len(deps)}課" in both.text, both.text[:300]
    every = {d for i in plan.initiatives for d in i.departments}
    assert f"{len(every)}" in bot.ask("How many distinct 担当課 appear in the initiative table?").text
    one = bot.ask("かなパスは何課が担当していますか？")
    assert one.kind == "who" and "デジタル政策課" in one.text


def test_a_second_ask_after_an_english_also_is_answered_in_its_own_part(bot, plan: Plan) -> None:  # noqa: ANN001
    """「KPIは全部でいくつ…？ Also, 仕事づくりのKPIは？」: the total and the field's KPIs, in two parts."""
    assert two_asks("KPIは全部でいくつ設定されていますか？ Also, 仕事づくりのKPIで一番大きい目標値は？") == (
        "KPIは全部でいくつ設定されていますか？", "仕事づくりのKPIで一番大きい目標値は？")
    ans = bot.ask("KPIは全部でいくつ設定されていますか？ Also, 仕事づくりのKPIの目標値は？")
    field4 = [k for k in plan.kpis if k.field_no == 4]
    assert f"{len(plan.kpis)}件" in ans.text and all(k.target in ans.text for k in field4), ans.text[:300]


def test_a_departments_bureau_is_part_of_its_name_and_a_plans_departments_are_counted_however_named(
        bot, plan: Plan) -> None:  # noqa: ANN001
    """「上下水道の経営企画課」 is 経営企画課 (no theme 上下水道); the distinct departments of the table, however named."""
    rows = dept_rows(plan)
    ans = bot.ask("上下水道の経営企画課が持っている取組は何件ですか。")
    assert f"{len(rows['経営企画課'])}件" in ans.text, ans.text[:300]
    for q in ["取組表の担当課欄に出てくる課（大学・高校・センターなども含めて）は、重複を除くと全部でいくつありますか。",
              "このプランで所管課として名前が出てくる課・局・学校などは、重複を除くと何団体ありますか。"]:
        ans = bot.ask(q)
        assert ans.grounded and f"{len(rows)}課" in ans.text, (q, ans.text[:300])


def test_an_askers_target_client_is_no_kpi_target(bot, plan: Plan) -> None:  # noqa: ANN001
    """'産業政策課 is a target client. What initiatives do they have?' lists its rows, and 'Among those' narrows them."""
    mine = dept_rows(plan)["産業政策課"]
    first = "産業政策課 is a target client. What initiatives do they have?"
    ans = bot.ask(first)
    assert ans.kind in ("list", "count") and f"{len(mine)} initiatives" in ans.text, ans.text[:300]
    new = [i for i in mine if i.new]
    narrowed = bot.ask("Among those, which ones are 新?", history=[first])
    assert f"{len(new)} initiative" in narrowed.text and all(i.name in narrowed.text for i in new), narrowed.text[:400]


def test_an_example_in_brackets_does_not_narrow_a_departments_list(bot, plan: Plan) -> None:  # noqa: ANN001
    """「Dが所管している取組（Xとか）を全部挙げて」: every row of D, not only the one the example names."""
    for dep, rows in sorted(dept_rows(plan).items()):
        if len(rows) < 3:
            continue
        ans = bot.ask(f"{dep}が所管している取組（{rows[0].name}とか）を全部挙げてください。")
        assert f"{len(rows)}件" in ans.text and all(i.name in ans.text for i in rows), (dep, ans.text[:300])


@pytest.mark.parametrize("off", [0, 3])
def test_a_claimed_count_to_confirm_is_answered_with_the_count(bot, plan: Plan, off: int) -> None:  # noqa: ANN001
    """「記事に「新規の取組はN件」と書きたいが、正しいか」 and 'Our draft says the plan has N KPIs. Can you confirm?': the
    count the plan gives, right or wrong N (never a theme list of the claim's words)."""
    new = sum(i.new for i in plan.initiatives)
    deps = {d for i in plan.initiatives for d in i.departments}
    ans = bot.ask(f"記事に「新規の取組は{new + off}件」と書きたいが、正しいか。")
    assert ans.kind == "count" and f"{new}件" in ans.text, ans.text[:200]
    ans = bot.ask(f"原稿に「担当する課は{len(deps) + off}課」とあるが、合っているか。")
    assert f"{len(deps)}課" in ans.text, ans.text[:200]
    ans = bot.ask(f"Our draft says the plan has {len(plan.kpis) + off} KPIs. Can you confirm?")
    assert f"{len(plan.kpis)} KPIs" in ans.text, ans.text[:200]
