"""The public entry point: Assistant.from_config() and Assistant.ask(question, history)."""

from __future__ import annotations

import copy
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from .answers import Draft, Records, own_subject, route
from .answers.answerable import checked
from .answers.subject import names_a_row
from .builds import Lease
from .caching import LRU
from .catalogue import list_link
from .config import Settings
from .corpus import load_plan, parse_plan
from .dense import open_dense
from .documents import plan_docs
from .embeddings import get_embeddings
from .errors import AssistantError, IndexError_
from .index import (
    MANIFEST,
    SCHEMA_VERSION,
    Manifest,
    ensure_index,
    is_current,
    last_good_corpus,
    open_collection,
    read_manifest,
)
from .limits import ASK_SLOTS, QUESTION_TOKENS, READ_CHARS, turn_budgets
from .models import Answer, Plan
from .retrieve import HybridSearcher, PlanRetriever
from .text import many_asks, two_asks
from .understand import Frame, State, as_shown, resolve, shown_rows, understand, user_turns, validate
from .understand.frame import refers_back

REFERS_CHARS = 40  # a follow-up says what it refers to first (「では、その中で…」)
REFRESH_SECONDS = 1.0  # how often a running assistant looks for a newly published build
RETIRE_SECONDS = 30.0  # an old build stays leased this long after the switch (requests in flight finish)
Turn = tuple[str, int]  # a question and the embedding tokens it may use
Conversation = tuple[tuple[Turn, ...], Turn]  # the earlier turns, oldest first, and the question's turn
PAST_STATES: LRU[State] = LRU(512)  # conversations so far → what their last turn was about


def _stderr(msg: str) -> None:
    """Progress output for long work."""
    print(msg, file=sys.stderr, flush=True)


def joined(first: Answer, second: Answer) -> Answer:
    """Two asks answered in two parts of one reply; grounded only when both parts are."""
    seen = {c.id for c in first.citations}
    return first.model_copy(update={
        "text": f"{first.text}\n\n{second.text}", "grounded": first.grounded and second.grounded,
        "citations": first.citations + [c for c in second.citations if c.id not in seen],
        "suggestions": first.suggestions or second.suggestions, "list_url": first.list_url or second.list_url})


def state_of(draft: Draft, frame: Frame) -> State:
    """What a turn's answer was about, for the next turn to refer to."""
    inis = [c.id for c in draft.citations if c.kind == "initiative"]
    kpis = [c.id for c in draft.citations if c.kind == "kpi"]
    deps = list(frame.slots.departments)
    if draft.kind in ("who", "schedule", "kpi") and draft.citations:
        first = next((c for c in draft.citations if c.kind == "initiative"), None)
        deps = deps or (first.departments if first else [])
    listed = inis if draft.kind in ("list", "count", "candidates") else []
    subjects = (draft.subjects or inis[:1]) if draft.kind in ("who", "schedule", "kpi") else []
    if draft.kind == "not_in_plan":  # the row is known, only the aspect asked is not in the plan
        subjects = draft.subjects
    elif not draft.grounded:
        subjects, listed = [], []
    listed_departments = [c.departments for c in draft.citations if c.id in listed]
    return State(subjects=subjects, kpis=kpis, departments=deps, listed=listed, listed_departments=listed_departments,
                 asks=set(frame.asks), kind=draft.kind)


@dataclass
class Live:
    """One build as it answers: manifest, plan, searcher and records, and the lease that keeps its folder."""

    manifest: Manifest
    plan: Plan
    searcher: HybridSearcher
    records: Records
    lease: Lease


class Assistant:
    """Answers questions about the plan from its parsed records, retrieval and the Chroma index.

    A running assistant follows the index: when another process publishes a new build it switches to it
    between requests, and keeps the old build's folder (its lease) until in-flight requests are done."""

    def __init__(self, settings: Settings, progress: bool = True) -> None:
        self.settings = settings
        self.say = _stderr if progress else (lambda _msg: None)
        self.embeddings = get_embeddings(settings.embedding)
        self._swap_lock = threading.Lock()
        self._retired: list[tuple[float, Live]] = []
        self._checked = time.monotonic()
        self._manifest_stamp = self._stamp()
        self.live = self._start()

    def _start(self) -> Live:
        """Open the published build, building it first when missing or stale, rebuilding it when damaged."""
        s = self.settings
        plan = load_plan(s.corpus_dir)
        manifest = read_manifest(s.index_dir)
        if not is_current(manifest, s.index_dir, s.corpus_dir, s.embedding, s.chroma_url):
            fallback = last_good_corpus(s.index_dir, manifest) if plan.issues else None
            if fallback is not None and manifest is not None and manifest.embedding == s.embedding:
                _stderr(f"プラン本文に読めない行が {len(plan.issues)} 行あるため、前回のビルドで回答します"
                        "（python -m assistant index で一覧を表示します）。")
                plan = parse_plan(fallback.read_text(encoding="utf-8"), source=plan.source)
            else:
                self.say("インデックスが見つからないか古いため、作成します…")
                manifest = self._ensure(plan)
        try:
            return self._open(manifest, plan)
        except IndexError_ as exc:
            _stderr(f"{exc.detail}\nインデックスを作り直します…")
            return self._open(self._ensure(plan, rebuild=True, reuse=False), plan)  # nothing read from the damage

    def _ensure(self, plan: Plan, rebuild: bool = False, reuse: bool = True) -> Manifest:
        """Build the index under the build lock (or take the one another process has just built)."""
        s = self.settings
        return ensure_index(plan, s.index_dir, s.corpus_dir, self.embeddings, s.embedding, s.chroma_url,
                            progress=self.say, rebuild=rebuild, reuse=reuse)

    def _open(self, manifest: Manifest, plan: Plan) -> Live:
        """Lease a build, open its collection and check that it answers a real query."""
        lease = Lease(self.settings.index_dir / manifest.build_dir)
        try:
            docs = plan_docs(plan)
            collection = open_collection(self.settings.index_dir, manifest)
            searcher = HybridSearcher(plan, docs, collection, self.embeddings,
                                      open_dense(collection, len(docs), server=bool(manifest.chroma_url)))
            searcher.probe()
        except BaseException:
            lease.release()
            raise
        return Live(manifest, plan, searcher, Records(plan, searcher), lease)

    def _stamp(self) -> int:
        """When the manifest last changed (0 when there is none)."""
        try:
            return (self.settings.index_dir / MANIFEST).stat().st_mtime_ns
        except OSError:
            return 0

    def follow_index(self, now: float | None = None) -> Live:
        """The build to answer from: the published one, checked at most every REFRESH_SECONDS."""
        now = time.monotonic() if now is None else now
        if now - self._checked < REFRESH_SECONDS:
            return self.live
        with self._swap_lock:
            self._checked = now
            self._release_retired(now)
            stamp = self._stamp()
            if stamp == self._manifest_stamp:
                return self.live
            self._manifest_stamp = stamp
            manifest = read_manifest(self.settings.index_dir)
            if manifest is None or manifest.build_dir == self.live.manifest.build_dir or not self._usable(manifest):
                return self.live
            try:
                corpus = last_good_corpus(self.settings.index_dir, manifest)
                plan = parse_plan(corpus.read_text(encoding="utf-8"), source=self.live.plan.source) if corpus \
                    else load_plan(self.settings.corpus_dir)
                live = self._open(manifest, plan)
            except AssistantError as exc:
                _stderr(f"新しいインデックス {manifest.build_dir} に切り替えられません。今のまま回答します: {exc.detail}")
                return self.live
            self._retired.append((now, self.live))
            self.live = live
            _stderr(f"新しいインデックス {manifest.build_dir} に切り替えました。")
            return live

    def _usable(self, manifest: Manifest) -> bool:
        """True when this process can answer from that build (same schema, model and Chroma location)."""
        s = self.settings
        return (manifest.schema_version == SCHEMA_VERSION and manifest.embedding == s.embedding
                and manifest.chroma_url == s.chroma_url)

    def _release_retired(self, now: float) -> None:
        """Give up old builds once requests that started on them have surely finished."""
        keep = []
        for t, live in self._retired:
            if now - t < RETIRE_SECONDS:
                keep.append((t, live))
            else:
                live.lease.release()
        self._retired = keep

    @property
    def plan(self) -> Plan:
        """The plan the current build answers from."""
        return self.live.plan

    @property
    def searcher(self) -> HybridSearcher:
        """The current build's searcher."""
        return self.live.searcher

    @property
    def records(self) -> Records:
        """The current build's records."""
        return self.live.records

    @property
    def manifest(self) -> Manifest:
        """The current build's manifest."""
        return self.live.manifest

    @classmethod
    def from_config(cls, **overrides: Any) -> Assistant:
        """An assistant with settings from the environment (ASSISTANT_*), building the index if needed."""
        return cls(Settings(**overrides))

    def with_settings(self, **changes: Any) -> Assistant:
        """The same loaded assistant under other serving settings (rate limit, CORS, feedback path)."""
        clone = copy.copy(self)
        clone.settings = self.settings.model_copy(update=changes)
        return clone

    @property
    def retriever(self) -> PlanRetriever:
        """A LangChain retriever over the same hybrid search."""
        return PlanRetriever(searcher=self.searcher)

    def health(self) -> dict[str, Any]:
        """Which build answers, checked with a real query; raises IndexError_ when it cannot answer."""
        live = self.follow_index()
        live.searcher.probe()
        m = live.manifest
        return {"status": "ok", "build": m.build_dir, "corpus_hash": m.corpus_hash, "documents": m.documents,
                "initiatives": len(live.plan.initiatives), "chroma": m.chroma_url or "embedded"}

    def ask(self, question: str, history: Sequence[Any] | None = None, today: date | None = None) -> Answer:
        """Answer one question; raises InputError for empty, too long, control-character or HTML input."""
        text = validate(question, self.settings.max_question_chars)[-READ_CHARS:]
        with ASK_SLOTS:  # one question per core at a time, whichever route (API, UI) asks
            # three asks at once are split only about a named row (its card, then the rest); else declined whole
            many = many_asks(text) and not names_a_row(self.follow_index().plan, text)
            parts = None if many else two_asks(text)
            last_shown = shown_rows(self.follow_index().plan, history)  # what the user saw last
            if parts is None or sum(map(self.token_count, parts)) > 2 * QUESTION_TOKENS:  # at most two questions' cost
                return self._answer(self._turns(text, history), today, last_shown)
            turns = self._turns(parts[0], history)
            first = self._answer(turns, today, last_shown)
            # the second part may refer to the first: it follows the first exactly as answered (its state is cached)
            second = (parts[1], min(self.token_count(parts[1]), QUESTION_TOKENS))
            return joined(first, self._answer(((*turns[0], turns[1]), second), today))

    def token_count(self, text: str) -> int:
        """Tokens the embedding model reads for a text (cached per text)."""
        return self.follow_index().searcher.token_count(text)

    def _turns(self, text: str, history: Sequence[Any] | None) -> Conversation:
        """The earlier turns that fit the embedding budget (oldest first) and the question's turn, as (text, tokens)."""
        past = user_turns(history)[::-1]  # newest first, as the budget gives them tokens
        count = self.token_count
        budgets = turn_budgets(count(text), [count(t) for t in past], refers_back(text[:REFERS_CHARS]))
        kept = [(t, b) for t, b in zip(past, budgets[1:], strict=True) if b]
        while kept and len(kept) < len(past) and refers_back(kept[-1][0]):  # its own antecedent had to go: so does it
            kept.pop()  # (「うち新マーク付きは？」 read alone would be about every row)
        return tuple(kept)[::-1], (text, budgets[0])

    def _answer(self, conversation: Conversation, today: date | None, last_shown: list[str] | None = None) -> Answer:
        """The answer to a validated question (its text read from its end) after its earlier turns (last_shown: the
        rows the assistant's last turn named)."""
        live = self.follow_index()
        turns, turn = conversation
        day = today or date.today()
        draft, frame = self._turn(live, turn, turns, day, last_shown)
        # the next request of this conversation sends this question back as history: keep what it was about
        PAST_STATES.put((live.manifest.build_dir, (*turns, turn), day), state_of(draft, frame))
        shown = [c.id for c in draft.citations if c.kind == "initiative"]
        listed = draft.kind in ("list", "count") and draft.grounded
        return Answer(text=draft.text, grounded=draft.grounded, kind=draft.kind, citations=draft.citations,
                      language="en" if frame.english else "ja", suggestions=draft.suggestions,
                      list_url=list_link(live.plan, frame.query.conds, shown) if listed else None)

    def _turn(self, live: Live, turn: Turn, past: tuple[Turn, ...], today: date,
              last_shown: list[str] | None = None) -> tuple[Draft, Frame]:
        """One turn (text, embedding tokens): understand → resolve against the previous turn's state (narrowed to
        the rows the assistant's last turn showed) → route."""
        state = as_shown(self._state_after(live, past, today), last_shown or [])
        text, tokens = turn
        frame = understand(text, live.plan, live.searcher, today, embed_tokens=tokens)
        resolved = resolve(frame, state, own_subject(frame))
        return checked(live.records, frame, route(live.records, frame, resolved)), frame

    def _state_after(self, live: Live, past: tuple[tuple[str, int], ...], today: date) -> State:
        """What the conversation so far was about; kept per build and turns, so a history sent again costs nothing."""
        if not past:
            return State()

        def make() -> State:
            return state_of(*self._turn(live, past[-1], past[:-1], today))

        return copy.deepcopy(PAST_STATES.get_or_make((live.manifest.build_dir, past, today), make))
