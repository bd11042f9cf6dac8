"""Hybrid retrieval: dense (Chroma) + BM25 over Sudachi tokens + exact names, fused into one ranking."""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from .caching import clear_all
from .dense import ChromaDense, Dense
from .documents import Doc
from .embeddings import SafeEmbeddings, fit_tokens, head_tokens
from .errors import IndexError_
from .index import REBUILD_HINT, guarded
from .limits import QUESTION_TOKENS, READ_CHARS, READING_CHARS
from .models import Plan
from .text import (
    bounded,
    clear_text_caches,
    content_tokens,
    fold_marks,
    match_key,
    normalize,
    reading_key,
    tokens,
)

WEIGHTS = {"coverage": 0.45, "dense": 0.35, "bm25": 0.15, "exact": 0.4, "reading": 0.5}
PROBE_QUESTION = "担当課"  # the real query that health checks run
MIN_READING = 4  # shortest shared kana run that counts as naming a record
RARE = 3  # a shared kana run counts only when at most this many records contain it
MAX_K = 100  # the most documents one retriever call returns
KANA_NAME = re.compile(r"[ぁ-ゖァ-ヺー]+")
GENERIC_TAIL = re.compile(r"の(展開|運営|提供|導入|推進|実施|開催|活用|構築|育成|整備|支援|発信|公開|運用|実践|拡充|設置)$")
LONE_LETTER = re.compile(r"[A-Za-z0-9]")  # 「What is e?」: one letter or digit names nothing (eスポーツ)
KANA_FRAGMENT = re.compile(r"[ぁ-ゖー]{1,2}")
QUOTED = re.compile(r"[「『](.+?)[」』]")


@dataclass(slots=True)
class Hit:
    """A record and how well it matches the question."""

    record_id: str
    kind: str
    score: float
    coverage: float
    dense: float
    bm25: float
    exact: float
    docs: list[str] = field(default_factory=list)
    reading: float = 0.0
    name_weight: float = 0.0
    known_coverage: float = 0.0

    @property
    def lexical(self) -> float:
        """The strongest evidence that the question uses the record's own words (or their reading)."""
        return max(self.coverage, self.exact, self.reading)


class BM25:
    """Okapi BM25 over pre-tokenised documents; each token's contribution to every document is computed once."""

    def __init__(self, docs: list[tuple[str, ...]], k1: float = 1.2, b: float = 0.75) -> None:
        n = len(docs)
        avg = sum(len(d) for d in docs) / max(n, 1)
        df = Counter(t for d in docs for t in set(d))
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)
        self.n = n
        self.per_token: dict[str, np.ndarray] = {t: np.zeros(n) for t in df}
        for i, d in enumerate(docs):
            for t, f in Counter(d).items():
                self.per_token[t][i] = self.idf[t] * f * (k1 + 1) / (f + k1 * (1 - b + b * len(d) / avg))

    def scores(self, query: tuple[str, ...]) -> np.ndarray:
        """BM25 score of every document for the query tokens (a repeated token counts again)."""
        total = np.zeros(self.n)
        for t in query:
            if (row := self.per_token.get(t)) is not None:
                total += row
        return total

    def weight(self, token: str) -> float:
        """IDF of a token; tokens the plan never uses weigh the most."""
        return self.idf.get(token, self.max_idf)


class Blob:
    """Many texts joined once, so the texts holding a substring are found by C-level search, not a Python loop."""

    def __init__(self, ids: list[str], texts: list[str]) -> None:
        self.ids, self.starts = ids, []
        at = 0
        for t in texts:
            self.starts.append(at)
            at += len(t) + 1
        self.text = "\x00".join(texts)

    def holding(self, sub: str) -> set[str]:
        """The ids whose text holds sub."""
        if "\x00" in sub:
            return set()
        out, at = set(), self.text.find(sub)
        while at >= 0:
            k = bisect_right(self.starts, at) - 1
            out.add(self.ids[k])
            if k + 1 == len(self.starts):
                break
            at = self.text.find(sub, self.starts[k + 1])
        return out


KEY_GRAM = 3  # alias keys are indexed by their first characters (up to this many)


def aliases(name: str) -> list[str]:
    """Names a record can be asked by: the full name, 「」-quoted names and its ・/及び-separated parts."""
    out = [name]
    out += QUOTED.findall(name)
    base = re.sub(r"\(.*?\)|※.*$", "", name)
    out.append(GENERIC_TAIL.sub("", base))  # 行かない・書かない・待たない窓口(の展開)
    out += [p for p in re.split(r"[・、]|及び|や", base) if len(match_key(p)) >= 4]
    return list(dict.fromkeys(a for a in out if len(match_key(a)) >= 3))


def near_in(alias: str, text: str) -> bool:
    """True when some stretch of text differs from alias (5+ kana) by one substituted kana."""
    n = len(alias)
    if n < 5:
        return False
    return any(sum(a != b for a, b in zip(alias, text[i : i + n], strict=True)) <= 1
               for i in range(len(text) - n + 1))


def longest_shared(a: str, b: str) -> tuple[int, str]:
    """The longest run of a (MIN_READING or more kana, the first of that length) that b holds; (0, '') if none."""
    best, k = "", MIN_READING
    while run := next((a[i : i + k] for i in range(len(a) - k + 1) if a[i : i + k] in b), None):
        best, k = run, k + 1
    return len(best), best


def grams(reading: str) -> set[str]:
    """Every run of MIN_READING kana in a reading key."""
    return {reading[i : i + MIN_READING] for i in range(len(reading) - MIN_READING + 1)}


class HybridSearcher:
    """Scores plan records against a question with four signals and fuses them."""

    def __init__(self, plan: Plan, docs: list[Doc], collection, embeddings: Embeddings,  # noqa: ANN001
                 dense: Dense | None = None) -> None:
        self.plan, self.docs, self.collection, self.embeddings = plan, docs, collection, embeddings
        self.dense = dense or ChromaDense(collection, len(docs))
        self.doc_tokens = [tokens(d.text) for d in docs]
        self.bm25 = BM25(self.doc_tokens)
        self.record_kind = {d.record_id: d.kind for d in docs}
        self.name_tokens: dict[str, set[str]] = {}
        self.context_tokens: dict[str, set[str]] = {}
        self.name_keys: dict[str, str] = {}
        self.context_keys: dict[str, str] = {}
        self.alias_names: dict[str, list[str]] = {}  # the names a record can be asked by (aliases), as the plan spells them
        self.alias_keys: dict[str, list[str]] = {}
        self.reading_keys: dict[str, str] = {}
        self.reading_grams: dict[str, set[str]] = {}  # every MIN_READING-kana run of a name → its records
        self.alias_readings: dict[str, list[str]] = {}
        self.kana_names: dict[str, list[str]] = {}  # 「」 names written in kana only: a one-kana slip still names them
        for ini in plan.initiatives:
            context = " ".join([ini.goal, ini.viewpoint, ini.field_name, *ini.departments])
            self._register(ini.id, ini.name, context, aliases(ini.name))
        for k in plan.kpis:
            self._register(k.id, k.label, f"{k.field_name} {k.viewpoint} KPI 目標", aliases(k.label))
        for g in plan.goals:  # a goal matches by its own words; its rows' names reach it through the embedding
            self._register(g.id, g.title, f"{g.field_name} {g.viewpoint}", [g.title])
        for s in plan.sections:
            self._register(s.id, s.title, s.text, [s.title])
        rids = list(self.record_kind)
        self.name_blob = Blob(rids, [self.name_keys[r] for r in rids])
        self.context_blob = Blob(rids, [self.context_keys[r] for r in rids])
        self.reading_blob = Blob(list(self.reading_keys), list(self.reading_keys.values()))
        self.token_records: tuple[dict[str, set[str]], dict[str, set[str]]] = ({}, {})  # token → records (name, context)
        for r in rids:
            for t in self.name_tokens[r]:
                self.token_records[0].setdefault(t, set()).add(r)
            for t in self.context_tokens[r]:
                self.token_records[1].setdefault(t, set()).add(r)
        self.doc_ids: dict[str, list[str]] = {}  # each record's document ids, in build order
        for d in docs:
            self.doc_ids.setdefault(d.record_id, []).append(d.id)
        self.key_index: dict[str, list[tuple[str, str]]] = {}  # an alias key's first KEY_GRAM characters → (record, key)
        for rid, keys in self.alias_keys.items():
            for key in dict.fromkeys(k for k in keys if k):
                self.key_index.setdefault(key[:KEY_GRAM], []).append((rid, key))
        # the fusion runs over arrays in record order (one slot per record, as record_kind lists them)
        self.rids, self.position = rids, {r: i for i, r in enumerate(rids)}
        self.doc_record = np.array([self.position[d.record_id] for d in docs], dtype=np.intp)
        self.kind_masks = {k: np.array([self.record_kind[r] == k for r in rids]) for k in set(self.record_kind.values())}
        self.named_in_kana = np.array([bool(self.alias_readings[r]) for r in rids])

    def _register(self, rid: str, name: str, context: str, names: list[str]) -> None:
        """Precompute the token sets and match keys of one record."""
        self.name_tokens[rid] = set(tokens(name))
        self.context_tokens[rid] = set(tokens(context))
        self.name_keys[rid] = match_key(name)
        self.context_keys[rid] = match_key(context)
        self.alias_names[rid] = names
        self.alias_keys[rid] = [match_key(a) for a in names]
        self.reading_keys[rid] = reading_key(name)
        for gram in grams(self.reading_keys[rid]):
            self.reading_grams.setdefault(gram, set()).add(rid)
        quoted = QUOTED.findall(name)  # proper names (かなパス, にげまっし): matched by reading too
        self.alias_readings[rid] = [r for r in (reading_key(a) for a in quoted) if len(r) >= MIN_READING]
        self.kana_names[rid] = [reading_key(a) for a in quoted if KANA_NAME.fullmatch(a)]

    def readings(self, text: str) -> dict[str, float]:
        """Records whose name shares a rare kana run with the question's reading (としょかん → 図書館)."""
        text = text[-READING_CHARS:]
        qread = reading_key(text)
        typed = fold_marks(re.sub(r"\s+", "", normalize(text)))  # a 「」 name counts only where typed in kana
        found: dict[str, tuple[int, str]] = {}
        sharing = set().union(*(self.reading_grams.get(g, ()) for g in grams(qread)))
        for rid in sharing:
            rk = self.reading_keys[rid]
            size, run = longest_shared(qread, rk)
            if size:
                found[rid] = (size, run)
        out: dict[str, float] = {}
        for rid, (size, run) in found.items():
            if self.reading_holders(run) <= RARE:
                out[rid] = min(1.0, size / 8)
            if any(alias in typed for alias in self.alias_readings[rid]) or any(
                    near_in(alias, typed) for alias in self.kana_names[rid]):
                out[rid] = 1.0  # かなぱす, にげまっせ: a whole 「」 name, read (one kana off at most from five on)
        return out

    @lru_cache(maxsize=8192)  # noqa: B019 - one searcher per build; runs are at most READING_CHARS long
    def reading_holders(self, run: str) -> int:
        """How many records' name readings hold a kana run."""
        return len(self.reading_blob.holding(run)) if run else len(self.reading_keys)

    @lru_cache(maxsize=8192)  # noqa: B019 - one searcher per build; the plan's vocabulary is small
    def holders(self, token: str) -> tuple[frozenset[str], frozenset[str]]:
        """The records whose name, and those whose context only, hold a token (as a word or, from 2 chars, inside)."""
        inside = len(token) >= 2
        names = self.token_records[0].get(token, set()) | (self.name_blob.holding(token) if inside else set())
        context = self.token_records[1].get(token, set()) | (self.context_blob.holding(token) if inside else set())
        return frozenset(names), frozenset(context - names)

    def coverages(self, query: tuple[str, ...]) -> dict[str, tuple[float, float, float]]:
        """Per record: the IDF-weighted share of the question's content tokens it contains (name and context),
        the same share of only the words the plan uses anywhere, and the weight of the tokens in its name."""
        total = known = 0.0
        got: dict[str, float] = {}
        in_name: dict[str, float] = {}
        for t in set(query):
            w = self.bm25.weight(t)
            total += w
            known += w if t in self.bm25.idf else 0.0
            names, context = self.holders(t)
            for r in names:
                got[r] = got.get(r, 0.0) + w
                in_name[r] = in_name.get(r, 0.0) + w
            for r in context:
                got[r] = got.get(r, 0.0) + 0.6 * w
        return {r: ((g / total if total else 0.0), (min(1.0, g / known) if known else 0.0), in_name.get(r, 0.0))
                for r, g in got.items()}

    def exacts(self, qkey: str) -> dict[str, float]:
        """Per record the question names: 1.0, scaled by how much of the name it uses. Only alias keys that start
        with a run of the question's characters are compared (an index by their first characters, built once)."""
        out: dict[str, float] = {}
        starts = {qkey[i : i + n] for i in range(len(qkey)) for n in range(1, KEY_GRAM + 1)}
        for start in starts:
            for rid, key in self.key_index.get(start, ()):
                if key in qkey:
                    out[rid] = max(out.get(rid, 0.0), min(1.0, len(key) / 6))
        return out

    def token_count(self, text: str) -> int:
        """Tokens the embedding model reads for a question (characters when the model cannot say)."""
        count = getattr(self.embeddings, "token_count", None)
        return count(text) if count else len(text)

    def fit(self, text: str, max_tokens: int = QUESTION_TOKENS) -> str:
        """The part of a question that is embedded: all of it, or its last sentences within max_tokens."""
        return fit_tokens(text, max_tokens, self.token_count)

    def fit_with(self, question: str, expansions: str, max_tokens: int = QUESTION_TOKENS) -> str:
        """What is embedded: the question fitted to the budget, then as many expansion terms as still fit."""
        return head_tokens(f"{self.fit(question, max_tokens)} {expansions}".strip(), max_tokens, self.token_count)

    @lru_cache(maxsize=4096)  # noqa: B019 - one searcher per process; cached per question text (1.5 KB each)
    def query_vector(self, text: str) -> np.ndarray:
        """The embedding of a text already fitted to its token budget (see fit), read-only float32."""
        vector = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
        vector.flags.writeable = False
        return vector

    @lru_cache(maxsize=512)  # noqa: B019 - one searcher per process; cached per question text
    def _dense(self, text: str) -> dict[str, float]:
        """Cosine similarity per record (best chunk), in memory or from Chroma (see dense.py)."""
        return self.dense.similarities(self.query_vector(text))

    def probe(self) -> None:
        """Run one real query against the Chroma index itself; raises IndexError_ when it cannot answer."""
        vector = self.query_vector(self.fit(PROBE_QUESTION)).tolist()
        res = guarded(lambda: self.collection.query(query_embeddings=[vector], n_results=1, include=["distances"]))
        if not res["ids"] or not res["ids"][0]:
            raise IndexError_(f"検索インデックスが空です。{REBUILD_HINT}")

    def query_tokens(self, text: str, english: bool = False, topic: bool = False) -> tuple[str, ...]:
        """Content tokens of a question; for English, only the words the plan itself uses.
        For a topic, also without verbs and adjectives the plan never uses (see content_tokens)."""
        query = tuple(t for t in content_tokens(text, self.bm25.idf if topic else None) if not LONE_LETTER.fullmatch(t))
        if english:
            return tuple(t for t in query if t in self.bm25.idf)
        # としょかん → と/しょ/かん: kana fragments the plan never uses say nothing (the reading match covers them)
        return tuple(t for t in query if t in self.bm25.idf or not KANA_FRAGMENT.fullmatch(t))

    def search(
        self, question: str, kinds: set[str] | None = None, extra_terms: str = "", k: int = 8, english: bool = False,
        dense_text: str | None = None,
    ) -> list[Hit]:
        """The best-matching records for a question, best first (dense_text: what is embedded, fitted)."""
        text = f"{question} {extra_terms}".strip()
        query = self.query_tokens(text, english)
        qkey = match_key(text)
        dense = self._dense(self.fit(text) if dense_text is None else dense_text)
        reads = self.readings(question) if not english else {}
        bm = self.bm25.scores(query)
        covs = self.coverages(query)
        doc_ids, rids = self.doc_ids, self.rids
        by_record = np.zeros(len(rids))
        np.maximum.at(by_record, self.doc_record, bm)
        bm_max = float(by_record.max(initial=0.0)) or 1.0
        d_vals = list(dense.values()) or [0.0]
        d_lo, d_hi = min(d_vals), max(d_vals)
        sim, dense_at = self.spread(dense, 0.0), self.spread(dense, d_lo)
        cov, known_cov, in_name = (self.spread({r: c[i] for r, c in covs.items()}, 0.0) for i in range(3))
        rd = self.spread(reads, 0.0)
        ex = np.maximum(self.spread(self.exacts(qkey), 0.0), np.where((rd >= 1.0) & self.named_in_kana, 0.8, 0.0))
        dn = (dense_at - d_lo) / (d_hi - d_lo) if d_hi > d_lo else np.zeros(len(rids))
        bn = by_record / bm_max
        score = (WEIGHTS["coverage"] * cov + WEIGHTS["dense"] * dn + WEIGHTS["bm25"] * bn + WEIGHTS["exact"] * ex
                 + WEIGHTS["reading"] * rd)
        order = np.argsort(-score, kind="stable")  # best first; equal scores in record order
        if kinds:
            allowed = np.logical_or.reduce([self.kind_masks.get(k, np.zeros(len(rids), bool)) for k in kinds])
            order = order[allowed[order]]
        top = order[:k]
        columns = (a[top].tolist() for a in (score, cov, sim, bn, ex, rd, in_name, known_cov))
        return [Hit(rids[i], self.record_kind[rids[i]], sc, c, d, b, e, doc_ids[rids[i]], r, n, kc)
                for i, sc, c, d, b, e, r, n, kc in zip(top.tolist(), *columns, strict=True)]

    def spread(self, values: dict[str, float], default: float) -> np.ndarray:
        """A per-record dict as an array in record order, default where a record has no value."""
        out = np.full(len(self.position), default, dtype=float)
        for rid, v in values.items():
            if (i := self.position.get(rid)) is not None:
                out[i] = v
        return out


def clear_caches() -> None:
    """Forget everything remembered per question text: embeddings, dense scores, token counts, tokens, match keys,
    earlier turns (benchmarks measure uncached questions)."""
    HybridSearcher._dense.cache_clear()
    HybridSearcher.query_vector.cache_clear()
    HybridSearcher.reading_holders.cache_clear()
    SafeEmbeddings.token_count.cache_clear()
    clear_text_caches()
    clear_all()


class PlanRetriever(BaseRetriever):
    """LangChain retriever over the plan: each Document is one record, best first; `k` per retriever or per call."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: HybridSearcher
    k: int = Field(default=5, ge=1, le=MAX_K, description="documents returned per call")

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        """Hybrid search, returned as LangChain documents with scores in metadata (`invoke(q, k=1)` gives one)."""
        if k is not None and (isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K):
            raise ValueError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
        query = bounded(query, READ_CHARS) if isinstance(query, str) else ""  # what reaches Sudachi and the embedder
        if not query:
            return []
        text_of = {d.record_id: d.text for d in reversed(self.searcher.docs)}
        return [
            Document(
                page_content=text_of[h.record_id],
                metadata={"id": h.record_id, "kind": h.kind, "score": round(h.score, 4), "coverage": h.coverage},
            )
            for h in self.searcher.search(query, k=self.k if k is None else k)
        ]
