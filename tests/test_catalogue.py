"""GET /api/initiatives and /api/kpis against an independent reading of the plan's 2.5 tables, JSON and CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_api
from assistant.catalogue import to_csv
from assistant.config import PROJECT_ROOT

YEARS = ("2026", "2027", "2028", "2029")


def table_rows() -> list[dict]:
    """The 2.5 tables read straight from the text: 6 tab-separated cells, a continuation row has no name, a name
    starting 「新 」 is new, ⇒ repeats the year before; the field from the last 【分野N】 heading."""
    text = next((PROJECT_ROOT / "corpus").glob("*.txt")).read_text(encoding="utf-8")
    rows: list[dict] = []
    field = 0
    for line in text.splitlines():
        if m := re.match(r"【分野(\d)】", line):
            field = int(m.group(1))
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != 6 or not field or cells[2] in ("", "2026") or cells[1] == "":
            continue
        years: list[str] = []
        for c in cells[2:]:
            years.append(years[-1] if c == "⇒" else c)
        if cells[0]:
            new = cells[0].startswith("新 ")
            rows.append({"name": cells[0][2:].strip() if new else cells[0], "new": new, "field": field, "lines": []})
        rows[-1]["lines"].append((cells[1], dict(zip(YEARS, years, strict=True))))
    return rows


@pytest.fixture(scope="module")
def api(bot) -> TestClient:  # noqa: ANN001
    """The JSON API over the session's assistant."""
    return TestClient(create_api(bot))


def names(api: TestClient, **params: object) -> list[str]:
    """The names the API lists for the filters (JSON), after checking its count."""
    body = api.get("/api/initiatives", params=params).json()
    assert body["count"] == len(body["items"])
    return [r["name"] for r in body["items"]]


def test_the_reading_of_the_tables_is_the_plans() -> None:
    rows = table_rows()
    assert len(rows) == 94 and sum(r["new"] for r in rows) == 31  # the plan's own totals
    assert len({d for r in rows for d, _ in r["lines"]}) == 45


@pytest.mark.parametrize("params, keep", [
    ({"department": "デジタル政策課", "new": "true"},
     lambda r: r["new"] and any(d == "デジタル政策課" for d, _ in r["lines"])),
    ({"field": 5}, lambda r: r["field"] == 5),
    ({"new": "false", "field": 1}, lambda r: not r["new"] and r["field"] == 1),
    ({"year": 2027, "status": "検討"}, lambda r: any(y["2027"] == "検討" for _, y in r["lines"])),
    ({"field": 2, "new": "true", "year": 2027, "status": "検討"},
     lambda r: r["field"] == 2 and r["new"] and any(y["2027"] == "検討" for _, y in r["lines"])),
    ({"department": "産業政策課", "year": 2028, "status": "—"},
     lambda r: any(d == "産業政策課" and y["2028"] == "—" for d, y in r["lines"])),
    ({"status": "新規*"}, lambda r: any(v.startswith("新規") for _, y in r["lines"] for v in y.values())),
    ({"year": 2029}, lambda r: any(y["2029"] != "—" for _, y in r["lines"])),
    ({}, lambda r: True),
])
def test_filters_list_exactly_the_rows_of_the_plan(api: TestClient, params: dict, keep) -> None:  # noqa: ANN001
    expected = [r["name"] for r in table_rows() if keep(r)]
    assert names(api, **params) == expected and expected  # the same rows, in plan order


def test_the_acceptance_examples(api: TestClient) -> None:
    assert len(names(api, department="デジタル政策課", new="true")) == 4
    assert len(names(api, field=5)) == 30
    assert names(api, text="マイナンバー") == [r["name"] for r in table_rows() if "マイナンバー" in r["name"]]


def test_csv_has_the_same_rows_with_a_bom_and_safe_cells(api: TestClient) -> None:
    json_rows = api.get("/api/initiatives", params={"field": 5}).json()["items"]
    for res in (api.get("/api/initiatives", params={"field": 5, "format": "csv"}),
                api.get("/api/initiatives", params={"field": 5}, headers={"accept": "text/csv"})):
        assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
        assert "attachment" in res.headers["content-disposition"]
        raw = res.content.decode("utf-8")
        assert raw.startswith("\ufeff") and "\r\n" in raw
        table = list(csv.reader(io.StringIO(raw[1:])))
        assert table[0][:3] == ["ID", "取組", "新規"] and len(table) == 31
        assert [t[0] for t in table[1:]] == [r["id"] for r in json_rows]
        assert [t[1] for t in table[1:]] == [r["name"] for r in json_rows]
    english = api.get("/api/initiatives", params={"field": 5, "format": "csv", "lang": "en"}).content.decode("utf-8")
    assert english.startswith("\ufeffid,name,new")
    assert to_csv([["=HYPERLINK(\"x\")", "+1", "-2", "@A1", "ok"]]) == "\ufeff\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@A1,ok\r\n"


def test_kpis_json_and_csv(api: TestClient, plan) -> None:  # noqa: ANN001
    body = api.get("/api/kpis").json()
    assert body["count"] == 22 and sum(k["cumulative"] for k in body["items"]) == 11
    field3 = api.get("/api/kpis", params={"field": 3}).json()["items"]
    assert field3 and all(k["field"] == 3 for k in field3)
    assert len(field3) == sum(k.field_no == 3 for k in plan.kpis)
    table = list(csv.reader(io.StringIO(api.get("/api/kpis", params={"format": "csv"}).content.decode("utf-8")[1:])))
    assert len(table) == 23 and table[0][1] == "KPI"


@pytest.mark.parametrize("params, status, says", [
    ({"department": "謎課"}, 400, "デジタル政策課"),  # names the allowed ones
    ({"status": "完了"}, 400, "検討"),
    ({"viewpoint": "x"}, 400, "全ての人の利便性向上に向けて"),
    ({"departmnt": "市民課"}, 422, "departmnt"),  # a mistyped parameter is never ignored
    ({"field": 9}, 422, "field"),
    ({"year": 2031}, 422, "year"),
    ({"format": "xlsx"}, 400, "csv"),
])
def test_bad_filters_say_what_is_wrong(api: TestClient, params: dict, status: int, says: str) -> None:
    res = api.get("/api/initiatives", params=params)
    assert res.status_code == status
    err = res.json()["error"]
    assert says in err["message_ja"] and err["message_en"] and set(err) == {"code", "message_ja", "message_en"}


@pytest.mark.parametrize("question, linked", [
    ("デジタル政策課の新規の取組は？", True),
    ("分野5の取組を一覧で", True),
    ("2027年度に検討の取組は？", True),
    ("新規の取組はいくつ？", True),
    ("ドローンを活用した取組は？", False),  # a theme has no filter in the list view
    ("デジタル政策課以外で新規の取組は？", False),  # nor does a negated department
    ("かなパスの担当は？", False),  # not a list
])
def test_a_chat_list_links_to_the_list_view_with_exactly_its_rows(api: TestClient, question: str, linked: bool) -> None:
    answer = api.post("/api/ask", json={"question": question}).json()
    assert bool(answer["list_url"]) == linked
    if linked:
        shown = [c["id"] for c in answer["citations"] if c["kind"] == "initiative"]
        query = answer["list_url"].removeprefix("list?")
        assert [r["id"] for r in api.get(f"/api/initiatives?{query}").json()["items"]] == shown
        assert f'{len(shown)}件' in api.get(f"/list?{query}").text
