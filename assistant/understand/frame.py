"""Frame = what a question asks + the slots it names + the ranked subjects of ONE retrieval pass."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..glossary import to_japanese_terms
from ..limits import QUESTION_TOKENS
from ..models import STATUSES, Plan
from ..query import Query
from ..retrieve import Hit, HybridSearcher
from ..text import asking_part, is_english, normalize, proper_nouns
from .conditions import EXAMPLES, read_query
from .intent import asks as read_asks
from .intent_model import learned_ask
from .lexicon import colloquial_to_standard, pattern, plan_terms, synonyms
from .slots import FIELD_ALIASES, Slots, department_stem, read_slots

INJECTION = re.compile(
    r"(無視|忘れ)(してください|てください|して|しろ|ろ|て|なさい)(?!しま|い[るたまて]|た)|あなたは(今から|これから|もう)|あなたの(ルール|設定|指示|プロンプト)|として(振る舞|ふるま|答え|自己紹介|話し)|"
    r"ロールプレイ|なりきっ|システムプロンプト|プロンプトを|ルールを(変|破|無視)|指示を(無視|忘れ)|制限を(解除|無視)|"
    r"ignore\s*(all|any|the|previous|your)|disregard|you\s*are\s*now|pretend|\bact\s*as\b|role-?\s*play|jailbreak|"
    r"system\s*prompt",
    re.IGNORECASE,
)
SPACED_LETTERS = re.compile(r"(?<![A-Za-z])(?:[A-Za-z][\s.\-_*·,/]+){2,}[A-Za-z](?![A-Za-z])")
SPACED_KANA = re.compile(r"(?:[ぁ-んァ-ヶ一-龯][\s.\-_*·・,/]+){2,}[ぁ-んァ-ヶ一-龯]")


def joined(text: str) -> str:
    """Letters spaced or dotted apart joined again (「I g n o r e」, 「S.y.s.t.e.m」, 「無 視 し て」)."""
    text = SPACED_LETTERS.sub(lambda m: re.sub(r"[^A-Za-z]", "", m.group()), text)
    return SPACED_KANA.sub(lambda m: re.sub(r"[\s.\-_*·・,/]", "", m.group()), text)


def is_injection(text: str) -> bool:
    """True when the text tries to change the assistant's instructions, also when spelled out letter by letter."""
    return bool(INJECTION.search(text) or INJECTION.search(joined(text)))


KPI_WORDS = re.compile(r"KPI|指標|数値目標|目標値|targets?\b|indicators?", re.IGNORECASE)
PLAN_ASK = re.compile(r"担当|課|部署|所管|誰が|取組|施策|事業|プラン|目標|KPI|ありますか|あるん|はある|"
                      r"department|initiative|target|in charge", re.IGNORECASE)
SCAFFOLD = re.compile(
    r"(取組|一覧|担当課?)表|(担当課?|記載|所管課?)欄|何団体|何所属|何機関|いつ(から)?\s*(導入|開始|実施|スタート)|"
    r"(課|局|機関|団体|学校|所属|大学|高校|センター|部署)(・(課|局|機関|団体|学校|所属|大学|高校|センター|部署|病院事務局))+(など|等)?|所管分|担当分|位置付け|位置づけ|位置付|添えて|併記|新規|新しい|新しく|新た|始まる|始める|終了|終わる|予定|状況|何も|ない|無い|なし|一覧|関する|関連|取組|施策|事業|分野|"
    r"数|件数|いくつ|何件|何個|目標|KPI|指標|今年度|来年度|再来年度|最終年度|初年度|以降|まで|から|デジタル化|デジタル|DX|"
    r"initiatives?|projects?|list|new|field|year|fy|kpis?|targets?|all|please|tell|me|about|related|digital|"
    r"there|plan|プラン|計画|全体|全部で|合計|総数|全部|載って|出てくる|今回|サービス|仕組み|しくみ|取り組み|"
    r"(?<![一-龥])表(?![一-龥])|表全体|表中|それぞれ|各々|おのおの|各(?=分野|担当|課|部署|取組|年度)|担当欄|記載欄|(?<![一-龥])欄|何種類|種類|組織|具体的な|所管課|所管|において|における|に於いて|に於ける",  # 「具体的な取組の表について」: the plan's table itself
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
    foreign_place: bool = False  # names a town or city the plan never mentions (白山市, 東京都): not this plan
    query: Query = field(default_factory=Query)  # the conditions and result, as one query over the rows
    asserted: tuple[str, ...] = ()  # departments said to run the row described, to be confirmed (not to choose it)

    def best(self, *kinds: str) -> Hit | None:
        """The best-ranked record of the given kinds."""
        return next((h for h in self.hits if h.kind in kinds), None)

    def ranked(self, *kinds: str) -> list[Hit]:
        """The ranked records of the given kinds."""
        return [h for h in self.hits if h.kind in kinds]


def refers_back(text: str) -> bool:
    """True when a turn refers to an earlier one (その課, そのうち, それ …): read alone it would be about something else."""
    return any(REFS[k].search(text) for k in ("subject", "department", "narrow")) or bool(
        COMPARED_WITH.search(text) or CONTINUES.match(text))


# 「了解。で、令和9年度からは…」「じゃあ、2028年度は？」: a turn that goes on from the last answer
CONTINUES = re.compile(r"^\s*((了解|りょうかい|わかりました|分かりました|なるほど|ありがとう\w*|ok|okay)[。、,.!！\s]*(で[、,\s])?|"
                       r"(では|じゃあ|じゃ|ほな|ほんなら|それなら|だったら)[、,\s])", re.I)


# 「予防課と比べると、どっちが多い？」 names one side: the other is the last turn's
COMPARED_WITH = re.compile(r"と(比べ|くらべ|比較)|\bcompared (with|to)\b", re.I)


POINTS_BACK = re.compile(r"その中|そのうち|その内|この中|このうち|これらの(中|うち)|(その|この|上記の?|前記の?)\s*[0-9０-９]+\s*(件|つ|項目)の?(うち|中)|of (those|these|them)|among (them|these|those)|(out of|from) (those|these|them)\b", re.I)
REFS: dict[str, re.Pattern[str]] = {
    "subject": re.compile(r"それ|その(取組|取り組み|事業|運用|サービス|アプリ|システム|講座|計画|施策|制度|仕組み|しくみ|窓口|サイト)|"
                          r"これ|あれ|その件|そっち|その話|\bit\b|\bthat\b|\bthis\b|\bits\b", re.I),
    "department": re.compile(r"その課|この課|同じ課|その部署|そこ|そっちの課|その担当|(その|同じ|当該)(所管|担当)課?|that department|same department|"
                             r"this department|\bthey\b|\btheir\b|\bthem\b", re.I),
    "narrow": re.compile(rf"{POINTS_BACK.pattern}|^うち|うち[、,]|だけ(?!ど|れど)|のみ|just|only", re.I),
    "correction": re.compile(r"(?<!っ)ちが|違|じゃなくて|やなくて|ではなく|でなくて|のほう|の方|I meant|sorry|wrong|actually", re.I),
    "other": re.compile(r"ほかに|他に|ほかの|他の|ほかにも|他にも|\belse\b|\bother\b", re.I),
    "shift": re.compile(r"話(が)?かわ|話(が)?変わ|べつの|別の|ところで|different question|something else|by the way", re.I),
}


TOWN = ("市", "県", "都", "府", "村")


def other_place(text: str, searcher: HybridSearcher) -> bool:
    """True when the question names a place the plan never mentions (白山市, 富山市): it asks about another city."""
    plan_text = searcher.context_keys.get("S1.1", "") + "".join(searcher.name_keys.values())
    return any(p not in searcher.bm25.idf and p not in plan_text
               and (p.endswith(TOWN) or any(f"{p}{t}" in text for t in TOWN))  # 白山市, 東京(都)
               for p in proper_nouns(text, "地名"))


def out_of_scope(text: str, names: tuple[str, ...] | list[str] = ()) -> bool:
    """What the plan never says (money, results, names), or a real-world request not asked about the plan; words
    of the names a question uses for the row it names (「…時刻表・周辺案内等のデジタル表示」) ask nothing."""
    if pattern("out_of_scope").search(text) and names:
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, " ")
    return bool(pattern("never_in_plan").search(asking_part(text))) or (
        bool(pattern("out_of_scope").search(text)) and not PLAN_ASK.search(text))


def named_row(searcher: HybridSearcher, hits: list[Hit]) -> list[str]:
    """The names (and parts) of the row a question names exactly, as the plan spells them."""
    if not hits or hits[0].exact < 0.8 or hits[0].kind != "initiative":
        return []
    return searcher.alias_names.get(hits[0].record_id, [])


# 「AじゃなくてB」 corrects A: only A (quoted phrases said together, or one word) goes; 「Aではなく、Bでもない」 is neither A nor B
NEGATED = re.compile(r"((?:「[^」]*」\s*(?:[、・,/]|や|と|または|か)?\s*)*「[^」]*」|[一-龥ァ-ヶーA-Za-z0-9]+|[ぁ-ん]{1,6})(じゃなくて|やなくて|ではなくて?|でなくて)"
                     r"(?![^。?？!！]*でも(ない|なく|ありません))")


FLAG_WORD = re.compile(r"[「」]?(新規|新|新しい|新マーク|既存)[「」]?")  # 「新規ではなく、かつ…」 negates a condition
AND_NEXT = re.compile(r"[、,]?\s*(かつ|しかも|さらに|また)")


def _corrected(m: re.Match[str]) -> str:
    """「AじゃなくてB」 drops A; a negated flag or a negation joined to the next condition stays for the reader."""
    if FLAG_WORD.fullmatch(m.group(1)) or AND_NEXT.match(m.string, m.end()) or m.string[m.end():m.end() + 1] in (")", "）"):
        return m.group()  # (a bracketed 「(新規導入・新規公開ではなく)」 is a remark on the condition before it)
    return " "


# a count claimed in a quote (「新規の取組は31件」と書きたいが正しいか) or said as a fact to confirm ('the plan has 22 KPIs.
# Can you confirm?'): the count is asked, so the answer computes it (and the reader compares) instead of a theme
CLAIM_ASK = re.compile(r"正し|合って|あって(い|ま)|間違い|誤り|本当|確認|correct|confirm|right\?|accurate|true\?", re.I)
CLAIMED_JA = re.compile(r"(?<=[「『])([^」』]{0,30}?)[0-9０-９]+\s*(件|つ|課|個|項目)(?=[^」』]{0,12}[」』])")
CLAIMED_EN = re.compile(r"\b(says?|that|has|have|are|is)\s+(the plan has\s+)?[0-9]+\s+(?=(new\s+)?(initiatives|kpis|departments|rows)\b)",
                        re.IGNORECASE)
CLAIM_FRAME = re.compile(r"(記事|原稿|資料|報告書|紙面|見出し)(に|で|の中で)|と(書きたい|書く予定|書こうと|記載したい|載せたい)(が|のですが|んですが)?")


# what the asker wrote or means to write (「記事では「暮らしづくりが最多」と書いてしまったのですが」): a claim, not
# conditions; its quote stays only when the message points back at it (正しいですか, どちらが先), else it goes
WRITTEN = re.compile(r"(?:(?:記事|原稿|資料|報告書|紙面|見出し|ブログ|投稿)(?:に|で|では|には|の中で)\s*)?"
                     r"([「『][^」』]{1,80}[」』])\s*と(?:書(?!いてあ|かれ)|記載(?!され|があ)|載せ)[^。？?、]{0,16}、?")
POINTS_AT_CLAIM = re.compile(r"正し|合って|あって(い|ま)|間違|誤り|本当|ホント|事実|どちら|どっち")


def written_claim(text: str) -> str:
    """The message with a claim the asker wrote reduced to its quote (when asked about) or taken out."""
    m = WRITTEN.search(text)
    if not m:
        return text
    rest = text[:m.start()] + text[m.end():]
    return text[:m.start()] + (m.group(1) if POINTS_AT_CLAIM.search(rest) else " ") + written_claim(text[m.end():])


def claimed_count(text: str) -> str:
    """The question with a claimed count turned into the count asked (「…は31件」→「…は何件」), when it asks to confirm."""
    if not CLAIM_ASK.search(text):
        return text
    asked = CLAIMED_JA.sub(lambda m: m.group(1) + ("いくつ" if m.group(2) == "つ" else f"何{m.group(2)}"), text)
    asked = CLAIMED_EN.sub(lambda m: f"{m.group(1)} how many ", asked)
    return CLAIM_FRAME.sub(" ", asked) if asked != text else text


def normalise_question(question: str) -> str:
    """NFKC, plan spellings and standard Japanese for colloquial forms; 「AじゃなくてB」 keeps only B; a claim the asker
    wrote is its quote or nothing; a claimed count to confirm asks the count."""
    return claimed_count(written_claim(NEGATED.sub(_corrected, normalize(colloquial_to_standard(normalize(question))))).strip())


LABEL = re.compile(r"^\s*[^\s:：、。？?]{1,6}\s*[:：](?!\s*\d)")  # 「チェック:」「監査項目：」 heading a message: no theme


# the bureau a department belongs to, said before it (「上下水道の経営企画課」): part of its name, not a theme
BUREAU = r"(金沢市|市役所|市の|上下水道局?|企業局|消防局|消防本部|教育委員会|市立病院|[一-龥]{1,6}局)の?\s*"


def without_departments(text: str, departments: list[str]) -> str:
    """The text with the departments named (their bureaus and stems) blanked: they are slots, not a theme."""
    for dep in departments:
        text = re.sub(BUREAU + re.escape(dep), " ", text)
        text = text.replace(dep, " ").replace(department_stem(dep), " ")
    return text


def topic_tokens(text: str, slots: Slots, searcher: HybridSearcher, english: bool) -> tuple[str, ...]:
    """Content words left once slots and scaffolding are taken out; they rank records, never filter them alone."""
    # 「（…とか）」 names no theme; nor does a department, one the plan has or one it does not (a premise to correct)
    text = without_departments(LABEL.sub(" ", EXAMPLES.sub(" ", text)), slots.departments + slots.unknown_departments)
    for names in FIELD_ALIASES.values():
        for n in names:
            text = text.replace(n, " ")
    text = re.sub(r"令和\s*\d+\s*年度?|(FY\s*)?20\d\d\s*年?度?|分野\s*\d|第\s*\d\s*分野|\d+", " ", text)
    for word in STATUSES:
        text = text.replace(word, " ")
    text = SCAFFOLD.sub(" ", text)
    return searcher.query_tokens(text, english, topic=True)


# a department the question asserts runs the row it describes, to be confirmed: a premise the answer checks, not
# words that choose the row (its rows would outrank the one described)
# (a list ask between the verb and the ending, 「…がやっている取組は何ですか」, asserts nothing)
RUNS_AFTER = re.compile(
    r"(さん|様|さま)?(が|で|の)?(担当|所管|運営|主管|管轄|やって|やっと|やる|実施)"
    r"(?:(?!取組|何|どれ|どんな|どの|ほか|他|一覧|件)[^。？?]){0,16}?"
    r"(よね|でしょ|ですか|ますか|のか|やろ|やね|んけ|のけ|け[？?]|け\s*$|合って|あって|正しい|間違い)")
RUN_BY_BEFORE = re.compile(r"\b(run|handled|managed|operated|led) by (the )?[^.?]{0,40}$", re.IGNORECASE)
CONFIRM_EN = re.compile(r"\b(correct|right|isn't it|aren't they)\b|\?")


def without_asserted(text: str, departments: list[str]) -> tuple[str, tuple[str, ...]]:
    """The text with the departments it asserts as the runner (to be confirmed) blanked out, for ranking rows, and
    those departments."""
    asserted = []
    for d in departments:
        at = text.find(d)
        if at >= 0 and (RUNS_AFTER.match(text, at + len(d)) or (
                RUN_BY_BEFORE.search(text[:at]) and CONFIRM_EN.search(text))):
            text = text[:at] + " " * len(d) + text[at + len(d):]
            asserted.append(d)
    return text, tuple(asserted)


def understand(question: str, plan: Plan, searcher: HybridSearcher, today: date | None = None,
               embed_tokens: int = QUESTION_TOKENS) -> Frame:
    """Read one (validated) question into a frame; the conversation is resolved afterwards.

    embed_tokens bounds the embedding (see limits.py); every other step reads the whole text."""
    text = normalise_question(question)
    english = is_english(text)
    slots = read_slots(text, plan, today or date.today())
    ranked, asserted = without_asserted(text, slots.departments)  # 「…は市立病院事務局が担当ですよね？」 ranks by the row's words
    extra = to_japanese_terms(ranked) if english else ""
    syn, about_plan = synonyms(f"{ranked} {extra}"), plan_terms(f"{ranked} {extra}")
    search_text = " ".join(p for p in (ranked, extra, syn, about_plan) if p)
    first, more = (extra, ranked) if english and extra else (ranked, extra)  # the index is Japanese: its terms first
    # One embedding of the question's own words (English: its Japanese terms first), as the intent model was fitted
    # on; synonyms and plan terms rank records lexically (search_text) and cost no embedding tokens.
    dense_text = searcher.fit_with(first, more, embed_tokens)
    asks = read_asks(text, slots.departments)
    if about_plan and not KPI_WORDS.search(text):  # 「このプランは何をめざしてる？」 asks about the plan, not a KPI
        asks = (asks - {"kpi"}) | {"explain"}
    if not asks & {"who", "when", "list", "count", "kpi", "explain"} and (learned := learned_ask(
            searcher.query_vector(dense_text))):
        asks.add(learned)  # no cue word: what questions like this one asked (intent_model.py)
    topic = topic_tokens(f"{text} {extra}", slots, searcher, english)
    hits = searcher.search(search_text, k=len(searcher.record_kind), english=english, dense_text=dense_text)
    if slots.status and hits and hits[0].exact >= 0.8 and slots.status in searcher.name_keys[hits[0].record_id]:
        slots.status = None  # 「eL-QRによる納付拡大」: a word of the name, not a status filter
    refs = {name for name, rx in REFS.items() if rx.search(text)}
    return Frame(
        raw=question, text=text, english=english, search_text=search_text, asks=asks, slots=slots, topic=topic,
        hits=hits, injection=is_injection(text), topic_syn=topic_tokens(synonyms(without_departments(EXAMPLES.sub(" ", f"{ranked} {extra}"), slots.departments)), slots, searcher,
                               english),  # 「市立病院事務局」 is no theme of 病院 or 医療
        out_of_scope=out_of_scope(text, named_row(searcher, hits)),
        refs=refs, foreign_name=any(n not in searcher.bm25.idf for n in proper_nouns(text)),
        foreign_place=other_place(text, searcher),
        query=read_query(text, plan, slots, asks, english, today or date.today()),
        asserted=asserted,
    )
