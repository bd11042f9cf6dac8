"""What a question asks: who / when / list / count / kpi / explain (several may apply), from cue patterns."""

from __future__ import annotations

import re

from ..text import ITSU

# 「全部」「すべて」 ask for every row, not 「全ての人の利便性向上」「全部の工事で」 (every something else)
ALL = r"(?:すべて|全て|全部)(?!の(?!取組|事業|もの|課|分野|担当|KPI|指標))"
# 'list' asked, not the asker's own listing: 「I list my works on the 工芸展」
LIST_WORD = r"(?<!\bI )(?<![Ww]e )\blist\b(?! (my|our)\b)"
CUES: dict[str, re.Pattern[str]] = {
    "kpi": re.compile(
        r"KPI|目標|目指|めざ|指標|数値目標|何人|何件|何回|何コマ|何パーセント|何%|何％|割合|どれくらい|どのくらい|どこまで|"
        r"どれぐらい|どのぐらい|target(?! (client|customer|audience|market|group|user|compan|department)\w*)|goal|"
        r"aim|how many (people|users)", re.IGNORECASE),  # not 'a target client' (an asker's own business)
    "count": re.compile(r"いくつ|何件|何個|何本|何項目|数は|数を|の数|件数|何種類|how many|number of|\bcount\b", re.I),
    "who": re.compile(
        r"担当|どこ|どの課|どの部署|誰|だれ|所管|主管|(運営して|実施して|やって|出して)(いる|る)?(の|ところ)(は|って)|同じ課|"
        r"who|which department|"
        r"what department|responsible|in charge|runs?\b|handles?|division|section|office|bureau", re.IGNORECASE),
    "compare": re.compile(r"(同じ|おなじ|同一の?|違う|別の)(担当)?(課|部署)|同じ担当|担当(課|部署)?(は|が)(同じ|同一|違|別)|"
                          r"(same|different) (department|division|section|office)s?|share (a |the )?(department|division)|"
                          r"both", re.IGNORECASE),
    "list": re.compile(
        rf"一覧|列挙|洗い出|示されたい|{ALL}|(どんな|どのような|どういった)(?!予定|状況|段階|扱い|スケジュール)|何が|ありますか|ある\?|ある？|あります\?|挙げ|教えて|リスト|"
        r"取組は|取組を|取組には|取組で(?!す)|まとめ|何して|何する|何を|何に(使|つか)|何やって|こと(は|って|ある)|もの(は|って)|ほかに|他に|ほかの|他の|だけ(?!ど|れど)|どれ|"
        rf"{LIST_WORD}|what are|which initiatives|what initiatives|what else|\ball\b|anything else|what (kind|sort|types?) of", re.IGNORECASE),
    "when": re.compile(
        rf"予定|スケジュール|{ITSU}|どうなる|どうなって|どうする|状況|ステータス|段階|計画され|何年度|続く|始まる|できる|"
        r"schedule|status|planned|what happens|when|start", re.IGNORECASE),
    "explain": re.compile(
        r"プランの|計画の|(?<!計画)期間(?!中)|理念|行動指針|指針|推進体制|体制|策定|経緯|沿革|位置づけ|位置付け|方針|方向性|構成|"
        r"推進本部|DX会議|趣旨|目的|視点|発行|増補|なぜ|柱|前の計画|これまでの計画|作ってきた|分野(って|は)(何|なに|どんな|いくつ)|どんな分野|どんなまち|どんな街|会議|"
        r"plan period|philosophy|guideline|council|headquarters|formulated|period|\bvision\b|why", re.IGNORECASE),
}
LIST_STRONG = re.compile(rf"一覧|列挙|洗い出|{ALL}|リスト|どんな|どのような|どういった|何が|挙げ|まとめ|ほかに|他に|"
                         rf"{LIST_WORD}|\ball\b|what else|anything else|which initiatives|what initiatives|what (kind|sort|types?) of", re.I)
DEPT_COUNT = re.compile(r"(全部|合計|全体|ぜんぶ)で?(何課|何部署)|(何課|何部署)(ある|あり|くらい|ぐらい|です|に)|"
                        r"(課|部署|担当課)(\([^()]{0,30}\))?(の数|って全部で|は全部で|は何課)|(課|部署)(\([^()]{0,30}\))?[^。]{0,8}いくつ|(課|部署|組織)[^。？?]{0,16}?(何種類|何課|何部署|何組織)|いくつの(担当)?(課|部署)|何種類の(担当)?(課|部署)|how many (distinct |different |separate |unique )?(departments|担当課|課|部署)|(distinct|different|unique) (departments|担当課)|"
                        r"(課|部署)[^。？?]{0,40}(重複を除|重複なし|重複せず)[^。？?]{0,12}(いくつ|何|数)|何団体|何所属|何機関", re.I)


# 「何課が担当」 of one row asks which department; of a field, a table or the plan it asks how many (b68 style)
BARE_DEPT_COUNT = re.compile(r"(何課|何部署)(が|も|で|か|[?？]|$)")
MANY_ROWS = re.compile(r"分野|全体|全部|合計|一覧|表の?中|取組(は|が)?(全部|合計|何件|いくつ)")
EACH = re.compile(r"\beach\b|それぞれ|ずつ|ごと|各取組")  # after 'how many departments': per row, not in all
CLAUSE = re.compile(r"[、,，]|\band\b")  # between two asks of one question
ROW_COUNT = re.compile(r"how many (initiatives|rows|projects)|取組(項目)?(は|が|って)?[^。？?、]{0,8}?(何件|いくつ)|何件の取組|取組(の)?数", re.I)


def asks(text: str, departments: list[str]) -> set[str]:
    """The kinds of answer a question asks for."""
    found = {name for name, rx in CUES.items() if rx.search(text)}
    if LIST_STRONG.search(text):
        found.add("list_all")
    rest = text
    for dep in departments:
        rest = rest.replace(dep, "")
    dept, rows = DEPT_COUNT.search(rest), ROW_COUNT.search(rest)
    dept = dept or (BARE_DEPT_COUNT.search(rest) if MANY_ROWS.search(rest) else None)
    # 'how many initiatives … how many departments each' asks per department; 「取組が何件あり、担当課は何課」 asks both
    if dept and (not rows or (rows.end() <= dept.start() and CLAUSE.search(rest, rows.end(), dept.start())
                              and not EACH.search(rest, dept.end()))):
        found |= {"count", "count_departments"}
    return found
