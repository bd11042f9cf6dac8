"""Question understanding: what is asked (intent) and which filters it names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from .errors import ControlCharacterError, EmptyQuestionError, MarkupError, QuestionTooLongError
from .glossary import to_japanese_terms
from .models import YEARS, Plan
from .text import is_english, match_key, normalize

STATUS_WORDS = ("新規導入", "新規実施", "新規公開", "継続・拡大", "検討・試行", "拡大検討", "検討", "継続", "試行", "拡大")
FIELD_ALIASES = {
    1: ("魅力づくり", "魅力"), 2: ("暮らしづくり", "暮らし"), 3: ("人づくり",), 4: ("仕事づくり", "仕事"), 5: ("都市づくり", "都市"),
}
NARRATIVE_SYNONYMS = {
    "経緯": "策定の趣旨 策定", "沿革": "策定の趣旨 策定", "これまで": "策定", "歴史": "策定の趣旨", "理念": "基本理念",
    "ビジョン": "基本理念", "目指す姿": "基本理念", "期間": "プランの期間", "何年間": "プランの期間 期間",
    "体制": "推進体制", "指針": "行動指針", "位置付け": "位置づけ", "方向性": "取組の方向性", "趣旨": "策定の趣旨",
    "目的": "策定の趣旨", "発行": "策定・発行", "編集": "策定・発行", "増補": "策定・発行",
}

INJECTION = re.compile(
    r"(無視|忘れ)(して|ろ|て|てください|なさい)|あなたは(今から|これから|もう)|あなたの(ルール|設定|指示|プロンプト)|として(振る舞|ふるま|答え|自己紹介|話し)|"
    r"ロールプレイ|なりきっ|システムプロンプト|プロンプトを|ルールを(変|破|無視)|指示を(無視|忘れ)|制限を(解除|無視)|"
    r"ignore (all|any|the|previous|your)|disregard|you are now|pretend|act as|role-?play|jailbreak|system prompt",
    re.IGNORECASE,
)
KPI_CUE = re.compile(r"KPI|目標|目指|指標|数値目標|target|goal|aim", re.IGNORECASE)
COUNT_CUE = re.compile(r"いくつ|何件|何個|何課|何部署|何の課|何本|数は|数を|件数|何種類|how many|number of|count", re.I)
DEPT_COUNT_CUE = re.compile(r"何課|何部署|(課|部署|担当課)の数|(課|部署|担当課)は(いくつ|何)|how many departments", re.I)
WHO_CUE = re.compile(
    r"担当|どこ|どの課|どの部署|誰|だれ|所管|主管|運営して|実施して|やって|who|which department|what department|"
    r"responsible|in charge",
    re.IGNORECASE,
)
LIST_CUE = re.compile(
    r"一覧|すべて|全て|全部|どんな|どのような|どういった|何が|ありますか|あります\?|挙げ|教えて|リスト|取組は|取組を|"
    r"取組には|取組で|list|what are|which initiatives|what initiatives|all ",
    re.IGNORECASE,
)
SCHEDULE_CUE = re.compile(
    r"予定|スケジュール|いつから|いつまで|どうなる|どうなって|どうする|状況|ステータス|段階|計画され|"
    r"schedule|status|planned|what happens|when",
    re.IGNORECASE,
)
NARRATIVE_CUE = re.compile(
    r"プランの|計画の|期間|理念|行動指針|指針|推進体制|体制|策定|経緯|沿革|位置づけ|位置付け|方針|方向性|構成|"
    r"推進本部|DX会議|趣旨|目的|視点|発行|増補|いつ|plan period|philosophy|guideline|council|headquarters|formulated",
    re.IGNORECASE,
)
NEW_CUE = re.compile(r"新規|新しい|新しく|新た|新設|新 |始まる|始める|スタート|new\b|newly|start", re.IGNORECASE)
ENDED_CUE = re.compile(r"終了|終わる|終わり|なくなる|打ち切|ends?\b|stops?\b|discontinu", re.IGNORECASE)
NO_PLAN_CUE = re.compile(
    r"予定(が|は|の)?(ない|無い|なし)|予定なし|実施(しない|されない|予定がない)|行わない|行われない|空白|"
    r"nothing planned|no plans?|not planned",
    re.IGNORECASE,
)
ANAPHORA = re.compile(r"その|それ|この|あの|同じ|他の|ほかの|そこ|\bit\b|\bthat\b|\bthis\b|\bsame\b|\bother", re.I)
# Real-world requests the plan never answers (procedures, prices, hours, weather …), unless the plan is asked about.
OUT_OF_SCOPE = re.compile(
    r"方法|やり方|仕方|出し方|手続き|申し込み方|申込方法|どうすれば|どうやって|忘れ(まし|た)|パスワード|ログイン|いくら|"
    r"料金は|値段|価格|営業時間|開庁時間|開館時間|時刻表|天気|住所|電話番号|場所は|行き方|人口|おすすめ|お土産|"
    r"収集日|収集曜日|休館日|休業日|定休日|必要な書類|必要書類|持ち物|締め?切り?|駐車場|最寄り|"
    r"how (do|can|should) i|how to|price|cost|opening hours|weather|address|phone number|population|recommend",
    re.IGNORECASE,
)
PLAN_ASK = re.compile(
    r"担当|課|部署|所管|誰が|取組|施策|事業|プラン|予定|目標|KPI|年度|department|initiative|plan|target|in charge",
    re.IGNORECASE,
)
DEPT_SUFFIX = re.compile(r"(事務局|推進課|センター|課|局)$")
MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript:|on\w+\s*=", re.IGNORECASE)


@dataclass
class Analysis:
    """Everything read off a question before retrieval."""

    raw: str
    text: str
    english: bool
    search_text: str
    injection: bool = False
    departments: list[str] = field(default_factory=list)
    fields: list[int] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    out_of_range_years: list[int] = field(default_factory=list)
    status: str | None = None
    new_only: bool = False
    ended: bool = False
    no_plan: bool = False
    count_departments: bool = False
    out_of_scope: bool = False
    anaphora: bool = False
    cues: set[str] = field(default_factory=set)

    @property
    def has_filters(self) -> bool:
        """True when the question narrows by department, field, year, status or newness."""
        return bool(self.departments or self.fields or self.years or self.status or self.new_only or self.ended
                    or self.no_plan)


def validate(question: object, limit: int) -> str:
    """The question as clean text, or an InputError saying what is wrong with it."""
    if not isinstance(question, str) or not question.strip():
        raise EmptyQuestionError()
    if len(question) > limit:
        raise QuestionTooLongError(limit)
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t\r" for c in question):
        raise ControlCharacterError()
    if MARKUP.search(question):
        raise MarkupError()
    return question.strip()


def fiscal_year(today: date) -> int:
    """The Japanese fiscal year (April–March) of a date."""
    return today.year if today.month >= 4 else today.year - 1


def _years(text: str, today: date) -> tuple[list[int], list[int]]:
    """Plan years named (absolute, 令和, relative) and years named outside the plan period."""
    found: list[int] = []
    for m in re.finditer(r"令和\s*(\d{1,2})\s*年", text):
        found.append(2018 + int(m.group(1)))
    for m in re.finditer(r"(?:FY\s*)?(20\d\d)(?!\d)", text, re.IGNORECASE):
        found.append(int(m.group(1)))
    fy = fiscal_year(today)
    relative = {"再来年度": fy + 2, "来年度": fy + 1, "今年度": fy, "本年度": fy, "昨年度": fy - 1, "前年度": fy - 1,
                "最終年度": YEARS[-1], "初年度": YEARS[0], "next year": fy + 1, "this year": fy, "final year": YEARS[-1]}
    for word, year in relative.items():
        if word in text.lower():
            found.append(year)
            text = text.replace(word, "")
    inside = [y for y in dict.fromkeys(found) if y in YEARS]
    outside = [y for y in dict.fromkeys(found) if y not in YEARS]
    return inside, outside


def department_stem(name: str) -> str:
    """A department name without its 課/局/センター ending (観光政策課 → 観光政策)."""
    return DEPT_SUFFIX.sub("", name)


def _departments(key: str, plan: Plan) -> list[str]:
    """Departments named in the question: full names, or their stems of 3+ characters, longest first."""
    found = []
    for dep in sorted(plan.departments, key=len, reverse=True):
        dkey = match_key(dep)
        needles = [dkey] + ([department_stem(dkey)] if len(department_stem(dkey)) >= 3 else [])
        hit = next((n for n in needles if n in key), None)
        if hit:
            found.append(dep)
            key = key.replace(hit, " ")
    return found


def _fields(text: str) -> list[int]:
    """Fields named as 分野N, 第N分野, field N or by their names."""
    found = [int(m.group(1) or m.group(2) or m.group(3)) for m in re.finditer(
        r"分野\s*([1-5])|第\s*([1-5])\s*分野|field\s*([1-5])", text, re.IGNORECASE)]
    for no, names in FIELD_ALIASES.items():
        if any(n in text for n in names[:1]) or any(f"{n}分野" in text or f"{n}の分野" in text for n in names):
            found.append(no)
    return list(dict.fromkeys(found))


def _status(text: str) -> str | None:
    """The plan's status word the question uses, longest first."""
    for word in STATUS_WORDS:
        if word in text:
            return word
    return None


def analyze(question: str, plan: Plan, today: date | None = None) -> Analysis:
    """Read intent and filters off a (validated) question."""
    text = normalize(question)
    english = is_english(text)
    search_text = f"{text} {to_japanese_terms(text)}" if english else text
    a = Analysis(raw=question, text=text, english=english, search_text=search_text)
    a.injection = bool(INJECTION.search(text))
    key = match_key(text)
    a.departments = _departments(key, plan)
    a.fields = _fields(text)
    a.years, a.out_of_range_years = _years(text, today or date.today())
    a.status = _status(text)
    a.new_only = bool(NEW_CUE.search(text)) and not (a.status and a.status.startswith("新規"))
    a.no_plan = bool(NO_PLAN_CUE.search(text))
    a.ended = bool(ENDED_CUE.search(text)) and not a.no_plan
    a.anaphora = bool(ANAPHORA.search(text))
    a.out_of_scope = bool(OUT_OF_SCOPE.search(text)) and not PLAN_ASK.search(text)
    a.count_departments = bool(DEPT_COUNT_CUE.search(re.sub("|".join(map(re.escape, a.departments)) or "^$", "", text)))
    cues = {
        "kpi": KPI_CUE, "count": COUNT_CUE, "who": WHO_CUE, "list": LIST_CUE,
        "schedule": SCHEDULE_CUE, "narrative": NARRATIVE_CUE,
    }
    a.cues = {name for name, rx in cues.items() if rx.search(text)}
    return a
