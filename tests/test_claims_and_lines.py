"""A claim the asker wrote (read as a claim, not as conditions), a department asserted after の, a compared row read
on the department line the question points at, the start of the rows a second ask narrows to, 「新マークがなく」, and
what is asked beyond a row the asker already knows; on the real plan, every expected value read from the records."""

from __future__ import annotations

import random
import re
from collections import Counter

from assistant.models import Plan
from assistant.query import line_start, start_of


def test_a_claim_the_asker_wrote_names_no_condition(bot, plan: Plan) -> None:  # noqa: ANN001
    """「…はどの分野ですか。記事では「F分野が最多」と書いてしまったのですが。」: the field of most rows is computed over the
    whole plan whichever field the claim names, and the claim's words (書く) choose no rows."""
    counts = Counter(i.field_no for i in plan.initiatives)
    most, n = counts.most_common(1)[0]
    for no, name in sorted(plan.fields.items()):
        ans = bot.ask(f"取組がいちばん多い分野はどこですか。記事では「{name}が最多」と書いてしまったのですが。")
        assert ans.grounded and f"【分野{most}】{plan.fields[most]}（{n}件）" in ans.text, (no, ans.text[:200])
        assert "書く" not in ans.text


def test_a_claimed_count_asked_about_is_still_the_count_asked(bot, plan: Plan) -> None:  # noqa: ANN001
    new = sum(i.new for i in plan.initiatives)
    ans = bot.ask(f"記事に「新規の取組は{new + 3}件」と書きたいのですが、正しいですか。")
    assert ans.grounded and f"{new}件" in ans.text, ans.text[:200]


def test_a_department_asserted_after_no_is_corrected(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「A」、Dの担当でしょ？」 with D not A's department: いいえ, with A's departments, on A's card."""
    departments = sorted({d for i in plan.initiatives for d in i.departments})
    rng = random.Random(8)
    for ini in rng.sample([i for i in plan.initiatives if "「" not in i.name], 6):
        wrong = rng.choice([d for d in departments if d not in ini.departments])
        ans = bot.ask(f"「{ini.name}」って、{wrong}の担当でしょ？")
        first = ans.text.splitlines()[0]
        assert ans.grounded and first.startswith("いいえ") and all(d in first for d in ini.departments), ans.text[:200]


def test_a_compared_row_is_read_on_the_line_the_question_points_at(bot, plan: Plan) -> None:  # noqa: ANN001
    """「国民健康保険料のeL-QR納付」 points at the 保険年金課 line of a row run by four departments: its start is compared."""
    row = next(i for i in plan.initiatives if "eL-QR" in i.name)
    line = next(st for st in row.statuses if st.department == "保険年金課")
    year, status = line_start(line)
    ans = bot.ask("市公式HPへの生成AI導入と、国民健康保険料のeL-QR納付は、どちらが先に始まりますか。")
    assert ans.grounded and f"保険年金課: {year}年度「{status}」" in ans.text, ans.text[:300]


def test_when_the_narrower_rows_start_is_the_second_ask(bot, plan: Plan) -> None:  # noqa: ANN001
    """「Dの取組は何件ありますか。そのうち新規のものはどれで、いつ導入されますか。」: the count, and each new row's start (a row
    only studied: its first study)."""
    rows: dict[str, list] = {}
    for i in plan.initiatives:
        for d in i.departments:
            rows.setdefault(d, []).append(i)
    chosen = sorted(d for d, rs in rows.items() if 2 <= len(rs) <= 20 and any(i.new for i in rs)
                    and all(len(i.statuses) == 1 for i in rs))
    for dep in random.Random(4).sample(chosen, 5):
        ans = bot.ask(f"{dep}が担当する取組は何件ありますか。そのうち新規のものはどれで、いつ導入されますか。")
        assert ans.grounded and f"取組は{len(rows[dep])}件" in ans.text, ans.text[:300]
        for ini in (i for i in rows[dep] if i.new):
            year, status = start_of(ini.statuses[0], ())
            line = next(ln for ln in ans.text.splitlines() if f"「{ini.name}」" in ln)
            assert f"[{year}年度「{status}」から]" in line, line


def test_new_mark_ga_naku_negates(bot, plan: Plan) -> None:  # noqa: ANN001
    """「分野Nで、新マークがなく、2026年度が「継続」の取組は何件」: rows without 新, counted from a loop."""
    for no in sorted(plan.fields):
        n = sum(1 for i in plan.initiatives if i.field_no == no and not i.new
                and any(st.years.get(2026) == "継続" for st in i.statuses))
        ans = bot.ask(f"分野{no}で、新マークがなく、2026年度が「継続」の取組は何件ありますか。")
        said = f"{n}件" if n else "ありません"
        assert ans.grounded and "新規ではない" in ans.text and said in ans.text, (no, ans.text[:200])


def test_what_is_asked_beyond_a_row_one_knows_is_not_in_the_plan(bot) -> None:  # noqa: ANN001
    """「点検に使うのはニュースで見たけど配送は？」: the drone rows are what the asker knows; 配送 is not in the plan."""
    ans = bot.ask("ドローンで荷物届けるやつ金沢でもやるってマ？ 点検に使うのはニュースで見たけど配送は？")
    assert not ans.grounded and "配送" in ans.text.splitlines()[0], ans.text[:200]


def test_a_department_the_plan_does_not_have_asserted_as_the_runner_is_corrected(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「A」って環境政策課がやってるんだよね？」 names a department the plan does not have: いいえ, with A's departments, on
    A's card (the made-up department's words are no content the row must hold)."""
    known = {d for i in plan.initiatives for d in i.departments}
    made_up = [d for d in ("環境政策課", "市民サービス課", "情報システム課") if d not in known]
    rows = [i for i in plan.initiatives if "「" not in i.name]
    for dep, ini in zip(made_up, random.Random(2).sample(rows, len(made_up)), strict=True):
        ans = bot.ask(f"「{ini.name}」って{dep}がやってるんだよね？")
        first = ans.text.splitlines()[0]
        assert ans.grounded and first.startswith("いいえ") and all(d in first for d in ini.departments), ans.text[:200]


def test_a_phone_is_how_an_apps_row_is_used(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「Xアプリ」ってスマホで使えるの？」 'Can I use … on my phone?' of a row whose name is an app: its card, not the
    phone as what the row lacks."""
    apps = [i for i in plan.initiatives if re.search(r"「[^」]*アプリ[^」]*」", i.name)]
    assert len(apps) >= 3
    for ini in apps:
        name = re.search(r"「([^」]*アプリ[^」]*)」", ini.name).group(1)
        for q in (f"「{name}」ってスマホで使えるの？", f"Can I use 「{name}」 on my phone?"):
            ans = bot.ask(q)
            assert ans.grounded and ans.citations[0].id == ini.id, (q, ans.text[:200])


def test_a_question_in_a_kpis_words_is_about_its_row(bot, plan: Plan) -> None:  # noqa: ANN001
    """「一時預かり施設オンライン予約の取組って、どこの課がやってるの？」 fits one KPI's label best, not a row's name: the
    card of the KPI's row, for every KPI linked to one row."""
    linked = [k for k in plan.kpis if len(k.initiative_ids) == 1]
    assert len(linked) >= 10
    for k in linked:
        words = re.sub(r"「[^」]*」|\(累計\)|数|率|割合", " ", k.label).strip()
        ans = bot.ask(f"{words}の取組って、どこの課がやってるの？")
        assert ans.grounded and ans.citations[0].id == k.initiative_ids[0], (k.label, ans.text[:200])


def test_two_departments_lines_of_one_row_are_compared_year_by_year(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「A」で、D1とD2はY年度に同じ状況？」 for every row run by several departments and each pair of them: same or not,
    from the two lines."""
    from itertools import combinations

    from assistant.query import NONE

    asked = 0
    for ini in (i for i in plan.initiatives if len(i.statuses) >= 2):
        for a, b in combinations(ini.statuses, 2):
            for y in (2026, 2027):
                same = (a.years.get(y) or NONE) == (b.years.get(y) or NONE)
                ans = bot.ask(f"「{ini.name}」で、{a.department}と{b.department}は{y}年度に同じ状況ですか？")
                verdict = "の状況は同じです。" if same else "の状況は同じではありません。"
                assert ans.grounded and verdict in ans.text.splitlines()[0], (ini.name, a.department, b.department, y)
                asked += 1
    assert asked >= 10


def test_an_english_ask_restated_in_japanese_after_a_dash_is_read_once(bot, plan: Plan) -> None:  # noqa: ANN001
    """'Among the 新 initiatives, which ones are NOT launched in FY2026 — 2026年度が「新規…」ではなく、「S」のもの？': the
    Japanese says the negation again, so the English NOT is no unread condition; the rows come from a loop."""
    statuses = sorted({st.years[2026] for i in plan.initiatives if i.new for st in i.statuses
                       if st.years.get(2026) and not st.years[2026].startswith("新規")})
    assert len(statuses) >= 2
    for s in statuses:
        rows = [i for i in plan.initiatives if i.new and any(st.years.get(2026) == s for st in i.statuses)]
        ans = bot.ask(f"Among the 新 initiatives, which ones are NOT launched in FY2026 — 2026年度が「新規導入」「新規実施」"
                      f"「新規公開」ではなく、「{s}」のもの？")
        assert ans.grounded and f"{len(rows)} initiative" in ans.text.splitlines()[0], (s, ans.text[:200])
        assert {i.id for i in rows} <= {c.id for c in ans.citations}


def test_terse_new_mark_negated_or_narrowed(bot, plan: Plan) -> None:  # noqa: ANN001
    """「分野N 新じゃない取組 何件?」 negates 新, not the field; 「at least two departments の取組 何件?」 then 「そのうち新は?」
    narrows those rows to the new ones; every count from a loop."""
    for no in sorted(plan.fields):
        n = sum(1 for i in plan.initiatives if i.field_no == no and not i.new)
        ans = bot.ask(f"分野{no} 新じゃない取組 何件?")
        assert ans.grounded and f"{n}件" in ans.text.splitlines()[0] and "新規ではない" in ans.text, (no, ans.text[:200])
    for k, word in ((2, "two"), (3, "three")):
        rows = [i for i in plan.initiatives if len(i.departments) >= k]
        first = f"at least {word} departments の取組 何件?"
        assert f"{len(rows)}件" in bot.ask(first).text.splitlines()[0]
        ans = bot.ask("そのうち新は?", history=[first])
        new = sum(i.new for i in rows)
        assert ans.grounded and f"前の回答の{len(rows)}件のうち" in ans.text and (f"{new}件" in ans.text or not new), ans.text


def test_two_rows_named_without_quotes_are_compared_in_a_year(bot, plan: Plan) -> None:  # noqa: ANN001
    """「A と B R9 同じステータス?」 with both rows' whole names, unquoted: same or not in 2027, from their lines."""
    single = [i for i in plan.initiatives if len(i.statuses) == 1 and "「" not in i.name and "(" not in i.name]
    rng = random.Random(6)
    for _ in range(6):
        a, b = rng.sample(single, 2)
        same = a.statuses[0].years.get(2027) == b.statuses[0].years.get(2027)
        ans = bot.ask(f"{a.name} と {b.name} R9 同じステータス?")
        assert ans.grounded and ans.text.startswith("はい、同じです。" if same else "いいえ、同じではありません。"), (
            a.name, b.name, ans.text[:200])


def test_departments_with_at_least_n_rows_are_listed_from_a_loop(bot, plan: Plan) -> None:  # noqa: ANN001
    """「取組N件以上持ってる課」 (also among 新 rows, and in English): exactly the departments with that many rows."""
    for n, new_only in ((3, False), (4, False), (6, False), (2, True), (3, True)):
        counts = Counter(d for i in plan.initiatives if i.new or not new_only for d in i.departments)
        want = {d for d, c in counts.items() if c >= n}
        ans = bot.ask(f"{'新規の' if new_only else ''}取組を{n}件以上持っている課は？")
        first = ans.text.splitlines()[0]
        assert ans.grounded and f"{n}件以上の担当課は{len(want)}課です" in first, (n, new_only, first)
        assert all(f"{d} {counts[d]}件" in first for d in want), first
    counts = Counter(d for i in plan.initiatives for d in i.departments)
    ans = bot.ask("Which departments have more than 4 initiatives?")
    assert f": {sum(c > 4 for c in counts.values())} —" in ans.text.splitlines()[0], ans.text[:200]


def test_table_filters_written_as_comparisons_are_read(bot, plan: Plan) -> None:  # noqa: ANN001
    """「担当課数≧N、かつ新＝無」 and 「担当課数N以上」: the number of departments and the 新 mark as filters, from a loop."""
    for n in (2, 3):
        for form in (f"担当課数≧{n}", f"担当課数{n}以上"):
            for not_new in (False, True):
                rows = [i for i in plan.initiatives if len(i.departments) >= n and not (not_new and i.new)]
                text = f"{form}で、かつ新＝無の取組は？" if not_new else f"{form}の取組は？"
                first = bot.ask(text).text.splitlines()[0]
                assert f"担当課が{n}つ以上" in first and f"{len(rows)}件" in first, (text, first)
                assert not not_new or "新規ではない" in first, (text, first)
