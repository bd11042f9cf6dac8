"""Conversation state: a new question starts fresh, a follow-up resolves against the previous turn."""

from __future__ import annotations

import random

import pytest

from assistant.limits import READ_CHARS
from assistant.models import Plan
from assistant.understand.conversation import user_turns


def ids(ans) -> set[str]:  # noqa: ANN001 - Answer
    """The ids of an answer's initiative citations."""
    return {c.id for c in ans.citations if c.kind == "initiative"}


def test_only_user_turns_count_and_they_are_bounded() -> None:
    history = [{"role": "user", "content": "かなパスの担当は？"}, {"role": "assistant", "content": "デジタル政策課です。" * 50},
               {"role": "user", "content": [{"type": "text", "text": "いつから？"}]}, ("ごみアプリは？", "ごみ減量推進課"),
               "x" * 5000]
    assert user_turns(history) == ["ごみアプリは？", "x" * READ_CHARS]  # the last HISTORY_TURNS, each cut to size
    assert user_turns(history[:3]) == ["かなパスの担当は？", "いつから？"]  # the assistant's turns never count


def test_a_new_question_with_its_own_filters_is_not_hijacked(bot, plan) -> None:  # noqa: ANN001
    ans = bot.ask("産業政策課の取組をすべて教えて", history=["ごみ分別アプリの担当課は？"])
    industry = {i.id for i in plan.initiatives if "産業政策課" in i.departments}
    assert ans.kind == "list" and ids(ans) == industry
    new = bot.ask("2027年度に新しく始まることは？", history=["マイナンバーカードでできることは？"])
    assert new.kind == "list" and ids(new) == {"I25"}


def test_pronoun_and_ellipsis_resolve_to_the_last_subject(bot) -> None:  # noqa: ANN001
    ans = bot.ask("それ、どこの課がやっとるん？", history=["子どもの通学路、デジタルの地図で見れるようになっとるってほんと？"])
    assert "教育総務課" in ans.text
    when = bot.ask("いつから始まるん？", history=["自治体ポイントの導入って何？"])
    assert when.kind in ("who", "schedule") and "自治体ポイント" in when.text and "検討" in when.text
    target = bot.ask("何人くらいに使ってもらうのが目標なん？", history=["市民パスポートのアプリってどこの課の担当？"])
    assert target.kind == "kpi" and "40,000人" in target.text


def test_that_department_lists_its_other_rows(bot, plan) -> None:  # noqa: ANN001
    ans = bot.ask("そっちの課はほかに何やってるの？", history=["にげまっしって何課の担当？"])
    river = {i.id for i in plan.initiatives if "河川水防課" in i.departments}
    assert ans.kind == "list" and ids(ans) and ids(ans) <= river and "I94" not in ids(ans)


def test_narrowing_stays_within_the_last_list(bot) -> None:  # noqa: ANN001
    first = bot.ask("防災でデジタル使っとるのってどんなのがあるん？")
    narrowed = bot.ask("その中で、川とか大雨の水害に関係あるやつだけでいいわ",
                       history=["防災でデジタル使っとるのってどんなのがあるん？"])
    assert ids(narrowed) and ids(narrowed) <= ids(first) and len(ids(narrowed)) < len(ids(first))
    assert "にげまっし" in narrowed.text and "浸水センサー" in narrowed.text


def test_correction_and_topic_shift(bot) -> None:  # noqa: ANN001
    fixed = bot.ask("あ、ちごた、縄文のほうのやつやった", history=["金沢ミュージアムプラスの担当課どこ？"])
    assert "文化財保護課" in fixed.text and "文化政策課" not in fixed.text
    shifted = bot.ask("話かわるけど、図書館で電子書籍って借りれるんけ？担当どこ？", history=["ごみの分別アプリってどこの課がやっとるん？"])
    assert "図書館総務課" in shifted.text and "ごみ減量推進課" not in shifted.text


def test_broken_history_turns_never_crash(bot) -> None:  # noqa: ANN001
    for history in (["\ud800"], [{"question": "\ud800\udc00かなパス"}], ["a\x00b"], [None, 123, ["x"]], ["ごみ" * 10000],
                    [{"role": "user", "content": None}], ["それ"] * 50):
        ans = bot.ask("それ、いつから？", history=history)
        assert ans.kind and isinstance(ans.text, str), history
    assert user_turns(["\ud800かなパスの担当は？"]) == ["かなパスの担当は？"]


def test_a_history_sent_again_is_understood_once(bot, monkeypatch) -> None:  # noqa: ANN001
    """Earlier turns are kept per build: the next request of the same conversation pays for its new question only,
    and answers as if nothing were kept."""
    import assistant.engine as engine
    from assistant.retrieve import clear_caches

    read: list[str] = []
    real = engine.understand
    monkeypatch.setattr(engine, "understand", lambda text, *a, **k: read.append(text) or real(text, *a, **k))
    history = ["ごみ分別アプリの担当課は？", "いつまでやる予定？"]
    clear_caches()
    first = bot.ask("その目標は？", history=history)
    assert read == [*history, "その目標は？"]
    read.clear()
    again = bot.ask("その目標は？", history=history)
    assert read == ["その目標は？"] and again == first
    read.clear()
    clear_caches()
    assert bot.ask("その目標は？", history=history) == first and len(read) == 3
    clear_caches()  # a chat asked turn by turn: each request understands its new question only
    read.clear()
    for n, question in enumerate([*history, "その目標は？"]):
        answer = bot.ask(question, history=history[:n])
    assert read == [*history, "その目標は？"] and answer == first


def test_a_department_compared_with_the_last_turns_department_gets_both_counts(bot, plan) -> None:  # noqa: ANN001
    """「D1の取組は？」 then 「D2と比べて、どちらが多い？」 for random pairs of departments: both counts, from the rows,
    and which has more (or that they are the same)."""
    import random

    counts: dict[str, int] = {}
    for ini in plan.initiatives:
        for d in ini.departments:
            counts[d] = counts.get(d, 0) + 1
    rng = random.Random(11)
    for a, b in [rng.sample(sorted(counts), 2) for _ in range(12)]:
        history = [{"role": "user", "content": f"{a}が担当している取組は？"}, {"role": "assistant", "content": "…"}]
        first = bot.ask(f"{b}と比べて、担当している取組の数はどちらが多いですか。", history=history).text.splitlines()[0]
        assert f"{a} {counts[a]}件" in first and f"{b} {counts[b]}件" in first, (a, b, first)
        verdict = "同じ数" if counts[a] == counts[b] else f"{max((a, b), key=counts.get)}のほうが多い"
        assert verdict in first, (a, b, first)


@pytest.mark.parametrize("year", [2027, 2028, 2029])
def test_each_rows_department_after_a_short_list(bot, plan: Plan, year: int) -> None:  # noqa: ANN001
    """「FY年度が「—」の取組は何件？」 then 「それぞれの担当課は？」: a card for each row of the list (up to five), so every
    department of those rows is named, grounded."""
    rows = [i for i in plan.initiatives if all(st.years.get(year) is None for st in i.statuses)]
    if not 0 < len(rows) <= 5:
        pytest.skip(f"{len(rows)} rows have nothing planned in {year}")
    first = f"{year}年度の欄が「—」になっている取組は何件ありますか。"
    ans = bot.ask("それぞれの担当課は？", history=[first])
    assert ans.grounded and all(d in ans.text for i in rows for d in i.departments), ans.text
    assert {c.id for c in ans.citations if c.kind == "initiative"} == {i.id for i in rows}


def test_a_long_narrowing_follow_up_keeps_the_turn_it_narrows(bot, plan) -> None:  # noqa: ANN001
    """A follow-up long enough to fill the embedding budget on its own (「では、その中で…だけに絞って…」) after
    「Dが所管する取組は何件？」, for departments with both new and existing rows: D's rows without 新, from a loop,
    with the rows narrowed said back."""
    deps = sorted({d for i in plan.initiatives for d in i.departments})
    for d in deps:
        rows = [i for i in plan.initiatives if d in i.departments]
        if not (any(i.new for i in rows) and sum(not i.new for i in rows) >= 2):
            continue
        ans = bot.ask("では、その中で「新」マークが付いていないものだけに絞って、それぞれの取組名を一覧で示してください。"
                      "議会答弁の資料に使いますので、漏れのないようにお願いします。",
                      history=[f"{d}が所管する取組は、プラン全体で何件ありますか。"])
        assert {c.id for c in ans.citations if c.kind == "initiative"} == {i.id for i in rows if not i.new}, (d, ans.text)
        assert ans.text.startswith(f"前の回答の{len(rows)}件のうち"), ans.text[:100]


def test_the_n_rows_of_the_last_answer_are_narrowed_by_a_department(bot, plan) -> None:  # noqa: ANN001
    """「そのN件のうち、〈課〉の所管分だけ挙げて」 after 「〈分野〉の取組は何件？」 for every field and one of its departments:
    exactly the field's rows that department runs (「その12件のうち」 points back like 「そのうち」)."""
    for no, name in sorted(plan.fields.items()):
        rows = [i for i in plan.initiatives if i.field_no == no]
        dep = sorted({d for i in rows for d in i.departments}, key=lambda d: -sum(d in i.departments for i in rows))[0]
        expected = [i for i in rows if dep in i.departments]
        ans = bot.ask(f"その{len(rows)}件のうち、{dep}の所管分だけ挙げてください。", history=[f"{name}分野の取組は何件ありますか。"])
        assert ans.grounded and f"{len(expected)}件" in ans.text.splitlines()[0], (name, dep, ans.text[:200])
        assert all(i.name in ans.text for i in expected), (name, dep, ans.text[:300])


def test_a_department_compared_with_the_last_one_in_dokkochi_form(bot, plan) -> None:  # noqa: ANN001
    """「Bと比べると、新マークの数はどっちが多い？」 after 「Aの取組は？」 for random department pairs: both new counts from a
    loop (「どっちが」 is no correction); asked with no earlier turn, it is declined, never B's rows alone."""
    deps = sorted({d for i in plan.initiatives for d in i.departments})
    rng = random.Random(4)
    for a, b in (rng.sample(deps, 2) for _ in range(6)):
        new = {d: sum(d in i.departments and i.new for i in plan.initiatives) for d in (a, b)}
        ans = bot.ask(f"{b}と比べると、新マークの数はどっちが多い？", history=[f"{a}の取組は？"])
        assert ans.grounded and all(f"{d} {n}件" in ans.text for d, n in new.items()), (a, b, ans.text[:300])
        assert not bot.ask(f"{b}と比べると、新マークの数はどっちが多い？").grounded, b
