"""A named row's own KPI, two KPIs asked together, a schedule asked of a short list, a narrowing after a decline or
a correction, a department's name inside row names, and the embedded part of a long question; on the real plan,
every expected value read from the parsed records."""

from __future__ import annotations

import random

from assistant.embeddings import fit_tokens
from assistant.models import YEARS, Plan


def row(plan: Plan, *words: str):  # noqa: ANN201 - Initiative
    """The one row whose name holds every word."""
    (found,) = [i for i in plan.initiatives if all(w in i.name for w in words)]
    return found


def cited(ans) -> set[str]:  # noqa: ANN001 - Answer
    """The ids an answer cites."""
    return {c.id for c in ans.citations}


def test_a_row_named_in_other_words_gets_its_own_kpi_not_one_sharing_a_word(bot, plan: Plan) -> None:  # noqa: ANN001
    ini = row(plan, "公式HP", "生成AI")
    assert ini.kpi_ids
    ans = bot.ask("公式HPへの生成AI導入の担当課と、関連するKPIの目標値を教えて")
    assert ans.grounded and all(d in ans.text for d in ini.departments)
    for k in (plan_kpi for plan_kpi in plan.kpis if plan_kpi.id in ini.kpi_ids):
        assert k.target in ans.text and k.id in cited(ans)
    shared = [k for k in plan.kpis if "AI導入" in k.label]
    assert shared and not any(k.target in ans.text and k.id in cited(ans) for k in shared if k.id not in ini.kpi_ids)


def test_two_kpis_asked_together_get_both_targets(bot, plan: Plan) -> None:  # noqa: ANN001
    users = next(k for k in plan.kpis if "かなパス" in k.label and "利用者" in k.label)
    sessions = next(k for k in plan.kpis if "スマートフォン講座" in k.label)
    ans = bot.ask("かなパスの利用者数目標と、かなざわスマートフォン講座の開催コマ数目標は？")
    assert ans.grounded and {users.id, sessions.id} <= cited(ans)
    assert users.target in ans.text and sessions.target in ans.text
    one = bot.ask("いしかわ中央子育てアプリの一時預かり施設のオンライン予約率の目標")  # one KPI named: one target
    assert [c.id for c in one.citations if c.kind == "kpi"] == [k.id for k in plan.kpis if "一時預かり" in k.label]


def test_a_schedule_asked_of_a_short_list_shows_each_rows_years(bot, plan: Plan) -> None:  # noqa: ANN001
    a, b = "保険年金課", "料金センター"
    ans = bot.ask(f"{a}と{b}で比べると、年度ごとの状況はどう違う？")
    rows = [i for i in plan.initiatives if {a, b} & set(i.departments)]
    assert ans.grounded and {i.id for i in rows} <= cited(ans)
    for ini in rows:
        line = next(ln for ln in ans.text.splitlines() if f"「{ini.name}」" in ln)
        assert all(f"{y}:" in line for y in YEARS), line


def test_narrowing_after_a_decline_is_declined_not_answered_over_the_whole_plan(bot) -> None:  # noqa: ANN001
    first = bot.ask("粗大ごみの収集をネットで申し込める取組はある？")
    assert not first.grounded
    ans = bot.ask("その中で、市立病院事務局が担当していないものだけにしてください。", history=["粗大ごみの収集をネットで申し込める取組はある？"])
    assert not ans.grounded and "前の回答の一覧" in ans.text
    en = bot.ask("Of those, which are new?", history=["Can I apply for bulky waste collection online?"])
    assert not en.grounded


def test_a_correction_inside_a_narrowing_keeps_the_earlier_list(bot, plan: Plan) -> None:  # noqa: ANN001
    base = [i for i in plan.initiatives if i.field_no == 2 and i.new]
    want = {i.id for i in base if any(st.years[2026] == "新規実施" for st in i.statuses)}
    ans = bot.ask(f"その{len(base)}件のうち、2026年度の欄が「新規実施」(新規導入・新規公開ではなく)となっているものは？",
                  history=["暮らしづくり分野で「新」マークの付いた取組は何件ありますか。"])
    assert ans.grounded and f"前の回答の{len(base)}件のうち" in ans.text
    assert {c.id for c in ans.citations if c.kind == "initiative"} == want


def test_a_department_named_like_its_rows_is_counted_with_each_rows_year(bot, plan: Plan) -> None:  # noqa: ANN001
    dep = "市立病院事務局"
    rows = [i for i in plan.initiatives if dep in i.departments]
    assert any("市立病院" in i.name for i in rows)  # its name is inside row names: no row is named by it
    ans = bot.ask(f"{dep}の分はいくつあって、それぞれ2027年度はどういう状況？")
    assert ans.grounded and f"{len(rows)}件" in ans.text
    assert {c.id for c in ans.citations if c.kind == "initiative"} == {i.id for i in rows}


def test_the_embedded_part_of_a_long_question_is_never_a_short_last_sentence_alone() -> None:
    """For random sentences and budgets (one token per character): the last sentences when they fill half the
    budget, else the tail; always within the budget and the text's own end."""
    rng = random.Random(5)
    for _ in range(300):
        sentences = ["あ" * rng.randint(1, 30) + "。" for _ in range(rng.randint(1, 5))]
        text, budget = "".join(sentences), rng.randint(4, 40)
        got = fit_tokens(text, budget, len)
        assert text.endswith(got) and len(got) <= budget
        if len(text) <= budget:
            assert got == text
        elif len(sentences[-1]) < budget // 2:
            assert len(got) >= budget // 2, (sentences, budget, got)


def test_two_quoted_rows_compared_in_a_year_get_a_verdict_from_their_lines(bot, plan: Plan) -> None:  # noqa: ANN001
    """「…年度において「A」と「B」の状況は同じか」 for random pairs of one-department rows: yes or no, from the rows."""
    rng = random.Random(8)
    single = [i for i in plan.initiatives if len(i.statuses) == 1 and "「" not in i.name]
    for _ in range(6):
        a, b = rng.sample(single, 2)
        y = rng.choice(YEARS)
        ans = bot.ask(f"{y}年度において、「{a.name}」と「{b.name}」の状況は同じですか。")
        same = a.statuses[0].years[y] == b.statuses[0].years[y]
        assert ans.text.startswith("はい" if same else "いいえ"), (a.name, b.name, y, ans.text[:200])


def test_an_english_setting_aside_excludes_the_department(bot, plan: Plan) -> None:  # noqa: ANN001
    counts: dict[str, int] = {}
    for i in plan.initiatives:
        for d in i.departments:
            counts[d] = counts.get(d, 0) + 1
    top = max(counts, key=counts.get)
    rest = {d: n for d, n in counts.items() if d != top}
    best = max(rest.values())
    ans = bot.ask(f"Setting {top} aside, which department is responsible for the largest number of initiatives?")
    assert ans.grounded and f"{best} initiatives" in ans.text and f"{top} has the most" not in ans.text
    assert any(f"{d} has the most" in ans.text or d in ans.text.split("\n")[0] for d, n in rest.items() if n == best)
