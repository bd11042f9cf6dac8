"""Understanding real questions: surface forms, slots, soft matching, themes, KPIs asked indirectly, structure."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.understand.frame import normalise_question, understand
from assistant.understand.slots import read_slots


def ids(ans) -> set[str]:  # noqa: ANN001 - Answer
    """The ids of an answer's initiative citations."""
    return {c.id for c in ans.citations if c.kind == "initiative"}


@pytest.mark.parametrize(
    ("spoken", "standard"),
    [("どこの課がやっとるんけ？", "やっている"), ("何しよるん", "している"), ("取組なんこあるん", "何個"),
     ("そこの担当化どこ", "担当課"), ("ｽﾏﾎ教室", "スマートフォン")],
)
def test_colloquial_and_half_width_forms_are_normalised(spoken: str, standard: str) -> None:
    assert standard in normalise_question(spoken)


def test_slots_years_ranges_and_status_words(plan) -> None:  # noqa: ANN001
    today = date(2026, 11, 25)
    assert read_slots("令和9年度から始まるもの", plan, today).years == [2027, 2028, 2029]
    assert read_slots("来年度の予定", plan, today).years == [2027]
    ended = read_slots("2028年度から先は予定がなくなる取組", plan, today)
    assert ended.ended and ended.from_year and ended.years == [2028]
    assert read_slots("ずっと「検討」のままの取組", plan, today).all_years
    assert not read_slots("いつから始まるん？", plan, today).new_only  # asks a year, not a filter
    assert read_slots("デジタルの課がやってるやつ", plan, today).departments == ["デジタル政策課"]
    for n in range(8, 12):  # R8–R11 are 令和 years in the slots as in the conditions; QR8 or AR10 are not
        assert read_slots(f"R{n}の位置付けも添えて", plan, today).years == [2018 + n]
        assert read_slots(f"QR{n}コードの取組", plan, today).years == []


def test_unknown_words_rank_but_never_filter(bot, plan) -> None:  # noqa: ANN001
    industry = [i.id for i in plan.initiatives if "産業政策課" in i.departments]
    assert ids(bot.ask("産業政策課の担当分を一覧で出して")) == set(industry)
    digital = bot.ask("うちの課（デジタル政策課）の取組、全部リストアップして")
    assert digital.kind == "list" and len(ids(digital)) == 12
    assert "31件" in bot.ask("新マークの取組は何件？").text


@pytest.mark.parametrize(
    ("question", "department"),
    [("観光地の混み具合を配信してるのは？", "観光政策課"), ("救急車から画像を医者に送ってるのは？", "警防課"),
     ("としょかんで でんししょせき借りれるサービスの担当部署おしえてください", "図書館総務課"),
     ("まっちばこ って どこの課？", "市民協働推進課"), ("瓶とか缶って何曜日に出せばいいか教えてくれるアプリの担当課", "ごみ減量推進課")],
)
def test_indirect_and_kana_only_descriptions_find_the_initiative(bot, question: str, department: str) -> None:  # noqa: ANN001
    ans = bot.ask(question)
    assert department in ans.text and any(department in c.departments for c in ans.citations), ans.text


def test_kana_reading_matches_the_record(bot) -> None:  # noqa: ANN001
    f = understand("としょかんの でんししょせき", bot.plan, bot.searcher)
    top = f.ranked("initiative")[0]
    assert "電子書籍" in bot.records.initiatives[top.record_id].name and top.reading >= 0.75


def test_theme_questions_list_the_goal_rows(bot, plan) -> None:  # noqa: ANN001
    goal = next(g for g in plan.goals if g.title.startswith("子育て・教育"))
    ans = bot.ask("子育てしとるんやけど、何か便利になることある？")
    assert ans.kind == "list" and set(goal.initiative_ids) <= ids(ans)
    disaster = bot.ask("防災でやってることは？")
    assert disaster.kind == "list" and len(ids(disaster)) >= 4
    assert all(bot.records.initiatives[i].field_no == 5 for i in ids(disaster))


@pytest.mark.parametrize(
    ("question", "target"),
    [("かなパスって、何人くらいに使ってほしいと思っとるん？", "40,000人"), ("職員が使う生成AIって、利用者何人を目指しとるん？", "1,600人"),
     ("電子申請、どれくらい使われるのを目標にしてるんですか？", "47万件")],
)
def test_kpis_asked_indirectly(bot, question: str, target: str) -> None:  # noqa: ANN001
    ans = bot.ask(question)
    assert ans.kind == "kpi" and target in ans.text and any(c.kind == "kpi" for c in ans.citations)


@pytest.mark.parametrize(
    ("question", "needles"),
    [("取組の柱になってる２つの視点ってなんやったっけ", ["全ての人の利便性向上", "共創のための環境整備"]),
     ("分野ってどんなのに分かれとるん？", ["魅力づくり", "暮らしづくり", "人づくり", "仕事づくり", "都市づくり"]),
     ("このプランっていつからいつまで？", ["2026", "2029"]),
     ("このプランって誰が中心になって進めてるの？", ["DX会議", "DX推進本部"]),
     ("このプランって、結局どんな街をめざしとるん？", ["幸せを実感"])],
)
def test_plan_structure_is_answered_from_its_own_record(bot, question: str, needles: list[str]) -> None:  # noqa: ANN001
    ans = bot.ask(question)
    assert ans.kind == "narrative" and ans.grounded and all(n in ans.text for n in needles), ans.text
    assert ans.citations[0].kind == "section" and ans.citations[0].page


def test_questions_outside_the_plan_decline(bot) -> None:  # noqa: ANN001
    for q in ["石川県知事は誰ですか", "白山市もかなパスみたいなアプリやっとるん？", "金沢市DX会議の委員の名前を教えて",
              "かなざわスマートフォン講座の次回開催日と会場は", "このDXプラン、予算は全部でいくらかかるの？"]:
        assert bot.ask(q).grounded is False, q


def test_a_loose_match_is_offered_but_not_claimed(bot) -> None:  # noqa: ANN001
    ans = bot.ask("市がはじめるドローン宅配サービスの担当の課は？")
    assert ans.grounded is False


def test_learned_intent_fills_in_when_no_cue_word_says_what_is_asked(bot) -> None:  # noqa: ANN001
    from assistant.understand.intent_model import learned_ask, predict

    expected = {"図書館の電子書籍の担当": "who", "2028年度の予定は": "when", "デジタル政策課の取組を全部": "list",
                "かなパスの利用者数の目標": "kpi", "新規の取組はいくつ": "count", "今日の天気を教えて": "none"}
    assert {q: predict(bot.searcher.query_vector(q))[0] for q in expected} == expected
    assert learned_ask(bot.searcher.query_vector("今日の天気を教えて")) is None  # never adds an ask for off-plan


@pytest.mark.slow
def test_fit_cross_validates_both_models(bot, tmp_path) -> None:  # noqa: ANN001
    from assistant.evaluate import DEFAULT_SET
    from assistant.fit import fit, fit_intent

    summary = fit(bot, [DEFAULT_SET], output=tmp_path / "confidence.json")
    answered = summary["cv_answered_right"] + summary["cv_answered_wrong"]
    assert summary["examples"] > 150 and summary["cv_answered_wrong"] / answered < 0.05
    intent = fit_intent(bot, [DEFAULT_SET], output=tmp_path / "intent.json")
    assert intent["intent_cv_accuracy"] > 0.6 and (tmp_path / "intent.json").is_file()


def test_every_something_else_is_not_a_list_of_every_row() -> None:
    """「全部の工事で」「全ての人の」 say every something else; 「全部で何件」「すべての取組」 ask for every row."""
    from assistant.understand.intent import asks

    for text in ("ICTモデル工事は2027年度から全部の工事で本格実施になるの？", "全ての人の利便性向上に向けての取組の担当は？",
                 "すべての小学校で使えるようになる？"):
        assert "list_all" not in asks(text, []), text
    for text in ("取組は全部で何件？", "すべての取組を挙げて", "全部教えて", "全ての課の取組を一覧で"):
        assert "list_all" in asks(text, []), text
