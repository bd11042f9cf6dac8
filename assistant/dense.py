"""Dense similarity of a question to every document: from the build's vectors held in memory (one matrix product),
or from Chroma itself (a Chroma server, or a collection too large to hold)."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from .errors import IndexError_
from .index import REBUILD_HINT, guarded

IN_MEMORY_MAX = 50_000  # documents whose vectors are held in memory (384 floats each: 77 MB at most)
NEAREST = 80  # the nearest documents a question is compared with (both paths); the rest count as the least similar
EXACT_MAX = 2_000  # documents from which Chroma is asked for the NEAREST only (its approximate HNSW answer)


class Dense(Protocol):
    """Cosine similarity per record (its best document) among the nearest documents to a query vector."""

    def similarities(self, vector: np.ndarray) -> dict[str, float]:
        """Record id → best cosine similarity among the NEAREST documents."""
        ...


def best_per_record(record_ids: list[str], sims: list[float]) -> dict[str, float]:
    """The highest similarity of each record among its documents."""
    out: dict[str, float] = {}
    for rid, s in zip(record_ids, sims, strict=True):
        if s > out.get(rid, -2.0):
            out[rid] = s
    return out


class ChromaDense:
    """Asks the Chroma collection for the nearest documents (server mode, large collections)."""

    def __init__(self, collection: Any, documents: int) -> None:  # noqa: ANN401 - chromadb collection type
        self.collection, self.n = collection, min(NEAREST, documents)
        # HNSW is approximate: asked for every document of a small collection it returns them all, so the NEAREST
        # kept are the exact ones (as in memory); a large one is asked for NEAREST only
        self.asked = documents if documents <= EXACT_MAX else self.n

    def similarities(self, vector: np.ndarray) -> dict[str, float]:
        """Chroma's cosine distance turned back into similarity, per record, among the NEAREST documents."""
        res = guarded(lambda: self.collection.query(query_embeddings=[vector.tolist()], n_results=self.asked,
                                                    include=["distances", "metadatas"]))
        near = sorted(zip(res["distances"][0], (m["record_id"] for m in res["metadatas"][0]), strict=True))[: self.n]
        return best_per_record([rid for _d, rid in near], [1.0 - d for d, _rid in near])


class MatrixDense:
    """The build's document vectors, read once from Chroma into a normalised matrix: one product per question."""

    def __init__(self, matrix: np.ndarray, record_ids: list[str]) -> None:
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self.matrix = (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)
        self.record_ids = record_ids
        self.n = min(NEAREST, len(record_ids))

    @classmethod
    def load(cls, collection: Any) -> MatrixDense:  # noqa: ANN401 - chromadb collection type
        """Every vector and record id of a collection (IndexError_ when Chroma cannot give them)."""
        got = guarded(lambda: collection.get(include=["embeddings", "metadatas"]))
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        if vectors.ndim != 2 or not len(vectors):
            raise IndexError_(f"検索インデックスが空です。{REBUILD_HINT}")
        return cls(vectors, [m["record_id"] for m in got["metadatas"]])

    def similarities(self, vector: np.ndarray) -> dict[str, float]:
        """Cosine similarity of the NEAREST documents, per record (as Chroma's cosine space computes it)."""
        q = np.asarray(vector, dtype=np.float32)
        sims = self.matrix @ (q / (np.linalg.norm(q) or 1.0))
        top = np.argpartition(-sims, self.n - 1)[: self.n] if self.n < len(sims) else np.arange(len(sims))
        return best_per_record([self.record_ids[i] for i in top], [float(sims[i]) for i in top])


def open_dense(collection: Any, documents: int, server: bool) -> Dense:  # noqa: ANN401 - chromadb collection type
    """In memory for an embedded build of ordinary size; Chroma's own query for a server or a very large build."""
    if server or documents > IN_MEMORY_MAX:
        return ChromaDense(collection, documents)
    return MatrixDense.load(collection)
