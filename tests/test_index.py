"""Index build, persistence, staleness and atomic swap, in temp dirs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.documents import plan_docs
from assistant.embeddings import get_embeddings
from assistant.index import SCHEMA_VERSION, build_index, is_current, open_collection, read_manifest
from assistant.models import Plan


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the corpus folder that a test may edit."""
    dst = tmp_path / "corpus"
    shutil.copytree(PROJECT_ROOT / "corpus", dst)
    return dst


def test_build_then_reopen_gives_the_same_documents(plan: Plan, tmp_path: Path, corpus_copy: Path) -> None:
    docs = plan_docs(plan)
    emb = get_embeddings("e5-small")
    manifest = build_index(plan, docs, tmp_path / "idx", corpus_copy, emb, "e5-small")
    assert manifest.documents == len(docs) and manifest.schema_version == SCHEMA_VERSION
    reopened = open_collection(tmp_path / "idx", read_manifest(tmp_path / "idx"))
    assert reopened.count() == len(docs)
    got = reopened.get(ids=["I25"], include=["metadatas", "documents"])
    assert got["metadatas"][0]["departments"] == ["料金センター", "保険年金課", "会計課", "納税課"]
    assert got["metadatas"][0]["new"] is True
    res = reopened.query(query_embeddings=[emb.embed_query("ハザードマップアプリ にげまっし")], n_results=3)
    assert "I94" in res["ids"][0]
    # Chroma's own default embedding function must never be attached (it would download a model)
    assert reopened.configuration.get("embedding_function") is None


def test_metadata_filters_work(bot) -> None:  # noqa: ANN001
    got = bot.searcher.collection.get(where={"departments": {"$contains": "商工労働課"}})
    assert sorted(got["ids"]) == ["I57", "I58", "I59", "I60"]
    new5 = bot.searcher.collection.get(where={"$and": [{"field": 5}, {"new": True}]})
    assert len(new5["ids"]) == 8


def test_stale_index_is_rebuilt_and_unused_old_builds_removed(tmp_path: Path, corpus_copy: Path) -> None:
    from assistant import Assistant

    settings = Settings(index_dir=tmp_path / "idx", corpus_dir=corpus_copy)
    first = Assistant(settings, progress=False).manifest
    assert is_current(first, settings.index_dir, corpus_copy, "e5-small")
    again = Assistant(settings, progress=False).manifest
    assert again.build_dir == first.build_dir  # current: reused, not rebuilt
    plan_file = next(corpus_copy.glob("*.txt"))
    plan_file.write_text(plan_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not is_current(first, settings.index_dir, corpus_copy, "e5-small")
    rebuilt = Assistant(settings, progress=False).manifest
    assert rebuilt.build_dir != first.build_dir
    assert (settings.index_dir / first.build_dir).exists()  # the previous build stays: a server may be switching
    assert json.loads((settings.index_dir / "manifest.json").read_text())["build_dir"] == rebuilt.build_dir
    plan_file.write_text(plan_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    third = Assistant(settings, progress=False).manifest
    assert not (settings.index_dir / first.build_dir).exists()  # two builds back and unused: removed
    assert {p.name for p in settings.index_dir.glob("build-*")} == {rebuilt.build_dir, third.build_dir}


def test_model_change_makes_the_index_stale(bot) -> None:  # noqa: ANN001
    s = bot.settings
    assert is_current(bot.manifest, s.index_dir, s.corpus_dir, "e5-small")
    assert not is_current(bot.manifest, s.index_dir, s.corpus_dir, "st:other-model")


def test_broken_manifest_means_rebuild(tmp_path: Path, corpus_copy: Path) -> None:
    (tmp_path / "idx").mkdir()
    (tmp_path / "idx" / "manifest.json").write_text("{not json", encoding="utf-8")
    assert read_manifest(tmp_path / "idx") is None
    assert not is_current(None, tmp_path / "idx", corpus_copy, "e5-small")


def test_in_memory_dense_ranks_as_chroma_does(bot) -> None:  # noqa: ANN001
    """The embedded default scores questions from the vectors in memory; Chroma's own query gives the same ranking."""
    from assistant.dense import ChromaDense, MatrixDense
    from assistant.retrieve import HybridSearcher

    s = bot.searcher
    assert isinstance(s.dense, MatrixDense) and s.dense.matrix.shape[0] == s.collection.count()
    chroma = HybridSearcher(s.plan, s.docs, s.collection, s.embeddings, ChromaDense(s.collection, len(s.docs)))
    questions = [json.loads(line)["q"] for line in (PROJECT_ROOT / "eval" / "questions.jsonl").open(encoding="utf-8")
                 if line.strip()][::7]
    for q in questions:
        mine, theirs = s.search(q, k=5), chroma.search(q, k=5)
        # the same ranking up to exact ties: Chroma's HNSW distances differ from the matrix product by ~1e-6, which
        # may swap two rows whose fused scores are equal to that precision (never rows that differ by more)
        assert [h.score for h in mine] == pytest.approx([h.score for h in theirs], abs=1e-3), q
        for a, b in zip(mine, theirs, strict=True):
            if a.record_id != b.record_id:
                assert a.score == pytest.approx(b.score, abs=1e-3), q
        assert {h.record_id for h in mine[:-1]} <= {h.record_id for h in theirs}, q
        dense = {h.record_id: h.dense for h in theirs}
        assert all(h.dense == pytest.approx(dense[h.record_id], abs=1e-4) for h in mine if h.record_id in dense), q


def test_a_rebuild_embeds_only_the_passages_that_changed(bot, plan: Plan, tmp_path: Path, corpus_copy: Path) -> None:  # noqa: ANN001
    """The next edition changes a few rows: their passages are embedded again, the rest keep their vectors, and
    the build holds what a build from scratch would (the model's own vectors for every text)."""
    from helpers import copy_index

    from assistant.corpus import load_plan
    from assistant.embeddings import embeddable
    from assistant.index import ensure_index

    real = get_embeddings("e5-small")
    embedded: list[str] = []

    class Counting(type(real)):  # the real model, counting what it is asked to embed
        def _passages(self, texts: list[str]) -> list[list[float]]:
            embedded.extend(texts)
            return super()._passages(texts)

    idx = copy_index(bot, tmp_path / "idx")  # the published build of the plan as it is
    before = open_collection(idx, read_manifest(idx)).get(include=["documents", "embeddings"])
    old = dict(zip(before["documents"], before["embeddings"], strict=True))
    plan_file = next(corpus_copy.glob("*.txt"))
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace("ごみ分別", "資源分別", 1), encoding="utf-8")
    edited = load_plan(corpus_copy)
    changed = sorted({d.text for d in plan_docs(edited)} - {d.text for d in plan_docs(plan)})
    manifest = ensure_index(edited, idx, corpus_copy, Counting(), "e5-small")
    assert 0 < len(embedded) == len(changed) and set(embedded) == {embeddable(t) for t in changed}
    after = open_collection(idx, manifest).get(include=["documents", "embeddings"])
    new = dict(zip(after["documents"], after["embeddings"], strict=True))
    assert set(new) == {d.text for d in plan_docs(edited)}
    expected = old | dict(zip(changed, real.embed_documents(changed), strict=True))
    assert all(list(v) == pytest.approx(list(expected[t]), abs=1e-6) for t, v in new.items())


def test_a_blob_finds_exactly_the_texts_that_hold_a_substring() -> None:
    """Blob.holding agrees with `sub in text` for every substring class: empty, one character, runs across texts,
    at the ends, absent, and the separator itself (random texts over a small alphabet, so hits are common)."""
    import random

    from assistant.retrieve import Blob

    rng = random.Random(9)
    for _ in range(300):
        texts = ["".join(rng.choice("あいう1\x00") for _ in range(rng.randint(0, 6))).replace("\x00", "") for _ in
                 range(rng.randint(1, 6))]
        ids = [f"r{i}" for i in range(len(texts))]
        blob = Blob(ids, texts)
        for sub in ["", "あ", "いう", "うあ", "1", "ああい", "\x00", texts[0][:2], texts[-1][-2:]]:
            assert blob.holding(sub) == {i for i, t in zip(ids, texts, strict=True) if sub in t and "\x00" not in sub}, (texts, sub)
