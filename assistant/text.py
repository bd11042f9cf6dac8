"""Japanese text normalisation and tokens for matching and BM25."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

T = TypeVar("T")

# Spelling variants folded to the plan's own spelling before anything else.
VARIANTS: dict[str, str] = {
    "ゴミ": "ごみ",
    "子供": "子ども",
    "こども": "子ども",
    "取り組み": "取組",
    "取組み": "取組",
    "とりくみ": "取組",
    "ホームページ": "HP",
    "スマホ": "スマートフォン",
    "ウェブ": "Web",
    "ウエブ": "Web",
    "インターネット上": "インターネット",
    "令和8年度": "2026年度",
    "令和9年度": "2027年度",
    "令和10年度": "2028年度",
    "令和11年度": "2029年度",
    "R8年度": "2026年度",
    "R9年度": "2027年度",
    "R10年度": "2028年度",
    "R11年度": "2029年度",
}

_KATA_TO_HIRA = {c: c - 0x60 for c in range(ord("ァ"), ord("ヶ") + 1)}
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "接尾辞", "接頭辞", "代名詞", "副詞"}
_LATIN = re.compile(r"[A-Za-z0-9]")
STOPWORDS = {
    # question scaffolding: says what is asked, not about what
    "どこ", "どちら", "誰", "だれ", "何", "なに", "なん", "いつ", "どう", "どの", "どれ", "どんな", "いくつ",
    "課", "部署", "担当", "担当課", "取組", "取り組む", "こと", "もの", "する", "いる", "ある", "なる",
    "れる", "られる", "せる", "教える", "知る", "思う", "言う", "いう", "ください", "下さい", "くださる",
    "よう", "ため", "ところ", "方", "について", "関する", "です", "ます", "さん", "市", "金沢", "金沢市",
    "行う", "やる", "おる", "なさる", "いただく", "くれる", "もらう", "できる", "分かる", "わかる", "全部", "全て",
    "すべて", "一覧", "他", "ほか", "その", "この", "あの", "それ", "これ", "年度", "年", "目", "的", "様",
    "的な", "お", "ご", "中", "上", "等", "など", "的に", "さ", "み", "化", "是非", "一つ", "ひとつ",
    "予定", "状況", "段階", "スケジュール", "ステータス", "目標", "目指す", "目標値", "数値", "値", "くらい", "ぐらい",
    "つく", "対する", "関係", "挙げる", "示す", "見せる", "並べる", "列挙", "まとめる", "紹介", "説明", "願う", "お願い",
    "どれくらい", "どのくらい", "実施", "開催", "知りたい", "たい", "欲しい", "以降", "時点",
    "the", "a", "an", "of", "to", "in", "is", "are", "for", "and", "or", "what", "which", "who",
    "does", "do", "how", "many", "much", "runs", "run", "department", "departments", "kanazawa", "city",
    "it", "its", "that", "this", "they", "them", "their", "else", "other", "stuff", "just", "only", "ok", "okay",
    "うち", "ほう", "とこ", "そこ", "人", "ひと", "方々", "回", "件", "個", "そっち", "やつ", "系", "いい",
    "全", "あわせる", "合わせる",
}


def bounded(text: str, chars: int) -> str:
    """The last `chars` characters of a text as safe text: no lone surrogates, no control characters but \\n and \\t."""
    text = text[-chars:].encode("utf-8", "ignore").decode("utf-8")
    return "".join(c for c in text if unicodedata.category(c) != "Cc" or c in "\n\t").strip()


def fold_kana(text: str) -> str:
    """Katakana to hiragana, so ゴミ and ごみ compare equal."""
    return text.translate(_KATA_TO_HIRA)


CACHED_CHARS = 256  # texts up to this long are processed once per process (names, questions); longer ones each time


def cached_if_short(fn: Callable[..., T]) -> Callable[..., T]:
    """fn remembered for a last argument (the text) up to CACHED_CHARS long; a longer text is processed each time.
    The wrapper's cache_clear forgets what was remembered."""
    cached = lru_cache(maxsize=8192)(fn)

    @wraps(fn)
    def wrapper(*args: Any) -> T:
        return cached(*args) if len(args[-1] or "") <= CACHED_CHARS else fn(*args)

    wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return wrapper


@cached_if_short
def normalize(text: str) -> str:
    """NFKC, plan spellings for common variants, collapsed white space."""
    text = unicodedata.normalize("NFKC", text or "")
    for variant, canonical in VARIANTS.items():
        text = text.replace(variant, canonical)
    return re.sub(r"\s+", " ", text).strip()


@cached_if_short
def match_key(text: str) -> str:
    """A key for exact/substring matching: normalised, kana folded, lower case, no punctuation."""
    text = fold_kana(normalize(text)).lower()
    return re.sub(r"[\s「」『』()（）、。・,.!?？！\"'“”〜~:：/]", "", text)


def clear_text_caches() -> None:
    """Forget every per-text result (normalised forms, match keys, tokens): benchmarks measure unseen texts."""
    normalize.cache_clear()
    match_key.cache_clear()
    morphemes.cache_clear()
    tagged_tokens.cache_clear()


_local = threading.local()


@lru_cache(maxsize=1)
def _dictionary():  # noqa: ANN202 - sudachi type is private
    """The Sudachi core dictionary, loaded once per process."""
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def _tokenizer():  # noqa: ANN202 - sudachi type is private
    """This thread's Sudachi tokenizer (a tokenizer must not be shared between threads)."""
    if not hasattr(_local, "tokenizer"):
        from sudachipy import SplitMode

        _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.A)
    return _local.tokenizer


@cached_if_short
def morphemes(text: str) -> tuple[tuple[str, tuple[str, ...], str, str], ...]:
    """(surface, part of speech, dictionary form, reading) of each Sudachi mode-A morpheme of a normalised text:
    one analysis per text, shared by tokens, readings and proper nouns."""
    return tuple((m.surface(), tuple(m.part_of_speech()[:3]), m.dictionary_form(), m.reading_form())
                 for m in _tokenizer().tokenize(text))


@lru_cache(maxsize=4096)
def tagged_tokens(text: str) -> tuple[tuple[str, str], ...]:
    """(token, part of speech) for content words: Sudachi mode A, dictionary forms, kana folded, lower case."""
    out: list[tuple[str, str]] = []
    for surface, pos, dictionary, _reading in morphemes(normalize(text)):
        if pos[0] not in _CONTENT_POS:
            continue
        form = dictionary if pos[0] in {"動詞", "形容詞"} else surface
        key = fold_kana(form).lower()
        if key.strip() and not re.fullmatch(r"[\W_]+", key):
            out.append((key, pos[0]))
    return tuple(out)


def tokens(text: str) -> tuple[str, ...]:
    """Content tokens of a text."""
    return tuple(t for t, _ in tagged_tokens(text))


_STOP = {fold_kana(w).lower() for w in STOPWORDS}


def content_tokens(text: str, known: set[str] | dict | None = None) -> tuple[str, ...]:
    """Tokens without question scaffolding words (どこ, 担当, 課 …); with `known`, verbs and adjectives
    the plan never uses are dropped too (「挙げて」「まとめて」 say how to answer, not what about)."""
    return tuple(
        t for t, pos in tagged_tokens(text)
        if t not in _STOP and not re.fullmatch(r"\d{1,2}", t)
        and (known is None or pos not in {"動詞", "形容詞"} or t in known)
    )


def is_english(text: str) -> bool:
    """True when the question is mostly Latin script (answer in English)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    latin = sum(1 for c in letters if _LATIN.match(c))
    return latin / len(letters) > 0.6


def sentences(text: str) -> list[str]:
    """Split narrative text into sentences and lines."""
    parts: list[str] = []
    for line in text.splitlines():
        for s in re.split(r"(?<=。)", line):
            s = s.strip(" -・")
            if s:
                parts.append(s)
    return parts


_VOICE_MARKS = dict.fromkeys(map(ord, "\u3099\u309a\u30fcー"), None)


def reading_key(text: str) -> str:
    """The text as folded kana (Sudachi readings, no voicing marks or ー), for matching kana-only or mistyped words."""
    parts = []
    for surface, pos, _dictionary, reading in morphemes(normalize(text)):
        if pos[0] in {"補助記号", "空白"}:
            continue
        parts.append(reading if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", surface) else surface)
    return fold_marks("".join(parts))


def fold_marks(text: str) -> str:
    """Kana folded to hiragana without voicing marks or ー, lower case (ガ → か): compares readings loosely."""
    folded = unicodedata.normalize("NFD", fold_kana(text).lower()).translate(_VOICE_MARKS)
    return unicodedata.normalize("NFC", folded)


def proper_nouns(text: str, kind: str | None = None) -> set[str]:
    """Proper nouns of a text (only places with kind="地名"), kana folded and lower case."""
    return {fold_kana(surface).lower() for surface, pos, _d, _r in morphemes(normalize(text))
            if pos[1] == "固有名詞" and kind in (None, pos[2])}


ITSU = r"いつ(?!も|でも)"  # asks when; いつも / いつでも (always, any time) do not


SENTENCE_END = re.compile(r"(?<=[。！!…])|(?<=[?？])(?=.)|(?<=[A-Za-z0-9).][.])(?=\s)")
ASKS_END = re.compile(r"([?？]|(?<![なら])か|かな|かね|教えて\s*(ください|下さい)?|知りたい\s*(です)?)\s*[。.!！]?\s*$")
REASON_END = re.compile(r"(ので|から|ため(です)?|と思って(います|る)?)\s*[。.!！]?\s*$")


def asked_sentences(text: str) -> list[str]:
    """A question's sentences, each with its closing mark (。 ？ ! …, or an English full stop)."""
    return [p for p in SENTENCE_END.split(text) if p.strip()]


def asking_part(text: str) -> str:
    """The sentences from the first one that asks (ends in ？, か。, 教えて …) on (in English, to the last one that
    asks), else from the last sentence that says more than why one asks: a preamble or a closing reason
    (「予算要求資料をまとめています。」「記事にしたいので。」) asks nothing."""
    parts = asked_sentences(text)
    asking = [i for i, p in enumerate(parts) if ASKS_END.search(p)]
    if asking:  # an English sentence after the last one that asks says why ('I live near the river.'); a Japanese
        # one may still ask (「…は誰か。氏名を示されたい。」「…ありますか？担当はどちらでしょう」)
        tail = [p for p in parts[asking[-1] + 1:] if not is_english(p)]
        return "".join(parts[asking[0]:asking[-1] + 1] + tail)
    first = next((i for i in range(len(parts) - 1, -1, -1) if not REASON_END.search(parts[i])), len(parts) - 1)
    return "".join(parts[max(first, 0):])


# a second ask after a question that has ended: 「…は何件か。またそのうち新規は」「…は何件?あわせて…KPIも。」 'Also, …',
# or 「…は何件？その中で新マークのものは？」 (the second narrows the first's rows: its words stay)
SECOND_ASK = re.compile(r"(?<=[。？?])\s*(また|あわせて|併せて|それと|それから|加えて|あと|念のため|ついでに|さらに)[、,]?\s*|"
                        r"(?<=[？?])\s*(?=その中|そのうち|その内|そのなか)|"
                        r"(?<=[.?？])\s*(Also|And also|In addition|Additionally)[, ]\s*")
# within a sentence: 「所管課とR8年度の状況、それから対応しそうなKPIを教えて」, or the last of 「①…、②…、③…」
JOINED_ASK = re.compile(r"[、,]\s*(それから|それと|あわせて|併せて|加えて|あと)[、,]?\s*|[、,]?\s*(?=[②③④⑤](?!.*[②③④⑤]))")
ASKING_TAIL = re.compile(r"(教えて|示され|まとめて|整理して|お願い|知りたい|ください|下さい)[^。？?]*[。？?]?\s*$|[？?]\s*$")
MIN_ASK_CHARS = 6  # a second part shorter than this asks nothing of its own


# three asks or more said as such: 「①…②…③…」, 「…の3点をあわせて示されたい」 (bullets are not counted: 「・対象:…・除外:…」
# specify one list, and 「・件数 ・うち新 ・その担当課」 is one count with its narrowing, which one reply answers)
MANY_SAID = re.compile(r"[①②].*③|(次|以下|下記)の\s*[3-9３-９三四五]\s*(点|つ|項目)|の\s*[3-9３-９三四五]\s*点(を|について|とも|に)")


def many_asks(text: str) -> bool:
    """True when a message says it asks three things or more (①②③, 「次の3点」): more than one reply answers."""
    return bool(MANY_SAID.search(text))


def two_asks(text: str) -> tuple[str, str] | None:
    """A question that asks two things one after the other, as its two parts (the first ends in an ask, or, joined
    inside one sentence, the second does), or None."""
    for m in SECOND_ASK.finditer(text):
        first, second = text[:m.start()].strip(), text[m.end():].strip()
        if len(second) >= MIN_ASK_CHARS and (asks := asking_part(first)) and ASKS_END.search(asks):
            return first, second
    for m in JOINED_ASK.finditer(text):
        first, second = text[:m.start()].strip(), text[m.end():].strip()
        asked = ASKING_TAIL.sub("", second)  # 「…何件か、あわせて教えてください」: 教えて alone asks nothing new
        if len(asked) >= MIN_ASK_CHARS and len(first) >= MIN_ASK_CHARS and asked != second:
            return first, second
    return None
