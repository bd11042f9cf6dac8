"""Frame = what a question asks + the slots it names + the ranked subjects of ONE retrieval pass."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..glossary import to_japanese_terms
from ..models import Plan
from ..retrieve import Hit, HybridSearcher
from ..text import is_english, normalize, proper_nouns
from .intent import asks as read_asks
from .lexicon import colloquial_to_standard, synonyms
from .slots import FIELD_ALIASES, STATUS_WORDS, Slots, department_stem, read_slots

INJECTION = re.compile(
    r"(無視|忘れ)(して|ろ|て|てください|なさい)|あなたは(今から|これから|もう)|あなたの(ルール|設定|指示|プロンプト)|として(振る舞|ふるま|答え|自己紹介|話し)|"
    r"ロールプレイ|なりきっ|システムプロンプト|プロンプトを|ルールを(変|破|無視)|指示を(無視|忘れ)|制限を(解除|無視)|"
    r"ignore (all|any|the|previous|your)|disregard|you are now|pretend|act as|role-?play|jailbreak|system prompt",
    re.IGNORECASE,
)
# Real-world requests the plan never answers (procedures, prices, hours, weather …), unless the plan is asked about.
# Never in the plan, whatever else the question says: money spent, results so far, personal advice, weather.
NEVER_IN_PLAN = re.compile(
    r"予算|費用|何円|億円|万円|実績|去年|昨年|実際に|天気|雨になる|雨が降る|晴れる|知事|市長の名前|"
    r"budget|how much money|last year|weather|personally|recommend|actually used|how many people used",
    re.IGNORECASE,
)
OUT_OF_SCOPE = re.compile(
    r"方法|やり方|仕方|出し方|手続き|申し込み方|申込方法|どうすれば|どうやって|忘れ(まし|た)|パスワード|ログイン|いくら|"
    r"料金は|値段|価格|営業時間|開庁時間|開館時間|時刻表|何時何分|何時に|天気|住所|電話番号|場所は|行き方|人口|"
    r"おすすめ|お薦め|お勧め|お土産|収集日|収集曜日|休館日|休業日|定休日|必要な書類|必要書類|持ち物|締め?切り?|駐車場|最寄り|"
    r"予算|費用|何円|億円|万円|実際に|実績|去年|昨年|成績|評価は|"
    r"how (do|can|should) i|how to|price|cost|budget|opening hours|weather|address|phone number|population|"
    r"recommend|personally|last year",
    re.IGNORECASE,
)
PLAN_ASK = re.compile(r"担当|課|部署|所管|誰が|取組|施策|事業|プラン|目標|KPI|department|initiative|target|in charge",
                      re.IGNORECASE)
SCAFFOLD = re.compile(
    r"新規|新しい|新しく|新た|始まる|始める|終了|終わる|予定|状況|何も|ない|無い|なし|一覧|関する|関連|取組|施策|事業|分野|"
    r"数|件数|いくつ|何件|何個|目標|KPI|指標|今年度|来年度|再来年度|最終年度|初年度|以降|まで|から|デジタル化|デジタル|DX|"
    r"initiatives?|projects?|list|new|field|year|fy|kpis?|targets?|all|please|tell|me|about|related|digital|"
    r"there|plan|プラン|計画|全体|全部で|合計|総数|全部|載って|出てくる|今回",
    re.IGNORECASE,
)


@dataclass
class Frame:
    """One question, understood: the asks, the slots, the topic words and the ranked records."""

    raw: str
    text: str
    english: bool
    search_text: str
    asks: set[str]
    slots: Slots
    topic: tuple[str, ...]
    hits: list[Hit]
    topic_syn: tuple[str, ...] = ()
    injection: bool = False
    out_of_scope: bool = False
    refs: set[str] = field(default_factory=set)
    foreign_name: bool = False  # names a place or organisation the plan never mentions

    def best(self, *kinds: str) -> Hit | None:
        """The best-ranked record of the given kinds."""
        return next((h for h in self.hits if h.kind in kinds), None)

    def ranked(self, *kinds: str) -> list[Hit]:
        """The ranked records of the given kinds."""
        return [h for h in self.hits if h.kind in kinds]


REFS: dict[str, re.Pattern[str]] = {
    "subject": re.compile(r"それ|その取組|その事業|これ|あれ|その件|そっち|その話|\bit\b|\bthat\b|\bthis\b|\bits\b", re.I),
    "department": re.compile(r"その課|この課|同じ課|その部署|そこ|そっちの課|その担当|that department|same department|"
                             r"this department|\bthey\b|\btheir\b|\bthem\b", re.I),
    "narrow": re.compile(r"その中|そのうち|その内|うち[、,]|だけ|のみ|just|only|of those|among them", re.I),
    "correction": re.compile(r"ちが|違|じゃなくて|やなくて|ではなく|でなくて|のほう|の方|I meant|sorry|wrong|actually", re.I),
    "other": re.compile(r"ほかに|他に|ほかの|他の|ほかにも|他にも|\belse\b|\bother\b", re.I),
    "shift": re.compile(r"話(が)?かわ|話(が)?変わ|べつの|別の|ところで|different question|something else|by the way", re.I),
}


def normalise_question(question: str) -> str:
    """NFKC, plan spellings and standard Japanese for colloquial forms."""
    return normalize(colloquial_to_standard(normalize(question)))


def topic_tokens(text: str, slots: Slots, searcher: HybridSearcher, english: bool) -> tuple[str, ...]:
    """Content words left once slots and scaffolding are taken out; they rank records, never filter them alone."""
    for dep in slots.departments:
        text = text.replace(dep, " ").replace(department_stem(dep), " ")
    for names in FIELD_ALIASES.values():
        for n in names:
            text = text.replace(n, " ")
    text = re.sub(r"令和\s*\d+\s*年度?|(FY\s*)?20\d\d\s*年?度?|分野\s*\d|第\s*\d\s*分野|\d+", " ", text)
    for word in STATUS_WORDS:
        text = text.replace(word, " ")
    text = SCAFFOLD.sub(" ", text)
    return searcher.query_tokens(text, english, topic=True)


def understand(question: str, plan: Plan, searcher: HybridSearcher, today: date | None = None) -> Frame:
    """Read one (validated) question into a frame; the conversation is resolved afterwards."""
    text = normalise_question(question)
    english = is_english(text)
    extra = to_japanese_terms(text) if english else ""
    syn = synonyms(f"{text} {extra}")
    search_text = " ".join(p for p in (text, extra, syn) if p)
    slots = read_slots(text, plan, today or date.today())
    asks = read_asks(text, slots.departments)
    topic = topic_tokens(f"{text} {extra}", slots, searcher, english)
    hits = searcher.search(search_text, k=len(searcher.record_kind), english=english)
    if slots.status and hits and hits[0].exact >= 0.8 and slots.status in searcher.name_keys[hits[0].record_id]:
        slots.status = None  # 「eL-QRによる納付拡大」: a word of the name, not a status filter
    refs = {name for name, rx in REFS.items() if rx.search(text)}
    return Frame(
        raw=question, text=text, english=english, search_text=search_text, asks=asks, slots=slots, topic=topic,
        hits=hits, injection=bool(INJECTION.search(text)), topic_syn=topic_tokens(syn, slots, searcher, english),
        out_of_scope=bool(NEVER_IN_PLAN.search(text)) or (bool(OUT_OF_SCOPE.search(text)) and not PLAN_ASK.search(text)),
        refs=refs, foreign_name=any(n not in searcher.bm25.idf for n in proper_nouns(text)),
    )
