"""Staff edit the plan text: every perturbation is parsed to the right records or reported, never dropped or merged."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.corpus import parse_plan
from assistant.errors import CorpusError
from assistant.report import build_report, diff, snapshot

PLAN = (PROJECT_ROOT / "corpus" / "kanazawa-dx-action-plan-2.0.txt").read_text(encoding="utf-8")
SMART_BIN = "新 スマートごみ箱の設置及びトイレの満空情報の発信\t観光政策課\t新規導入\t継続・拡大\t⇒\t⇒"
PHONE = "電話自動応答システムの活用継続(保険年金窓口、保健所窓口)\t保険年金課\t継続\t⇒\t⇒\t⇒\n"
KANAPASS_TARGET = "40,000 人"


def line_of(text: str, needle: str) -> int:
    """1-based number of the line that contains needle."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def replace_once(old: str, new: str) -> Callable[[str], str]:
    """A perturbation replacing the first occurrence of old."""
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return apply


def test_the_real_plan_has_no_unread_line_and_its_figures_are_pinned() -> None:
    plan = parse_plan(PLAN)
    report = build_report(plan)
    assert plan.issues == [] and report["issues"] == []
    assert (report["initiatives"], report["new"], report["departments"], report["kpis"]) == (94, 31, 45, 22)
    assert report["per_field"] == {"【分野1】魅力づくり": 14, "【分野2】暮らしづくり": 28, "【分野3】人づくり": 13,
                                   "【分野4】仕事づくり": 9, "【分野5】都市づくり": 30}
    assert report["new_per_field"]["【分野2】暮らしづくり"] == 12 and sum(report["new_per_field"].values()) == 31
    assert report["statuses_per_year"]["2028"]["—"] == 3 and report["kpis_per_field"]["【分野4】仕事づくり"] == 3


REPORTED = [
    ("a lost year column", replace_once(SMART_BIN, SMART_BIN.rsplit("\t", 1)[0]), "スマートごみ箱", "6列ではなく5列です"),
    ("an unknown status", replace_once(SMART_BIN, SMART_BIN.replace("継続・拡大", "継続中")), "スマートごみ箱",
     "年度の状態が読めません: 継続中"),
    ("⇒ in the first year", replace_once("新 自治体ポイントの導入\tデジタル政策課\t検討",
                                         "新 自治体ポイントの導入\tデジタル政策課\t⇒"), "自治体ポイント", "⇒"),
    ("a continuation row after a blank line", replace_once(PHONE, PHONE + "\n"), "\t地域保健課", "続きの行"),
    ("a KPI target without its label", replace_once("デジタル市民パスポート\n「かなパス」利用者数\n", ""), KANAPASS_TARGET,
     "KPI名のない目標値"),
    ("a KPI target in an unreadable form", replace_once(KANAPASS_TARGET, "4万人くらい"), "4万人くらい", "目標値の形が読めません"),
]


@pytest.mark.parametrize(("case", "perturb", "needle", "reason"), REPORTED, ids=[c[0] for c in REPORTED])
def test_perturbations_that_cannot_be_read_are_reported_with_their_line(case: str, perturb, needle: str,
                                                                         reason: str) -> None:
    text = perturb(PLAN)
    plan = parse_plan(text)
    assert plan.issues, case
    issue = plan.issues[0]
    assert reason in issue.reason and issue.line == line_of(text, needle.strip()), (case, str(issue))


def changes(text: str) -> list[str]:
    """What the build would print as changed against the real plan."""
    return diff(snapshot(parse_plan(PLAN)), snapshot(parse_plan(text)))


def test_spaces_for_tabs_and_full_width_forms_are_read() -> None:
    row = "新 市民向けAI相談窓口の試行  広報戦略課  検討  ⇒ 　⇒  ⇒ "
    text = PLAN.replace(SMART_BIN, SMART_BIN + "\n" + row, 1)
    plan = parse_plan(text)
    ini = next(i for i in plan.initiatives if i.name == "市民向けAI相談窓口の試行")
    assert plan.issues == [] and len(plan.initiatives) == 95 and ini.new
    assert ini.departments == ["広報戦略課"] and set(ini.statuses[0].years.values()) == {"検討"}
    assert changes(text) == ["取組を追加: 「市民向けAI相談窓口の試行」（広報戦略課）"]


def test_a_kpi_target_in_another_form_pairs_with_its_own_label() -> None:
    text = PLAN.replace(KANAPASS_TARGET, "40,000 ％以上", 1).replace("80 %以上", "80パーセント", 1)
    plan = parse_plan(text)
    by_label = {k.label: k.target for k in plan.kpis}
    assert plan.issues == [] and len(plan.kpis) == 22
    assert by_label["デジタル市民パスポート「かなパス」利用者数"] == "40,000%以上"
    assert by_label["建築計画概要書インターネット閲覧利用率"] == "80%"


def test_changes_staff_make_show_in_the_diff() -> None:
    renamed_dept = PLAN.replace("新 金沢縄文ワールドのデジタル化\t文化財保護課", "新 金沢縄文ワールドのデジタル化\t文化財保護化", 1)
    assert "「金沢縄文ワールドのデジタル化」: 担当課を追加 文化財保護化" in changes(renamed_dept)
    assert "文化財保護化" in build_report(parse_plan(renamed_dept))["single_departments"]
    status = PLAN.replace("新 自治体ポイントの導入\tデジタル政策課\t検討\t⇒\t⇒\t⇒",
                          "新 自治体ポイントの導入\tデジタル政策課\t検討\t⇒\t新規導入\t⇒", 1)
    assert changes(status) == ["「自治体ポイントの導入」（デジタル政策課）2028年度: 検討 → 新規導入",
                               "「自治体ポイントの導入」（デジタル政策課）2029年度: 検討 → 新規導入"]
    renamed = PLAN.replace("新 自治体ポイントの導入\t", "新 自治体ポイント制度の導入\t", 1)
    assert changes(renamed) == ["名称変更: 「自治体ポイントの導入」 → 「自治体ポイント制度の導入」"]
    target = PLAN.replace(KANAPASS_TARGET, "50,000 人", 1)
    assert changes(target) == ["KPI「デジタル市民パスポート「かなパス」利用者数」の目標: 40,000人 → 50,000人"]


def test_a_deleted_heading_or_first_row_moves_rows_and_the_diff_says_so() -> None:
    no_goal = PLAN.replace("○ 伝統と創造の文化を共有し、金沢の魅力を共創できる環境の整備を目指します\n", "", 1)
    moved = [c for c in changes(no_goal) if "位置が変わりました" in c]
    assert len(moved) == 9 and all("「金沢に住むひと」" in c.split("→")[1] for c in moved)
    no_first_row = PLAN.replace(PHONE, "", 1)
    out = changes(no_first_row)
    assert "「金沢市公式HPへの生成AIの導入」: 担当課を追加 地域保健課" in out
    assert any(c.startswith("取組を削除: 「電話自動応答システム") for c in out)


def write_corpus(folder: Path, text: str) -> Path:
    """A corpus folder holding one plan text."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kanazawa-dx-action-plan-2.0.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_a_rejected_build_keeps_the_published_index_answering(bot, tmp_path: Path) -> None:  # noqa: ANN001
    from helpers import copy_index

    from assistant import Assistant
    from assistant.corpus import load_plan
    from assistant.documents import plan_docs
    from assistant.index import build_index, read_manifest

    corpus = write_corpus(tmp_path / "corpus", PLAN)  # the plan as published: the session's build is current for it
    settings = Settings(corpus_dir=corpus, index_dir=copy_index(bot, tmp_path / "index"))
    good = Assistant(settings, progress=False)
    published = read_manifest(settings.index_dir)
    assert published.warnings == [] and published.snapshot["kpis"]

    write_corpus(corpus, PLAN.replace(SMART_BIN, SMART_BIN.rsplit("\t", 1)[0], 1))  # staff lose a column
    broken = load_plan(corpus)
    with pytest.raises(CorpusError, match="6列ではなく5列です"):
        build_index(broken, plan_docs(broken), settings.index_dir, corpus, good.embeddings, settings.embedding)
    assert read_manifest(settings.index_dir) == published  # nothing was switched
    restarted = Assistant(settings, progress=False)  # a restart answers from the last good build
    assert "観光政策課" in restarted.ask("スマートごみ箱の担当課は？").text and len(restarted.plan.initiatives) == 94

    forced = build_index(broken, plan_docs(broken), settings.index_dir, corpus, good.embeddings, settings.embedding,
                         allow_unparsed=True)
    assert forced.warnings and "6列ではなく5列です" in forced.warnings[0]
    shutil.rmtree(tmp_path / "index", ignore_errors=True)
