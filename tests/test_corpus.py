"""The parser on the real plan text: counts and exact records."""

from __future__ import annotations

import pytest

from assistant.corpus import parse_plan
from assistant.errors import CorpusError
from assistant.models import Plan


def by_name(plan: Plan, fragment: str):  # noqa: ANN201
    """The one initiative whose name contains the fragment."""
    found = [i for i in plan.initiatives if fragment in i.name]
    assert len(found) == 1, [i.name for i in found]
    return found[0]


def test_counts(plan: Plan) -> None:
    assert len(plan.initiatives) == 94
    assert sum(i.new for i in plan.initiatives) == 31
    assert len(plan.departments) == 45
    assert len(plan.kpis) == 22
    assert plan.fields == {1: "魅力づくり", 2: "暮らしづくり", 3: "人づくり", 4: "仕事づくり", 5: "都市づくり"}


def test_continuation_rows_are_departments_of_the_row_above(plan: Plan) -> None:
    ini = by_name(plan, "eL-QR")
    assert ini.new and ini.field_no == 2
    assert ini.departments == ["料金センター", "保険年金課", "会計課", "納税課"]
    years = {s.department: s.years for s in ini.statuses}
    assert years["料金センター"] == {2026: "新規導入", 2027: "継続", 2028: "継続", 2029: "継続"}
    assert years["保険年金課"] == {2026: "検討", 2027: "新規導入", 2028: "継続", 2029: "継続"}
    assert years["会計課"] == years["保険年金課"]
    assert years["納税課"] == {2026: "継続", 2027: "継続", 2028: "継続", 2029: "継続"}


def test_dash_means_nothing_planned_and_new_marker_is_stripped(plan: Plan) -> None:
    ini = by_name(plan, "アニメーション制作体験等講座")
    assert ini.name == "アニメーション制作体験等講座の開催"
    assert ini.new
    assert ini.statuses[0].years == {2026: "新規実施", 2027: "継続", 2028: None, 2029: None}
    assert ini.viewpoint == "共創のための環境整備に向けて"
    assert ini.goal.startswith("デジタルを活用した学習環境")


def test_rows_after_a_page_break_keep_their_context(plan: Plan) -> None:
    online = by_name(plan, "オンライン相談の継続")  # first row on a new page of 分野2 (1)
    assert (online.field_no, online.viewpoint) == (2, "全ての人の利便性向上に向けて")
    assert online.goal == "「行政サービスにアクセスするひと」の利便性向上を目指します"
    assert len(online.statuses) == 3
    genai = by_name(plan, "生成AIの業務への活用")
    assert (genai.field_no, genai.viewpoint) == (5, "共創のための環境整備に向けて")


def test_arrow_resolves_to_the_year_before(plan: Plan) -> None:
    ict = by_name(plan, "ICTモデル工事")
    assert ict.statuses[0].years == {2026: "検討・試行", 2027: "拡大検討", 2028: "拡大検討", 2029: "拡大検討"}
    assert all(v is not None and v != "⇒" for i in plan.initiatives for s in i.statuses for v in s.years.values()
               if i.name != "市民向けAI活用セミナーの開催" and "アニメーション" not in i.name
               and "学校デジタル推進リーダー" not in i.name)


def test_kpis(plan: Plan) -> None:
    epp = next(k for k in plan.kpis if k.label.startswith("電子申請サービス"))
    assert (epp.target, epp.value, epp.unit, epp.cumulative, epp.field_no) == ("47万件", 470000, "件", True, 2)
    sat = next(k for k in plan.kpis if k.label == "金沢旅行の満足度")
    assert (sat.target, sat.cumulative, sat.field_no, sat.viewpoint) == ("95%以上", False, 1, "全ての人の利便性向上")
    assert [sum(k.field_no == f for k in plan.kpis) for f in range(1, 6)] == [4, 5, 5, 3, 5]
    assert all(k.target_year == "2029年度末" for k in plan.kpis)


def test_sections_merge_repeated_headers(plan: Plan) -> None:
    titles = [s.title for s in plan.sections]
    assert len(titles) == len(set(titles))
    for title in ("策定の趣旨", "プランの位置づけ", "プランの期間", "推進体制", "基本理念", "行動指針", "取組方針", "取組の方向性"):
        assert title in titles
    position = next(s for s in plan.sections if s.title == "プランの位置づけ")
    assert position.text.count("国・金沢市の動向") == 1  # the heading repeats on two pages, the text once
    period = next(s for s in plan.sections if s.title == "プランの期間")
    assert "2026(令和8)年度～2029(令和11)年度の4か年" in period.text


def test_text_without_tables_is_an_error() -> None:
    with pytest.raises(CorpusError):
        parse_plan("1 趣旨\n1.1. 策定の趣旨\n本文のみ")


def test_goals_pages_and_structure_records(plan: Plan) -> None:
    assert len(plan.goals) == 14
    members = [i for g in plan.goals for i in g.initiative_ids]
    assert sorted(members) == sorted(i.id for i in plan.initiatives)  # every row under exactly one ○ goal
    assert plan.initiatives[0].page == 10 and {k.page for k in plan.kpis} == {19, 20, 21, 22, 23}
    sections = {s.id: s for s in plan.sections}
    assert sections["S1.3"].page == 4 and "2029" in sections["S1.3"].text
    views, fields = sections["S2.4-views"].text, sections["S2.4-fields"].text
    assert "全ての人の利便性向上" in views and "共創のための環境整備" in views and "デジタルファースト" not in views
    assert all(f"【分野{n}】" in fields for n in range(1, 6))


def test_kpis_are_linked_to_the_initiatives_they_measure(plan: Plan) -> None:
    by_id = {i.id: i for i in plan.initiatives}
    kanapass = next(k for k in plan.kpis if "かなパス" in k.label)
    assert [by_id[i].name for i in kanapass.initiative_ids] == ["デジタル市民パスポートアプリ「かなパス」の運営"]
    assert kanapass.id in by_id[kanapass.initiative_ids[0]].kpi_ids
    generative = next(k for k in plan.kpis if "生成AI" in k.label)
    assert generative.initiative_ids == []  # shared by four rows: measures none of them alone
