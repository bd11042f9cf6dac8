"""The coverage check (answers/coverage.py) and the premise checks (answers/answerable.py), on the real plan."""

from __future__ import annotations

import random

import pytest

from assistant.answers.coverage import MISSING, discourse, missing
from assistant.models import YEARS, Plan
from assistant.understand.frame import understand


def plan_text(plan: Plan) -> str:
    """Every initiative's name, goal, viewpoint and field, as one string."""
    return " ".join(" ".join([i.name, i.goal, i.viewpoint, i.field_name]) for i in plan.initiatives)


def test_every_row_holds_the_words_of_its_own_name(bot, plan: Plan) -> None:  # noqa: ANN001
    """A question made of a row's name never finds words missing from that row (the whole class: every row)."""
    r = bot.records
    for ini in plan.initiatives:
        f = understand(f"{ini.name}に関する取組を一覧で", plan, bot.searcher)
        assert missing(r, f, [r.cite_initiative(ini)]) == [], ini.name


# words no row's name, goal or field uses (checked against the plan below, so the test fails if the plan gains them)
ABSENT = ["投票", "粗大", "勤怠", "入園券", "検診", "駐輪", "除草", "墓地", "狩猟", "婚活"]
THEMES = ["スマホ", "アプリ", "オンライン", "AI", "LINE"]


def test_a_theme_list_about_words_the_plan_lacks_is_declined_and_names_them(bot, plan: Plan) -> None:  # noqa: ANN001
    text = plan_text(plan)
    absent = [w for w in ABSENT if w not in text]
    assert len(absent) >= 6
    rng = random.Random(7)
    for _ in range(12):
        a, b = rng.sample(absent, 2)
        theme = rng.choice(THEMES)
        ans = bot.ask(f"{a}の{b}を{theme}でできるようにする取組はありますか？")
        assert ans.grounded is False and ans.kind in ("not_in_plan", "decline", "candidates"), ans.text
        if ans.kind == "not_in_plan":
            assert a in ans.text and b in ans.text


@pytest.mark.parametrize("question", ["防災に関する取組を一覧で", "確認ですが、子育ての取組を全部リストアップしてください",
                                      "議員です。観光の取組を一覧で見せて", "ドローンを活用した取組は？"])
def test_a_theme_the_rows_hold_is_answered_whatever_the_asker_says_about_themselves(bot, question: str) -> None:  # noqa: ANN001
    ans = bot.ask(question)
    assert ans.grounded is True and ans.kind in ("list", "count"), ans.text


def test_the_department_that_runs_a_row_does_not_hold_the_rows_topic(bot, plan: Plan) -> None:  # noqa: ANN001
    assert any("納税課" in i.departments for i in plan.initiatives) and "ふるさと" not in plan_text(plan)
    assert bot.ask("ふるさと納税のオンライン化の取組はある？").grounded is False


def test_english_near_miss_services_are_declined(bot) -> None:  # noqa: ANN001
    for q in ["Does the plan include self-driving autonomous shuttle trials with an app?",
              "Is there an online voting system for elections in the plan?"]:
        assert bot.ask(q).grounded is False, q


def test_discourse_words_are_folded_like_the_tokens() -> None:
    assert "確認" in discourse() and "りすと" in discourse() and "target" in discourse()
    assert MISSING >= 2  # one unknown word (a paraphrase, a persona) never declines on its own


def single_line_rows(plan: Plan) -> list:
    """Rows run by one department, with at least one planned year."""
    return [i for i in plan.initiatives if len(i.statuses) == 1 and any(i.statuses[0].years.values())]


def test_an_asserted_end_year_is_confirmed_or_corrected_from_the_row(bot, plan: Plan) -> None:  # noqa: ANN001
    rng = random.Random(3)
    for ini in rng.sample(single_line_rows(plan), 8):
        year = rng.choice(YEARS[:-1])
        later = [y for y in YEARS if y > year and ini.statuses[0].years[y]]
        text = bot.ask(f"「{ini.name}」は{year}年度で終わるんですか？").text
        assert text.startswith("いいえ" if later else "はい"), (ini.name, year, text)
        if later:
            assert f"{max(later)}年度まで" in text.splitlines()[0]


def test_an_asserted_start_year_is_confirmed_or_corrected_from_the_row(bot, plan: Plan) -> None:  # noqa: ANN001
    rows = [i for i in single_line_rows(plan) if any((v or "").startswith("新規") for v in i.statuses[0].years.values())]
    for ini in rows[:8]:
        first = min(y for y in YEARS if (ini.statuses[0].years[y] or "").startswith("新規"))
        for year in {first, 2029 if first != 2029 else 2026}:
            text = bot.ask(f"「{ini.name}」は{year}年度から始まるんですよね？").text
            assert text.startswith("はい" if year == first else "いいえ"), (ini.name, year, text)
            assert f"{first}年度" in text.splitlines()[0]


TEMPLATES = ["{a}の{b}、{t}でできるようになるがけ?", "{a}の{b}が{t}で申し込めるのはいつから？", "{a}の{b}を{t}でやるのはどこの課？"]


def test_a_card_chosen_by_a_word_many_rows_share_is_declined_when_the_rest_is_missing(bot, plan: Plan) -> None:  # noqa: ANN001
    text = plan_text(plan)
    absent = [w for w in ABSENT if w not in text]
    pairs = [(a, b) for a, b in [("墓地", "除草"), ("狩猟", "婚活"), ("駐輪", "勤怠"), ("投票", "粗大")]
             if a in absent and b in absent]
    assert len(pairs) >= 3
    for theme in ["アプリ", "オンライン", "システム", "AI"]:
        assert sum(theme in i.name for i in plan.initiatives) >= 2  # a word that names no one row
        for a, b in pairs:
            for tpl in TEMPLATES:
                q = tpl.format(a=a, b=b, t=theme)
                assert bot.ask(q).grounded is False, q


def test_a_lexicon_synonym_holds_the_whole_phrase_it_rewrites(bot) -> None:  # noqa: ANN001
    ans = bot.ask("学校に行けない子が仮想空間で支援を受けられる取組の担当は？")
    assert ans.grounded is True and "学校教育センター" in ans.text, ans.text


def test_the_asking_part_keeps_the_question_and_drops_only_what_does_not_ask() -> None:
    """A suffix of the question, but for English statements after its last ask ('I need it.')."""
    from assistant.text import asking_part, is_english

    rng = random.Random(5)
    pieces = ["予算要求資料をまとめています。", "分野1の新規は何件？", "担当課も教えて。", "Why?", "I need it.", "", "？", "。"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
        part = asking_part(text)
        at = text.rfind(part) if part else len(text)
        rest = text[at + len(part):]
        assert at >= 0 and (not rest or (is_english(rest) and "?" not in rest)), (text, part)
        if "？" in text.rstrip("？") or "?" in text:
            assert "?" in part or "？" in part
    assert asking_part("予算要求資料をまとめています。分野2の新規は何件か教えてください。") == "分野2の新規は何件か教えてください。"


def test_a_row_named_with_a_function_it_lacks_is_not_answered_by_its_card(bot, plan: Plan) -> None:  # noqa: ANN001
    """「Xで、Aの Bもできるようになる？」 about real rows X: declined; 「Xの担当は？」 stays the card."""
    text = plan_text(plan)
    a, b = [w for w in ABSENT if w not in text][:2]
    named = [i for i in plan.initiatives if "「" in i.name][:6]
    for ini in named:
        name = ini.name.split("「")[1].split("」")[0]
        assert bot.ask(f"「{name}」で、{a}の{b}もできるようになりますか？").grounded is False, name
        assert bot.ask(f"「{name}」の担当課は？").grounded is True, name


def quoted_names(plan: Plan) -> list[str]:
    """The 「」 names of the plan's rows (かなパス, にげまっし …), each once."""
    return list(dict.fromkeys(i.name.split("「")[1].split("」")[0] for i in plan.initiatives if "「" in i.name))


def test_a_yes_no_question_about_a_row_and_one_thing_it_lacks_is_declined_naming_both(bot, plan: Plan) -> None:  # noqa: ANN001
    """「Xで Aもできる？」 for every 「」-named row X and a word A the plan never uses: the plan does not say so
    (grounded=False, the row still shown as related information); 「Xはありますか？」 stays grounded."""
    text = plan_text(plan)
    absent = [w for w in ABSENT if w not in text]
    for k, name in enumerate(quoted_names(plan)):
        word = absent[k % len(absent)]
        ans = bot.ask(f"「{name}」で{word}もできるようになりますか？")
        assert ans.grounded is False and ans.kind == "not_in_plan", (name, ans.text)
        assert word[:2] in ans.text and name in ans.text and ans.citations, (name, ans.text)  # 入園券 → 「入園」
        assert bot.ask(f"「{name}」はありますか？").grounded is True, name
        assert bot.ask(f"「{name}」はどこの課がやっていますか？").grounded is True, name


def test_a_row_chosen_by_its_department_is_checked_like_a_row_chosen_by_name(bot, plan: Plan) -> None:  # noqa: ANN001
    """「D課の取組で Aもできる？」 for every department D that runs exactly one row: the card is chosen by the
    department, and the plan still does not say that the row does A; 「D課は何をしていますか？」 stays grounded."""
    rows: dict[str, list[str]] = {}
    for ini in plan.initiatives:
        for d in ini.departments:
            rows.setdefault(d, []).append(ini.name)
    single = sorted(d for d, names in rows.items() if len(names) == 1)
    text = plan_text(plan)
    absent = [w for w in ABSENT if w not in text]
    assert len(single) >= 10
    for k, dept in enumerate(single[::2]):  # every other one: the mechanism, not each department, is tested
        ans = bot.ask(f"{dept}の取組で、{absent[k % len(absent)]}もできるようになりますか？")
        assert ans.grounded is False and ans.kind == "not_in_plan", (dept, ans.text)
        assert bot.ask(f"{dept}は何をしていますか？").grounded is True, dept


ABSENT_EN = ["voting", "weddings", "parking", "hunting", "cemetery"]


def test_an_english_yes_no_question_about_a_row_and_things_it_lacks_is_declined(bot, plan: Plan) -> None:  # noqa: ANN001
    text = plan_text(plan).lower()
    assert not any(w in text for w in ABSENT_EN)
    rng = random.Random(3)
    for name in ["KANAZAWA FREE Wi-Fi", "Kanapass", "Nigemasshi"]:
        a, b = rng.sample(ABSENT_EN, 2)
        ans = bot.ask(f"Will {name} also handle {a} and {b}?")
        assert ans.grounded is False and ans.kind == "not_in_plan", (name, ans.text)
        assert bot.ask(f"Which department runs {name}?").grounded is True, name


def test_the_asking_part_skips_a_closing_reason_and_reads_ka_as_asking() -> None:
    from assistant.text import asking_part

    assert asking_part("初年度の事業費はいくらですか。記事にしたいので。").startswith("初年度の事業費")
    assert asking_part("予算を調べています。事業費はいくらか。") == "事業費はいくらか。"
    assert asking_part("Rules are hard for me... is there an app for sorting") == " is there an app for sorting"
    assert asking_part("Is there a flood app? I live near the river.") == "Is there a flood app?"  # a reason after
    assert asking_part("リーダーは誰か。氏名を示されたい。") == "リーダーは誰か。氏名を示されたい。"  # still asks


def test_an_asserted_every_year_is_confirmed_or_corrected_from_the_row(bot, plan: Plan) -> None:  # noqa: ANN001
    """「Xは2029年度まで毎年やるんですよね？」 for every single-line row: いいえ with the empty years, else はい."""
    for ini in single_line_rows(plan):
        empty = [y for y in YEARS if not ini.statuses[0].years[y]]
        first = bot.ask(f"「{ini.name}」は2029年度まで毎年やるんですよね？").text.splitlines()[0]
        assert first.startswith("いいえ" if empty else "はい"), (ini.name, first)
        assert all(str(y) in first for y in empty[:1] + empty[-1:]), (ini.name, first)


def test_an_asserted_full_scale_year_is_corrected_while_the_row_is_still_a_study(bot, plan: Plan) -> None:  # noqa: ANN001
    studied = [(i, y) for i in single_line_rows(plan) for y in YEARS if "検討" in (i.statuses[0].years[y] or "")]
    assert len(studied) >= 10
    for ini, year in studied[::3]:
        first = bot.ask(f"「{ini.name}」は{year}年度にはもう本格導入されるんですよね？").text.splitlines()[0]
        assert first.startswith("いいえ") and ini.statuses[0].years[year] in first, (ini.name, year, first)


def test_a_department_the_plan_lacks_asserted_for_a_named_row_is_corrected(bot, plan: Plan) -> None:  # noqa: ANN001
    departments = {d for i in plan.initiatives for d in i.departments}
    assert "環境政策課" not in departments
    for ini in single_line_rows(plan)[::9]:
        ans = bot.ask(f"「{ini.name}」は環境政策課の担当ですよね？")
        assert ans.grounded is True and ans.text.startswith("いいえ"), (ini.name, ans.text)
        assert ini.departments[0] in ans.text.splitlines()[0], (ini.name, ans.text)


def test_no_name_in_the_plan_reads_as_an_aspect_it_never_gives(plan: Plan) -> None:
    """Every KPI label and initiative name, asked for its target or department, asks no never-given aspect
    (「…データダウンロード数」 holds タダ, 「…ポータルサイト」 holds nothing about fees)."""
    from assistant.answers.answerable import aspect_asked

    for label in [k.label for k in plan.kpis]:
        assert aspect_asked(f"「{label}」の目標値は？") is None, label
    for name in [i.name for i in plan.initiatives]:
        assert aspect_asked(f"「{name}」の担当課は？") is None, name


def test_a_plan_section_is_not_an_answer_to_who_its_members_are(bot) -> None:  # noqa: ANN001
    """「DX会議の有識者はどなた？」: the section says the council has experts, never who they are (declined, the section
    as related information); the section itself, and why the plan was made, stay grounded."""
    ans = bot.ask("金沢市DX会議に参加している有識者の方は、どなたですか？")
    assert ans.grounded is False and ans.kind == "not_in_plan" and "氏名" in ans.text, ans.text
    assert bot.ask("DX推進本部のメンバーの氏名を教えてください").grounded is False
    for q in ("金沢市DX会議とは？", "なぜこのプランを作ったのですか？", "プランの期間は？"):
        assert bot.ask(q).grounded is True, q


def test_a_service_asked_after_the_row_one_knows_is_not_answered_by_that_rows_card(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「A」は知っとるんやけど、〈absent〉と〈absent〉の専用アプリを新しく作る話もある？」 for random rows: the row
    named as what one knows is not the answer (declined, the words named); asked alone, the row is answered."""
    text = plan_text(plan)
    absent = [w for w in ABSENT if w not in text]
    rng = random.Random(9)
    for ini in rng.sample([i for i in plan.initiatives if "「" not in i.name], 6):
        a, b = rng.sample(absent, 2)
        for known in ("は知っとるんやけど、", "があるのは知ってます。"):
            ans = bot.ask(f"「{ini.name}」{known}{a}や{b}の専用アプリを市が新しく作る話もプランにあるん？")
            assert ans.grounded is False and a in ans.text, (ini.name, ans.text[:200])
        assert bot.ask(f"「{ini.name}」の担当課は？").grounded is True, ini.name


def test_a_service_that_lets_one_do_what_a_row_lacks_is_declined_whatever_the_preamble_asks(bot, plan: Plan) -> None:  # noqa: ANN001
    """「毎朝いつ…かわからんくて。〈row's word〉が〈absent〉で見られるサービスって、プランに入っとりますか？」: a preamble's
    いつ (and いつも) does not make it a question about when; the service lacks the words (declined)."""
    text = plan_text(plan)
    absent = [w for w in ABSENT if w not in text]
    rng = random.Random(12)
    for ini in rng.sample([i for i in plan.initiatives if "「" not in i.name], 6):
        a, b = rng.sample(absent, 2)
        q = f"毎朝いつになるかわからんくて、いつも困っとるんです。「{ini.name}」の{a}を{b}で見られるサービスって、プランに入っとりますか?"
        assert bot.ask(q).grounded is False, q


def test_a_kpis_baseline_and_an_apps_languages_are_aspects_the_plan_never_gives(bot, plan: Plan) -> None:  # noqa: ANN001
    """Every KPI asked for its baseline or growth, rows asked which languages they work in: declined, naming what the
    plan lacks (in Japanese when a long Japanese name makes the question read as Japanese); a KPI's target stays
    grounded."""
    for k in plan.kpis:
        ans = bot.ask(f"「{k.label}」の現状値（基準値）と目標値を比べて、何倍の伸びを見込んでいるか示されたい。")
        assert ans.grounded is False and "現状値" in ans.text, (k.label, ans.text[:200])
        assert bot.ask(f"「{k.label}」の目標値は？").grounded is True, k.label
    for ini in random.Random(1).sample(plan.initiatives, 8):
        ans = bot.ask(f"Does 「{ini.name}」 work in English or Chinese?")
        assert ans.grounded is False and ("languages" in ans.text or "言語" in ans.text), (ini.name, ans.text[:200])


def test_a_kpi_asked_of_a_named_row_without_one_says_the_plan_sets_none(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「X」の利用者数に係るKPIの目標値は？」 for every row without a KPI: the plan sets none for it (declined, never
    the nearest KPIs of other rows); 「「X」のKPIの目標値は？」 for every row with KPIs: their targets (grounded)."""
    for ini in plan.initiatives:  # a row with KPIs is asked without a measure word another KPI's label may hold
        ans = bot.ask(f"「{ini.name}」の{'' if ini.kpi_ids else '利用者数に係る'}KPIの目標値を確認したい。")
        if ini.kpi_ids:
            targets = [k.target for k in plan.kpis if k.id in ini.kpi_ids]
            assert ans.grounded and any(t in ans.text for t in targets), (ini.name, ans.text[:200])
        else:  # a name holding 「」 is not matched whole when quoted again: still declined, as candidates
            assert ans.grounded is False, (ini.name, ans.text[:200])
            assert "設定されていません" in ans.text or "「" in ini.name, (ini.name, ans.text[:200])


def test_a_named_row_asked_when_it_does_three_things_it_lacks_is_declined(bot, plan: Plan) -> None:  # noqa: ANN001
    """「〈absent〉と〈absent〉と〈absent〉を「X」で配布する計画は何年度に実施？」 for random rows: a when-question about
    a service the row does not hold is not answered by the row's card (declined, naming the words)."""
    text = plan_text(plan)
    absent = [w for w in ABSENT if w not in text]
    rng = random.Random(21)
    for ini in rng.sample([i for i in plan.initiatives if "「" not in i.name], 8):
        a, b, c = rng.sample(absent, 3)
        ans = bot.ask(f"{a}と{b}と{c}を「{ini.name}」で配布する計画があると聞いたのですが、何年度に実施する予定ですか。")
        assert ans.grounded is False and ans.kind == "not_in_plan", (ini.name, ans.text[:200])


def test_a_new_question_about_what_the_last_row_lacks_is_not_answered_by_that_row(bot, plan: Plan) -> None:  # noqa: ANN001
    """After 「「X」の担当は？」, 「そっちで〈absent〉と〈absent〉の〈absent〉もできる事業の担当課と年次は？」 for random
    rows: the conversation's row lacks what is asked, so it is not given as the answer (declined)."""
    text = plan_text(plan)
    absent = [w for w in ABSENT if w not in text]
    rng = random.Random(33)
    for ini in rng.sample([i for i in plan.initiatives if "「" not in i.name], 6):
        a, b, c = rng.sample(absent, 3)
        ans = bot.ask(f"関連で、そっちで{a}と{b}の{c}もできる事業もあったと思うけど、その担当課と年次は？",
                      history=[f"「{ini.name}」の担当は？"])
        assert ans.grounded is False, (ini.name, ans.text[:200])


def test_a_named_row_with_guessed_departments_one_of_them_its_own_is_checked_like_any(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「X」で、〈absent〉〈absent〉〈absent〉もできる予定ですか？〈own〉か〈other〉あたりで」 for random rows: naming the row's
    own department among guesses is no wrong premise, so the lacking words decline the card as without the guess."""
    text = plan_text(plan)
    absent = [w for w in ABSENT if w not in text]
    deps = sorted({d for i in plan.initiatives for d in i.departments})
    rng = random.Random(23)
    for ini in rng.sample([i for i in plan.initiatives if "「" not in i.name], 8):
        a, b, c = rng.sample(absent, 3)
        other = rng.choice([d for d in deps if d not in ini.departments])
        ans = bot.ask(f"「{ini.name}」で、{a}や{b}の{c}もできるようにする予定ですか。{ini.departments[0]}か{other}あたりで。")
        assert ans.grounded is False, (ini.name, ans.text[:200])


def test_whether_one_service_exists_needs_every_word_of_it_in_one_row(bot) -> None:  # noqa: ANN001
    """「〈theme〉で〈absent〉を確認する取組ってありますか」 for every theme and absent word: one service is asked, so a theme
    list whose rows lack one of its words is declined naming it; 「〈theme〉の取組はありますか」 stays answered."""
    absent = [w for w in ABSENT if w not in plan_text(bot.records.plan)]
    for theme in THEMES:
        for word in absent[:4]:
            ans = bot.ask(f"{theme}で{word}の状況を確認する取組ってありますか")
            assert ans.grounded is False and (word[:2] in ans.text or ans.kind != "not_in_plan"), (theme, word, ans.text[:200])
        assert bot.ask(f"{theme}の取組はありますか").grounded, theme


def test_an_example_named_with_noyouna_is_not_a_word_the_rows_must_hold(plan: Plan) -> None:
    """「ChatGPTのような生成AI」 asks about 生成AI; 「乗合タクシーみたいなやつ」 names what is asked."""
    from assistant.answers.coverage import examples_in

    text = "ChatGPTのような生成AIを業務に取り入れたい"
    assert [text[a:b] for a, b in examples_in(text)] == ["ChatGPT"]
    assert examples_in("AIで呼べる乗合タクシーみたいなやつ") == []
    assert examples_in("保育園の空き状況をLINEのようなアプリで") == []


@pytest.mark.parametrize("asker", ["弊社で社員向けに案内したいのですが、", "従業員の多い当社としては、", "お客様に聞かれたので、"])
def test_who_asks_for_whom_is_no_part_of_what_is_asked(bot, plan: Plan, asker: str) -> None:  # noqa: ANN001
    """An asker's business words before a premise about a row: the row's schedule answers (confirmed or corrected)."""
    ini = next(i for i in plan.initiatives if i.statuses[0].status(2029) is None and i.statuses[0].status(2026))
    ans = bot.ask(f"{asker}「{ini.name}」は2029年度まで毎年続くという理解でよろしいでしょうか。")
    assert ans.grounded and ans.text.startswith("いいえ"), ans.text[:300]


def test_current_figures_and_a_lecturers_name_are_aspects_the_plan_never_gives(bot, plan: Plan) -> None:  # noqa: ANN001
    """「今 年間 何件 使われてる」 asks a current figure, not the 2029 target; 「講師 誰」 asks a person, not the
    department; 「どれくらい使われるのを目標に」 still asks the target."""
    for k in plan.kpis[:6]:
        assert bot.ask(f"{k.label} 今 年間 何件 使われてる？").grounded is False, k.label
    for ini in random.Random(3).sample(plan.initiatives, 5):
        ans = bot.ask(f"{ini.name} 講師 誰 来るの")
        assert ans.grounded is False and "氏名" in ans.text, (ini.name, ans.text[:200])
    assert bot.ask("電子申請、どれくらい使われるのを目標にしてるんですか？").grounded is True


def test_a_service_asked_after_a_row_one_says_one_knows_is_not_answered_by_that_row(bot, plan: Plan) -> None:  # noqa: ANN001
    """「…は存じておりますが、…を公開する取組は…」 (polite forms of 知っているが): the row known is background."""
    for ini in random.Random(5).sample([i for i in plan.initiatives if "「" not in i.name], 5):
        ans = bot.ask(f"「{ini.name}」は存じておりますが、市内保育園の空き状況をリアルタイムで公開する取組は、"
                      "本プランに位置づけられておりますでしょうか。")
        assert ans.grounded is False, (ini.name, ans.text[:200])


def test_a_theme_list_that_shares_only_a_channel_word_is_declined(bot) -> None:  # noqa: ANN001
    """「紙の本の予約もスマホから…」: rows that share スマホ alone do not answer 予約; 「スマホで使えるサービス」 does."""
    ans = bot.ask("紙の本の予約も スマホから できるようにする取組は？")
    assert ans.grounded is False and "予約" in ans.text
    assert bot.ask("スマホで使えるサービスはある？").grounded is True


def test_names_asked_in_spaced_plain_japanese_are_an_aspect_the_plan_never_gives(bot, plan: Plan) -> None:  # noqa: ANN001
    """やさしい日本語 with spaces: 「…の 人の 名前を 教えて ください。」 and 「いままでに 何件 つかわれましたか」."""
    for ini in random.Random(6).sample(plan.initiatives, 4):
        assert bot.ask(f"{ini.name}の 人の 名前を 教えて ください。").grounded is False, ini.name
    for k in plan.kpis[:4]:
        assert bot.ask(f"{k.label}は 今年 いままでに 何件 つかわれましたか。").grounded is False, k.label


def test_whether_a_service_exists_is_read_from_its_own_sentence(bot) -> None:  # noqa: ANN001
    """A closing remark after the ask (「…取組ってプランにあります？カード2枚…めんどいんで…」) and a reason after a
    feature ask (「…見れるようになるがけ？うちの前いつ来るか知りたい」) leave the ask what it is: declined."""
    ans = bot.ask("マイナンバーカードを図書館の利用カードとして使えるようになる系の取組ってプランにあります？"
                  "カード2枚持ち歩くのめんどいんで…")
    assert ans.grounded is False, ans.text[:200]
    ans = bot.ask("雪の日に除雪車がいまどこを走っとるか、スマホの地図で見れるようになるがけ？うちの前いつ来るか知りたいげんて")
    assert ans.grounded is False and "地図" in ans.text, ans.text[:200]


def test_a_rumoured_end_without_a_year_is_confirmed_or_corrected_from_the_row(bot, plan: Plan) -> None:  # noqa: ANN001
    """「「X」ってもうすぐ終わるって聞いたけど本当？」: いいえ when a line runs to 2029, はい (with the last year) otherwise."""
    ending = [i for i in plan.initiatives if all(st.years[YEARS[-1]] is None for st in i.statuses)
              and any(any(st.years.values()) for st in i.statuses)]
    running = [i for i in plan.initiatives if any(st.years[YEARS[-1]] for st in i.statuses)]
    assert ending and running
    for ini in ending + random.Random(8).sample(running, 5):
        ans = bot.ask(f"「{ini.name}」ってもうすぐ終わるって聞いたけど本当？")
        assert ans.text.startswith("はい" if ini in ending else "いいえ"), (ini.name, ans.text[:200])
