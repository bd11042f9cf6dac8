"""Do the cited rows hold what the question names? The check for answers whose rows were chosen by meaning.

A question about a service the plan does not have (粗大ごみのネット申込み, ネット投票, 職員のテレワーク) still shares a
word with rows it does have (スマホ, アプリ, オンライン, 職員), and a theme list of those rows would answer it under the
"based on the plan" badge. Such an answer is given only when the cited rows hold the question's content words: by the
plan's own words (as a token, or inside a name or its context), by a reading (ごみばこ → ごみ箱) or by a lexicon
synonym (旅行 → 観光). Content words are the question's nouns once slots and scaffolding are gone, without the
discourse words that say who asks or why (確認, 位置づけ, 議員です …; lexicon.json "discourse"); in English, the
words outside the English discourse list. When MISSING or more of them are held by no cited row, the answer
becomes 「プランには、ご質問の「…」に当たる取組は載っていません」 with the closest rows as candidates, grounded=False.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache, lru_cache

from ..glossary import english_units
from ..models import Citation
from ..text import (
    ITSU,
    asked_sentences,
    asking_part,
    fold_kana,
    match_key,
    reading_key,
    tagged_tokens,
    tokens,
)
from ..understand.frame import Frame
from ..understand.intent import CUES
from ..understand.lexicon import section, table
from ..understand.slots import department_stem
from .base import Draft, Records, join_ja

CHECKED = frozenset({"list", "count", "narrative", "candidates"})  # kinds whose records were chosen by its words
CARDS = frozenset({"who", "schedule"})  # one row's card: checked when nothing in the question is that row's own
NAMED = 0.8  # exact-name score of a row the question names
MISSING = 2  # content words held by no cited row that make a topic-chosen answer not an answer
SHOWN = 3  # missing words named in the reply
MIN_READING = 3  # a kana reading this long, inside a cited name's reading, holds the word (ごみばこ → ごみ箱)
ONE_ROW_MISSING = 3  # words the best row of a theme list lacks, when the list as a whole lacks fewer than MISSING
# (two would decline 「災害のとき避難所とか情報発信で…」, themes joined; a list asked for as one is read whole)
LIST_ROWS_READ = 12  # theme-list rows read for it
MISSING_EN = 3  # the same for English, whose questions spell out more words around what they ask
YES_NO_MISSING = 1  # words of a yes/no question about one row that the row does not hold: it asks what the plan lacks
CARD_MISSING = 3  # words of the asking part a named row lacks that make it another service (not a premise about it)
YES_NO_MISSING_EN = 2  # the same in English, whose glossary knows fewer of a question's words
LOANWORD = re.compile(r"[ァ-ヶー]{4,}")  # a service or technology named in katakana (テレワーク, メタバース)
NUMERAL = re.compile(r"[〇一二三四五六七八九十百千万\d]+|fy\d+|\d+\w*")


@cache
def discourse() -> frozenset[str]:
    """Words that say who asks, why or how (kana-folded, lower case), for both languages."""
    words = section("discourse") + section("english_discourse")
    return frozenset(fold_kana(w).lower() for w in words)


def folded(text: str) -> str:
    """The text as tokens are spelled (kana folded, lower case), position for position."""
    return fold_kana(text).lower()


def surface(text: str, token: str, folded_text: str | None = None) -> str:
    """The question's own spelling of a (kana-folded, lower-case) token."""
    at = (folded(text) if folded_text is None else folded_text).find(token)
    return text[at:at + len(token)] if at >= 0 else token


# 「ChatGPTのような生成AI」: what comes before のような is an example of the thing named after it, not the thing asked
# (「乗合タクシーみたいなやつ」 names it)
EXAMPLE_OF = re.compile(r"[A-Za-z0-9ァ-ヶー一-龥]{2,}(?=(のような|みたいな|などの|といった|等の)(?!やつ|もん|もの|ん|の|こと|"
                        r"サービス|仕組|しくみ|取組|事業|システム|アプリ|ところ|感じ)[一-龥ァ-ヶA-Za-z])")


def examples_in(text: str) -> list[tuple[int, int]]:
    """The spans of the question that name an example of what it asks (folded positions equal the text's)."""
    return [m.span() for m in EXAMPLE_OF.finditer(text)]


def japanese_words(f: Frame) -> list[str]:
    """The question's content nouns: topic tokens tagged as nouns, two characters or more, no numerals, none said
    only as an example (「ChatGPTのような」)."""
    nouns = {t for t, pos in tagged_tokens(f.text) if pos == "名詞"}
    folded_text, examples = folded(f.text), examples_in(f.text)
    return [t for t in dict.fromkeys(f.topic)
            if t in nouns and len(t) >= 2 and not NUMERAL.fullmatch(t) and t not in discourse()
            and not any(a <= folded_text.find(t) < b for a, b in examples)]


def english_words(f: Frame) -> list[tuple[str, str]]:
    """The English question's content words or glossary phrases (three letters or more, outside the discourse
    list), each with its Japanese term."""
    text = re.sub(r"['’]s\b", "", f.text)
    return list(dict.fromkeys((w, term) for w, term in english_units(text) if len(w) >= 3 and not NUMERAL.fullmatch(w)
                              and w not in discourse() and w.removesuffix("s") not in discourse()))


DISTINCT_ROWS = 3  # a Japanese term held by this few initiatives names what a row is about (縄文, not デジタル or アプリ)


def translated(r: Records, f: Frame, lacking: list[str]) -> bool:
    """True when one of the English words a card lacks is a distinctive domain word (jomon → 縄文, held by few rows, no
    part of a department the question names): its absence says the row is about something else, where an everyday or
    common word's absence ('digital', 'app') says nothing."""
    return any(w in lacking and distinctive(r, term, f.slots.departments) for w, term in english_words(f) if term)


def distinctive(r: Records, term: str, departments: list[str]) -> bool:
    """True when each word of a glossary term is held by few initiatives and is no part of the departments named."""
    words = term.split()
    return all(0 < len(r.searcher.holders(folded(t))[0] & r.initiatives.keys()) <= DISTINCT_ROWS
               and not any(t in d for d in departments) for t in words)


@lru_cache(maxsize=4096)
def words_of(text: str) -> tuple[frozenset[str], str]:
    """The tokens and the match key of a record's text."""
    return frozenset(tokens(text)), match_key(text)


def about(r: Records, rid: str, departments: bool) -> str:
    """What a record is about: an initiative's name, ○ goal, viewpoint, field and KPIs, and its departments only when
    asked (in a list they say who runs a row, not what it is: 「ふるさと納税」 is not held by a row 納税課 runs; a card
    answers who runs it), or any other record's name and context."""
    ini = r.initiatives.get(rid)
    if ini is not None:
        kpis = [r.kpis[k].label for k in ini.kpi_ids]  # its targets say what it is for (一時預かり施設オンライン予約率)
        return " ".join([ini.name, ini.goal, ini.viewpoint, ini.field_name, *kpis, *(ini.departments if departments else [])])
    s = r.searcher
    return f"{s.name_keys.get(rid, '')} {s.context_keys.get(rid, '')}"


class Cited:
    """What the cited records hold: their tokens, their texts as one key, their names' readings."""

    def __init__(self, r: Records, citations: list[Citation], departments: bool = False) -> None:
        ids = [c.id for c in citations]
        held = [words_of(about(r, i, departments)) for i in ids]
        self.tokens: set[str] = set().union(*(t for t, _ in held))
        self.keys = " ".join(k for _, k in held)
        self.readings = " ".join(r.searcher.reading_keys.get(i, "") for i in ids)

    def holds(self, word: str) -> bool:
        """True when a cited row holds the word as a token or (from two characters) inside its name or context."""
        return word in self.tokens or (len(word) >= 2 and word in self.keys)

    def holds_any(self, text: str) -> bool:
        """True when a cited row holds one of the content tokens of a text (a synonym, a translation)."""
        return any(self.holds(t) for t in tokens(text) if t not in discourse())


def synonym_spans(cited: Cited, text: str) -> list[tuple[int, int]]:
    """The spans of the question a lexicon synonym rewrites into words the cited rows hold (仮想空間 → メタバース)."""
    return [m.span() for rx, value in table("synonyms") for m in rx.finditer(text) if cited.holds_any(value)]


def held(cited: Cited, text: str, folded_text: str, word: str, spans: list[tuple[int, int]]) -> bool:
    """True when the cited rows hold one Japanese content word of the question, or its reading or synonym."""
    if cited.holds(word):
        return True
    at = folded_text.find(word)
    if at >= 0 and any(a <= at < b for a, b in spans):
        return True
    read = reading_key(surface(text, word, folded_text))
    return len(read) >= MIN_READING and read in cited.readings


def missing(r: Records, f: Frame, citations: list[Citation], departments: bool = False,
            words: list[str] | None = None) -> list[str]:
    """The question's content words (words: its Japanese ones, when already read) that no cited row holds, in the
    question's own spelling."""
    cited = Cited(r, citations, departments)
    if f.english:
        return [w for w, term in english_words(f) if not cited.holds(w) and not (term and cited.holds_any(term))]
    spans, folded_text = synonym_spans(cited, f.text), folded(f.text)
    return [surface(f.text, w, folded_text) for w in (japanese_words(f) if words is None else words)
            if not held(cited, f.text, folded_text, w, spans)]


def lacked_by_each(r: Records, f: Frame, citations: list[Citation]) -> list[str] | None:
    """The question's words the best-covering cited row lacks (a theme list's rows may each hold a different part of
    what one service was described by), or None when no row is cited."""
    words = japanese_words(f)
    rows = [c for c in citations if c.kind == "initiative"][:LIST_ROWS_READ]
    misses = [missing(r, f, [c], words=words) for c in rows]
    return min(misses, key=len) if misses else None


def unknown_to_plan(r: Records, word: str) -> bool:
    """True when no record of the plan holds a word, as a token or inside its name or context: a theme list that
    lacks such a loanword (テレワーク) is not about the question even when its other words are shared."""
    names, context = r.searcher.holders(folded(word))
    return not names and not context


def anchored(r: Records, rid: str, words: list[str]) -> bool:
    """True when one of the question's content words is a word of the row's name that no other row's name has."""
    s = r.searcher
    own = [t for t in words if t in s.name_tokens[rid] or (len(t) >= 2 and t in s.name_keys[rid])]
    return any(len(s.holders(t)[0] & r.initiatives.keys()) <= 1 for t in own)


# What the plan does answer, asked after the aspect's words: then those words describe the service
# (「何曜日に出すか教えてくれるアプリの担当は？」) and the department or schedule is what is asked.
ANSWERABLE_ASK = re.compile(r"担当|どこの課|どの課|どこの部署|どの部署|所管|誰が(やって|担当|運営)|いつから|何年度|"
                            r"which department|who (runs|is in charge)|in charge|when (will|does)", re.IGNORECASE)
WHEN = re.compile(rf"{ITSU}|\bwhen\b", re.IGNORECASE)
FEATURE = re.compile(r"(でき|使え|見られ|見れ|受け取れ|申し込め|払え|買え|借りれ|借りられ)る(ように(なる|なり)|"
                     r"(サービス|仕組み|しくみ|機能)(って|は|が|も|を))|"
                     r"(でき|使え|申し込め)(ますか|る[?？ん]|るが|るけ|るの)|(導入|設置|入れ)る(計画|予定)|計画(って|は)?ある")


# 「…を確認する取組ってありますか」: whether one service exists (not 「どんな…がある？」, which asks for a theme's rows)
EXISTS = re.compile(r"(取組|取り組み|事業|サービス|仕組み|しくみ|もの|やつ|そういうの|そんなの|こういうの|予定|計画)(って|は|が|も)?\s*((この|本)?(プラン|計画)(に|には|の中に))?"
                    r"(あり|ある|あん)(ます|ますか|か|の|ん|け)?"
                    r"[?？。]?$")
THEME_ASK = re.compile(r"どんな|どういう|どのような|どういった|何が|なにが|一覧|ほかに|他に")


@cache
def channels() -> frozenset[str]:
    """Words for the channel a service is used through (スマホ, アプリ, オンライン …; lexicon.json "channels"), folded."""
    return frozenset(folded(w) for w in section("channels"))


@cache
def app_channels() -> re.Pattern[str]:
    """Channel words that name how one service is reached (アプリ, サイト, App), as whole words (not ネット in
    ネットワーク); デジタル names a whole theme."""
    words = sorted((w for w in section("channels") if w != "デジタル"), key=len, reverse=True)
    return re.compile("|".join(rf"{re.escape(w)}(?![ァ-ヶーA-Za-z])" for w in words), re.IGNORECASE)


def is_channel(word: str) -> bool:
    """True for a channel word: 「スマホで調べられるものはある？」 asks for the service, whatever its rows call the channel."""
    return folded(word) in channels()


DESCRIBED = 30  # characters from which a question describes a service, beyond naming a channel (「アプリについて」)


def channel_only(f: Frame, lacking: list[str], described: int = DESCRIBED) -> bool:
    """True when a question describes a service at length and every content word the cited rows hold is a channel
    word (スマホ, アプリ): they share how a service is used, not which (a kana-only 「じょせつしゃが…スマホの ちずで」
    keeps little else); 「アプリについて」 asks about the channel itself, and its rows are the choice to offer."""
    held = [w for w in japanese_words(f) if surface(f.text, w) not in lacking]
    return len(f.text) >= described and bool(held) and all(map(is_channel, held))


def asks_one_service(f: Frame) -> bool:
    """True when the question asks whether the plan has one service it describes: every word of it must be in a row."""
    ask = asking_part(f.text).strip()  # the sentence that asks, wherever a closing remark follows it (「…めんどいんで…」)
    return any(EXISTS.search(p.strip()) for p in asked_sentences(ask)) and not THEME_ASK.search(ask)


def asks_feature(f: Frame) -> bool:
    """True when the question asks whether something becomes possible (「…で申し込めるようになる？」) and not who
    runs it or when: a row's card answers that only when the row holds what is asked."""
    ask = asking_part(f.text)  # a preamble's 「いつ除雪されるか…」 says why one asks
    said = next((p for p in asked_sentences(ask) if FEATURE.search(p)), None)  # 「…見られるようになる？うちの前いつ来るか」
    return said is not None and not ANSWERABLE_ASK.search(said) and not WHEN.search(said)


ASKS_CARD = re.compile(rf"どこ(が|の(課|部署|担当)|で(担当|やって)|[？?]|$)|誰|だれ|{CUES['compare'].pattern}|のは[？?。]?$|"
                       r"(どの|何)分野|位置づけ|位置付け|違い|比べ|比較|which field|\bwho\b|\bwhich one\b|"
                       r"what (department|office|section|division)|which (city )?(office|section|division|department)|"
                       r"responsible|\bscheduled?\b|\bhow long\b|\buntil\b", re.IGNORECASE)
# 「のりまっし金沢は知っとるんやけど、…」「電子書籍の貸出があるのは知ってます。」「…が新規で位置付けられていますが、」: the
# row named is what the asker knows
KNOWN = re.compile(r"知っ(て|と)(る|ます|います|いる|いま[すし]た?)(ん|の)?(や|だ|です)?(けど|けれど|が[、,]|[。、,])|"
                   r"(存じ|存じ上げ|把握し|承知し)て(おり|い)(ます|まし)た?(が|けど|けれど)[、,]?|"
                   r"(利用し|使用し|使っ)て(おり|い)?(ます|る)(ん|の)?(です)?(が|けど|けれど)[、,]?|"  # 「…を日頃利用しておりますが」
                   r"(ニュース|テレビ|新聞|記事|ネット|SNS)で(見|読ん|知っ)(た|だ|ました|てる|ている)(ん|の)?(です)?(けど|けれど|が)[、,]?|"
                   r"(それ|これ|その取組|それら)とは別に|(られ|され)て(い)?(ます|る)(が|けど|けれど)[、,]|"
                   r"\bI know (about )?\b[^.?]*(but|[.,])", re.IGNORECASE)
NEWNESS = re.compile(r"新し|新た|新規|初めて|既存|前から|ずっと|従来|前の(プラン|計画)|\bbrand[- ]new\b|"
                     r"\bis (it|this|that) new\b|\bnew (initiative|project|program)", re.IGNORECASE)


def after_known(f: Frame) -> str:
    """The question (folded) after the part that says which row the asker knows or uses, or "" when none does."""
    known = KNOWN.search(f.text)
    return folded(f.text[known.end():]) if known else ""


def asked_beyond_known(f: Frame, lacking: list[str]) -> list[str]:
    """The words asked after a row the asker says they know, when no cited row holds any of them (else none)."""
    after = after_known(f)
    asked = [w for w in japanese_words(f) if w in after]
    beyond = [w for w in lacking if folded(w) in after]
    return beyond if asked and len(beyond) == len(asked) else []


def ranked_card(f: Frame, draft: Draft) -> bool:
    """A who/when card of the row retrieval ranked first (and of rows named as equally)."""
    top = f.best("initiative")
    return draft.kind in CARDS and top is not None and draft.subjects[:1] == [top.record_id]


def asserted_departments(r: Records, f: Frame, rid: str) -> list[str]:
    """The departments a question asserts for a row that does not have them (a premise its card corrects), not
    named by a stem inside the row's own name (金沢マラソン in 「金沢マラソンにおける公式アプリ…」 names the row)."""
    key, own = r.searcher.name_keys.get(rid, ""), r.initiatives[rid].departments
    return [d for d in f.slots.departments if d not in own and (d in f.text or department_stem(match_key(d)) not in key)]


def wrong_department(r: Records, f: Frame, rid: str) -> bool:
    """True when the question asserts departments for a row and none of them is its own (a premise its card corrects;
    「学校指導課か教育総務課あたりで」 names its own among guesses, which is no premise)."""
    return bool(asserted_departments(r, f, rid)) and not set(f.slots.departments) & set(r.initiatives[rid].departments)


def yes_no(r: Records, f: Frame, rid: str) -> bool:
    """True when a question about one row asks neither who runs it nor when, nor asserts a department, a year, a
    field or whether it is new (all of which its card answers):
    「かなパスで運賃を払えるようになる？」 asks whether the row does something, which its card answers only when the
    row holds it."""
    return not (ANSWERABLE_ASK.search(f.text) or ASKS_CARD.search(f.text) or WHEN.search(f.text)
                or NEWNESS.search(f.text) or f.slots.years or f.slots.fields or asserted_departments(r, f, rid)
                or bool(f.asserted))  # 「…は学校教育センターさんがやっているということで合ってますか」: its card confirms


@cache
def card_words() -> frozenset[str]:
    """Words a card's yearly statuses answer (導入, 毎年, 本格 …; lexicon.json "card_answers"), kana-folded."""
    return frozenset(folded(w) for w in section("card_answers"))


def names_top(f: Frame) -> bool:
    """True when the question names the first-ranked row."""
    top = f.best("initiative")
    return top is not None and top.exact >= NAMED


def covered(r: Records, f: Frame, draft: Draft) -> Draft:
    """A topic-chosen draft as it may be given: when MISSING or more content words are held by no cited row,
    an honest 「載っていません」 naming them, with the closest rows as candidates (grounded=False)."""
    if not draft.grounded or draft.computed:
        return draft
    if draft.kind in CHECKED:
        lacking = missing(r, f, draft.citations)
        weight = len(lacking) + (not f.english and any(LOANWORD.fullmatch(w) and unknown_to_plan(r, w) for w in lacking))
        # 「D課の取組で、Aもできるようになりますか？」 asks whether the rows do A: one word none of them holds is enough
        weight += (MISSING - YES_NO_MISSING) * bool(lacking and not f.english and asks_feature(f))
        # 「…を確認する取組ってありますか」 asks whether one service exists: so does a word (not a channel) no row holds
        one_service = not f.english and asks_one_service(f)
        service_lacks = one_service and not all(map(is_channel, lacking))
        weight = max(weight, MISSING) if service_lacks else weight
        if draft.kind == "candidates" and not f.english and channel_only(f, lacking):
            return not_in_plan(r, f, lacking)  # rows tied on スマホ alone: the service asked was not read at all
        if draft.kind == "list" and not f.english and not f.slots.any and not all(map(is_channel, lacking)) \
                and channel_only(f, lacking, described=0):
            return not_in_plan(r, f, lacking)  # 「紙の本の予約もスマホから…」: a theme list of スマホ rows lacks 予約
        if draft.kind == "candidates" and not f.english and (beyond := asked_beyond_known(f, lacking)):
            return not_in_plan(r, f, beyond)  # 「点検に使うのはニュースで見たけど配送は？」: the rows are what one knows
        if draft.kind == "candidates" and len(lacking) < CARD_MISSING and not service_lacks:
            return draft  # a choice between rows, which an everyday paraphrase (周りの市町といっしょに) may still fit
        if draft.kind == "list" and not f.english and weight < MISSING and not f.slots.any and "list_all" not in f.asks \
                and (alone := lacked_by_each(r, f, draft.citations)) is not None and len(alone) >= (
                    1 if one_service and not all(map(is_channel, alone)) else ONE_ROW_MISSING):
            lacking, weight = alone, MISSING  # 「災害のときドローンで被害状況を確認する取組」: each row holds one part
    elif draft.kind in CARDS and draft.subjects:  # its content words are read once for every check
        words = None if f.english else japanese_words(f)
        own = [c for c in draft.citations if c.id in draft.subjects]
        lacking = missing(r, f, own, True, words)
        ask = folded(asking_part(f.text))  # only the asking part counts: 「ごみの分別って難しい… 分別アプリはある？」
        unheld = [w for w in lacking if folded(w) not in card_words() and folded(w) in ask]
        if any(app_channels().search(r.initiatives[i.id].name) for i in own if i.kind == "initiative"):
            # 「母子手帳ってスマホに入れられる？」 of a row whose name is an app (or a site): the phone is how it is used
            unheld = [w for w in unheld if not is_channel(w)]
        if (after := after_known(f)) and len(beyond := [w for w in unheld if folded(w) in after]) >= MISSING:
            return not_held(r, draft, beyond, f.english)  # what is asked after the row one knows is not in it
        if yes_no(r, f, draft.subjects[0]):  # whichever way the row was chosen (by name, meaning or department)
            return not_held(r, draft, unheld, f.english) if len(unheld) >= (
                YES_NO_MISSING_EN if f.english else YES_NO_MISSING) else draft
        if not ranked_card(f, draft):  # the conversation's row (or one chosen by department): a new question about
            # something it lacks (「そっちの…高齢者宅にIoTセンサーを置いて見守る事業は？」) is not about that row
            return not_in_plan(r, f, unheld) if not f.english and len(unheld) >= CARD_MISSING else draft
        if not f.english and len(unheld) >= CARD_MISSING and names_top(f) and not (
                NEWNESS.search(f.text) or wrong_department(r, f, draft.subjects[0])):
            return not_held(r, draft, unheld, False)  # 「…デジタル商品券をかなパスで配布する計画は何年度？」
        if f.english and not names_top(f) and len(lacking) >= MISSING_EN and translated(r, f, lacking):
            return not_in_plan(r, f, lacking)  # 'the Jomon World digital … is our college in charge?': not this row
        if f.english or (not asks_feature(f) and (names_top(f) or anchored(r, draft.subjects[0], words or []))):
            return draft
        weight = len(lacking)
    else:
        return draft
    if weight < (MISSING_EN if f.english else MISSING):
        return draft
    return not_in_plan(r, f, lacking)


def not_in_plan(r: Records, f: Frame, lacking: list[str]) -> Draft:
    """「プランには、ご質問の「…」に当たる取組は載っていません」 with the closest rows as candidates (grounded=False)."""
    rows = [r.initiatives[h.record_id] for h in f.ranked("initiative")[:SHOWN]]
    cites = [r.cite_initiative(i) for i in rows]
    ask = folded(asking_part(f.text))  # the words of what is asked come first, a preamble's last
    known = {w for w, term in english_words(f) if term} if f.english else set()  # domain words first: 「jomon」
    if f.english:  # a word a row shown holds is in the plan after all; 'friend' names nothing
        unheld = set(missing(r, f, cites)) if lacking else set()
        absent = [w for w in lacking if w in unheld and w in known]
    else:  # held as written (a loose reading, 除草 ~ 所蔵, does not make the plan hold it)
        shown = Cited(r, cites)
        absent = [w for w in lacking if not shown.holds(folded(w))]
    named = "」「".join(sorted(absent, key=lambda w: (w not in known, folded(w) not in ask))[:SHOWN])
    if f.english:
        head = (f"The plan has no initiative about 「{named}」. " if named else
                "No single initiative in the plan matches everything your question describes. ") + (
                "The initiatives below only share some words with your question; they are the closest the plan lists:")
    else:
        head = (f"プランには、ご質問の「{named}」に当たる取組は載っていません。" if named else
                "プランには、ご質問の内容すべてに当たる取組は載っていません。") + (
                "ご質問と言葉の一部が共通する、近い取組は次のとおりです（ご質問の内容そのものではありません）。")
    lines = [head] + [f"・「{i.name}」（{join_ja(i.departments)}）" for i in rows]
    return Draft("\n".join(lines), "not_in_plan", cites, grounded=False)


def not_held(r: Records, draft: Draft, lacking: list[str], en: bool) -> Draft:
    """「プランには、〇〇について「…」に当たる記載はありません」, then the row's card as related information
    (grounded=False): the question asked whether the row does something the plan does not say it does."""
    name = r.initiatives[draft.subjects[0]].name
    named = "」「".join(lacking[:SHOWN])
    if en:
        head = (f"The plan says nothing about 「{named}」 for 「{name}」: it gives only its department, yearly "
                "status and KPI. For anything else please ask the department.\nWhat the plan says about it:")
    else:
        head = (f"プランには、「{name}」について、ご質問の「{named}」に当たる記載はありません（プランに載っているのは、"
                "担当課・年度ごとの予定・目標（KPI）です）。詳しくは担当課にお問い合わせください。\n"
                "参考までに、この取組についてプランに書かれていること:")
    return replace(draft, text=f"{head}\n{draft.text}", kind="not_in_plan", grounded=False)
