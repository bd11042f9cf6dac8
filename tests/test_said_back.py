"""What a question leans on that the answer must not guess: a demonstrative with nothing before it, a follow-up about
the last row's years, three asks at once, 「—」 said twice, when a row starts, what the asker says is already in the
plan, and English words that name another row. On the real plan, over whole classes of rows and departments."""

from __future__ import annotations

import re

from assistant.glossary import EN_JA
from assistant.models import YEARS, Plan
from assistant.query import line_start
from assistant.text import fold_kana, many_asks, morphemes
from assistant.understand.slots import department_stem

OPENERS = ["それって", "ほぉ それって", "じゃあ、それは", "その取組は"]


def departments(plan: Plan) -> list[str]:
    """Every department of the plan, once."""
    return list(dict.fromkeys(d for i in plan.initiatives for d in i.departments))


def test_a_demonstrative_with_nothing_before_it_is_asked_back_for_every_department(bot, plan: Plan) -> None:  # noqa: ANN001
    """「それってDの担当ながやね？」 opening a conversation: what it refers to is unknown, so no row's card or list
    (departments whose stem is in a row's name, 金沢マラソン推進課, name that row)."""
    names = " ".join(i.name for i in plan.initiatives)
    for k, dep in enumerate(d for d in departments(plan) if department_stem(d) not in names):
        ans = bot.ask(f"{OPENERS[k % len(OPENERS)]}{dep}の担当ながやね？")
        assert ans.grounded is False and "どの取組" in ans.text, (dep, ans.text)


def test_a_demonstrative_after_a_row_is_about_that_row(bot, plan: Plan) -> None:  # noqa: ANN001
    """The same question after a turn naming a row is answered about that row, and a wrong department is corrected."""
    rows = [i for i in plan.initiatives if "「" in i.name][:8]
    others = departments(plan)
    for ini in rows:
        wrong = next(d for d in others if d not in ini.departments)
        ans = bot.ask(f"それって{wrong}の担当ですよね？", history=[f"{ini.name}の担当は？"])
        assert ans.grounded is True and all(d in ans.text for d in ini.departments), (ini.name, ans.text)
        assert ans.text.startswith("いいえ"), ans.text


def test_a_question_that_describes_what_it_points_at_is_not_asked_back(bot) -> None:  # noqa: ANN001
    """「…透明な画面、あれって…」 and 「…を拝見しましたが、これは…」 name what they point at themselves."""
    for q in ["保険の窓口にある、すぐ字幕と翻訳が出る透明な画面、あれってどこの課の担当ですか",
              "広報で「DXアクションプラン2.0」を拝見しましたが、これはいつからいつまでの計画なのでしょうか。"]:
        ans = bot.ask(q)
        assert ans.grounded is True, (q, ans.text)


def test_a_follow_up_about_the_last_rows_year_and_status_gets_that_rows_schedule(bot, plan: Plan) -> None:  # noqa: ANN001
    """「了解。で、令和9年度は「継続」ってことでいいのかな」 after a row's card: that row's 2027 status, not a list of every
    row that is 継続 in 2027 (for every row whose 2027 is not 継続 in all its lines)."""
    rows = [i for i in plan.initiatives if any(st.years[2027] not in (None, "継続") for st in i.statuses)]
    assert len(rows) >= 10
    for ini in rows:
        ans = bot.ask("了解。で、令和9年度は「継続」ってことでいいのかな。", history=[f"「{ini.name}」の担当は？"])
        assert ans.grounded is True and ans.kind in ("schedule", "who"), (ini.name, ans.text)
        assert all(st.years[2027] in ans.text for st in ini.statuses if st.years[2027]), (ini.name, ans.text)
        assert "該当する取組は" not in ans.text, ans.text


def test_three_asks_said_as_such_are_declined_unless_one_named_rows_card_answers_them(bot, plan: Plan) -> None:  # noqa: ANN001
    """「Dの取組について、①件数、②それぞれの分野、③…」 for every department: declined (a list cannot answer all three),
    unless the answer gives every row with its field and 2026 status; 「「X」について3点。①所管課、②2026年度の状況、③分野」
    for named rows: answered (the card, then the rest)."""
    for dep in departments(plan):
        ans = bot.ask(f"{dep}の取組について、①件数、②それぞれの分野、③各取組の2026年度の状況、を教えてください。")
        rows = [i for i in plan.initiatives if dep in i.departments]
        if ans.grounded:
            assert f"{len(rows)}件" in ans.text and all(i.name in ans.text and i.field_name in ans.text for i in rows), (
                dep, ans.text)
        else:
            assert "3つ以上" in ans.text, (dep, ans.text)
    for ini in [i for i in plan.initiatives if "「" in i.name][:8]:
        ans = bot.ask(f"「{ini.name}」について3点。①所管課、②2026年度の状況、③分野。")
        assert ans.grounded is True and all(d in ans.text for d in ini.departments), (ini.name, ans.text)
    assert many_asks("次の3点を示されたい") and many_asks("①所管②状況③KPI") and not many_asks("③同じ課の取組は？")
    assert not many_asks("分野5の(3)防災・減災対策の推進の取組は？") and not many_asks("・対象:分野5\n・除外:新\n・出力:担当課")


def test_a_dash_said_again_in_words_reads_as_nothing_planned(bot, plan: Plan) -> None:  # noqa: ANN001
    """「R{n}の欄が「—」で何も記載されていない取組」: the rows with — that year (counted here from the table), not those
    with something planned."""
    for year in YEARS[1:]:
        none = [i for i in plan.initiatives if all(st.years[year] is None for st in i.statuses)]
        ans = bot.ask(f"R{year - 2018}（令和{year - 2018}年度）の欄が「—」で何も記載されていない取組を挙げよ。")
        if not none:
            assert "該当する取組は" not in ans.text or "0件" in ans.text, ans.text
            continue
        assert ans.grounded is True and f"{len(none)}件" in ans.text, (year, ans.text)
        assert all(i.name in ans.text for i in none), (year, ans.text)


def test_which_starts_first_reads_a_study_year_as_not_yet_started(bot, plan: Plan) -> None:  # noqa: ANN001
    """Two rows of one department, one studied (検討) before it starts: the other, started in 2026, comes first; each
    start is the line's first 新規… or non-study status (the one definition the premise checks use too)."""
    lines = [(i, st) for i in plan.initiatives for st in i.statuses]
    studied = [(i, st) for i, st in lines if st.years[2026] and "検討" in st.years[2026] and line_start(st)]
    assert studied
    for ini, st in studied:
        other = next(((o, ost) for o, ost in lines if ost.department == st.department and o.id != ini.id
                      and line_start(ost) and line_start(ost)[0] == 2026), None)
        if other is None:
            continue
        ans = bot.ask(f"「{ini.name}」と「{other[0].name}」、{st.department}ではどっちが先に始まる？")
        assert ans.grounded is True and ans.text.startswith(f"「{other[0].name}」のほうが先"), (ini.name, ans.text)
        assert f"{line_start(st)[0]}年度" in ans.text, ans.text


def test_progress_against_a_target_is_a_figure_the_plan_never_gives(bot, plan: Plan) -> None:  # noqa: ANN001
    """「目標に対してどこまで進んでいるか」 for every KPI: the plan gives targets, not progress (grounded=False)."""
    for k in plan.kpis:
        ans = bot.ask(f"「{k.label}」について、目標の{k.target}に対してどこまで進んでいるのか確認したい。")
        assert ans.grounded is False and "実績" in ans.text, (k.label, ans.text)


def test_an_exact_month_asked_in_english_is_a_date_the_plan_never_gives(bot, plan: Plan) -> None:  # noqa: ANN001
    """'When exactly … which month?' for every row new in 2026: the plan gives fiscal years only."""
    for ini in [i for i in plan.initiatives if any((st.years[2026] or "").startswith("新規") for st in i.statuses)]:
        ans = bot.ask(f"When exactly will 「{ini.name}」 start? Which month of 2026?")
        assert ans.grounded is False, (ini.name, ans.text)


def test_a_service_asked_after_what_the_plan_lists_is_not_answered_by_that_row(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「X」が新規で位置付けられていますが、Yについて所管課を示されたい」: X is what the asker knows; Y (words no row
    holds) is what is asked, so X's card is no answer."""
    for ini in [i for i in plan.initiatives if i.new][:10]:
        ans = bot.ask(f"「{ini.name}」が新規で位置付けられていますが、市議会の本会議資料を議員用タブレットで配る"
                      "取組について、位置付け及び所管課を示されたい。")
        assert ans.grounded is False, (ini.name, ans.text)


def test_an_english_word_for_another_rows_topic_is_not_answered_by_this_rows_card(bot, plan: Plan) -> None:  # noqa: ANN001
    """'Is it true the art college makes the Jomon site digital?': 縄文 is another row's word (few rows hold it), so
    the art college's card is no answer; the plain question about the Jomon row is answered by its card."""
    jomon = next(i for i in plan.initiatives if "縄文" in i.name)
    assert EN_JA["jomon"] == "縄文" and sum("縄文" in i.name for i in plan.initiatives) == 1
    ans = bot.ask("I am a student at Kanazawa College of Art. My friend says our university is making the Jomon "
                  "World digital, the old Jomon site. Is it true our college is in charge?")
    assert ans.grounded is False and not re.search(r"no initiative about 「jomon", ans.text), ans.text
    assert jomon.name in ans.text
    ans = bot.ask("Which department is making the Jomon World digital?")
    assert ans.grounded is True and all(d in ans.text for d in jomon.departments), ans.text


def test_at_least_n_departments_counts_the_rows_run_by_that_many(bot, plan: Plan) -> None:  # noqa: ANN001
    """「N つ以上の課が担当する取組」 for N = 2, 3, 4: the rows with that many departments (counted here), said back."""
    for n, said in ((2, "2つ以上"), (3, "3つ以上"), (4, "四つ以上")):
        rows = [i for i in plan.initiatives if len(i.departments) >= n]
        ans = bot.ask(f"{said}の課が一緒に担当してる取組ってどれ？")
        assert ans.grounded is True and f"{len(rows)}件" in ans.text, (n, ans.text)
        assert all(i.name in ans.text for i in rows) and f"担当課が{n}つ以上" in ans.text, (n, ans.text)


def test_every_row_quoted_whole_gets_its_card_however_its_words_tie(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「X」について。①所管課、②2026年度の状況」 with X a row's whole name (nested quotes included): X's card."""
    for ini in plan.initiatives:
        ans = bot.ask(f"「{ini.name}」について。①所管課、②2026年度の状況。")
        assert ans.grounded is True and ini.name in ans.text, (ini.name, ans.text)
        assert all(d in ans.text for d in ini.departments), (ini.name, ans.text)


def test_a_count_of_kpis_asked_beside_a_target_is_not_dropped(bot, plan: Plan) -> None:  # noqa: ANN001
    """「分野のKPIはいくつ設定されているか・「K」の目標値」 for every KPI: the count is not silently left out (a single
    target is no answer to how many); 「KのKPIはいくつ？」 alone asks the target and gets it."""
    for k in plan.kpis:
        ans = bot.ask(f"{k.field_name}分野のKPIについて。\n・KPIはいくつ設定されているか\n・「{k.label}」の目標値")
        assert ans.grounded is False or f"{sum(x.field_no == k.field_no for x in plan.kpis)}件" in ans.text, (
            k.label, ans.text)


def test_rows_tied_on_a_channel_word_alone_are_no_choice_to_offer(bot) -> None:  # noqa: ANN001
    """A kana-only question whose only word the rows hold is スマホ: no 'which of these did you mean'."""
    ans = bot.ask("ゆきのひに じょせつしゃが いま どこ はしっとるか スマホの ちずで みれるように なるがけ？")
    assert ans.grounded is False, ans.text


def hiragana(text: str) -> str:
    """The text as Sudachi reads it, in hiragana (how a kana-only question writes a row's name)."""
    return fold_kana("".join(reading if reading else surface for surface, _pos, _d, reading in morphemes(text)))


def test_a_kana_question_is_answered_by_its_reading_and_never_by_chance_pieces(bot, plan: Plan) -> None:  # noqa: ANN001
    """Every 「」 name of a row written in hiragana inside a long kana question names its row (its department); a kana
    question about what the plan lacks (図書館の予約をLINEで…) is no row's answer, whatever pieces of it match."""
    answered = []
    for ini in [i for i in plan.initiatives if "「" in i.name]:
        name = re.findall(r"「([^「」]+)」", ini.name)[0]
        if not re.fullmatch(r"[ァ-ヶー一-龥ぁ-ん]+", name):
            continue  # a Latin name (KANAZAWA FREE Wi-Fi) is typed as it is
        ans = bot.ask(f"{hiragana(name)} って いうの あるやろ あれ どこの かが たんとう しとるん？")
        assert ans.grounded is False or any(d in ans.text for d in ini.departments), (ini.name, ans.text)
        answered.append(ans.grounded)
    assert sum(answered) >= len(answered) // 2, answered
    for q in ["としょかんの ほんを LINEで よやく したり かえす ひを おしえて もらえるように なりますか",
              "びょういんの まちじかんを すまほで みられるように なるって ほんと？ どこが やるの？"]:
        assert bot.ask(q).grounded is False, q


def test_a_row_count_asked_beside_one_rows_card_is_not_dropped(bot, plan: Plan) -> None:  # noqa: ANN001
    """「分野Fについて、取組の総数と、「X」の所管」 for a row X of every field: X's card alone does not say how many rows
    the field has, so the reply is not grounded unless it gives that count (counted here)."""
    for no in sorted({i.field_no for i in plan.initiatives}):
        rows = [i for i in plan.initiatives if i.field_no == no]
        ini = rows[0]
        ans = bot.ask(f"{ini.field_name}分野について、取組の総数と、「{ini.name}」の所管を教えて。")
        assert ans.grounded is False or f"{len(rows)}件" in ans.text, (no, ans.text)


def test_why_a_named_row_is_as_it_is_is_no_plan_section(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「X」が…なのはなぜですか」 for rows named: the plan gives no row's reasons, so no section (策定の趣旨) answers it;
    why the plan itself was made is answered by its section."""
    for ini in plan.initiatives[:20]:
        ans = bot.ask(f"「{ini.name}」が2029年度まで続くのはなぜですか。")
        assert ans.grounded is False, (ini.name, ans.text)
    assert bot.ask("このプランはなぜ作られたのですか？").grounded is True


def test_it_counted_by_group_after_a_list_counts_that_list(bot, plan: Plan) -> None:  # noqa: ANN001
    """「それを分野ごとの件数にすると」 after a department's list: that department's rows by field (counted here)."""
    for dep in ["デジタル政策課", "産業政策課", "交通政策課"]:
        rows = [i for i in plan.initiatives if dep in i.departments]
        ans = bot.ask("それを分野ごとの件数にするとどうなる", history=[f"{dep}が担当している取組を全部教えてください"])
        assert ans.grounded is True and f"前の回答の{len(rows)}件" in ans.text, (dep, ans.text)
        for no in {i.field_no for i in rows}:
            assert f"{sum(i.field_no == no for i in rows)}件" in ans.text, (dep, no, ans.text)
