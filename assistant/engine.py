"""The public entry point: Assistant.from_config() and Assistant.ask(question, history)."""

from __future__ import annotations

import copy
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from .answers import Draft, Records, own_subject, route
from .config import Settings
from .corpus import load_plan, parse_plan
from .embeddings import get_embeddings
from .index import build_index, is_current, last_good_corpus, open_collection, plan_docs, read_manifest
from .models import Answer
from .retrieve import HybridSearcher, PlanRetriever
from .understand import Frame, State, resolve, understand, user_turns, validate


def _stderr(msg: str) -> None:
    """Progress output for long work."""
    print(msg, file=sys.stderr, flush=True)


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
    if not draft.grounded:
        subjects, listed = [], []
    listed_departments = [c.departments for c in draft.citations if c.id in listed]
    return State(subjects=subjects, kpis=kpis, departments=deps, listed=listed, listed_departments=listed_departments,
                 asks=set(frame.asks), kind=draft.kind)


class Assistant:
    """Answers questions about the plan from its parsed records, retrieval and the Chroma index."""

    def __init__(self, settings: Settings, progress: bool = True) -> None:
        self.settings = settings
        say = _stderr if progress else None
        self.plan = load_plan(settings.corpus_dir)
        self.embeddings = get_embeddings(settings.embedding)
        manifest = read_manifest(settings.index_dir)
        if not is_current(manifest, settings.index_dir, settings.corpus_dir, settings.embedding):
            fallback = last_good_corpus(settings.index_dir, manifest) if self.plan.issues else None
            if fallback is not None and manifest is not None and manifest.embedding == settings.embedding:
                _stderr(f"プラン本文に読めない行が {len(self.plan.issues)} 行あるため、前回のビルドで回答します"
                        "（python -m assistant index で一覧を表示します）。")
                self.plan = parse_plan(fallback.read_text(encoding="utf-8"), source=self.plan.source)
            else:
                if say:
                    say("インデックスが見つからないか古いため、作成します…")
                manifest = build_index(self.plan, plan_docs(self.plan), settings.index_dir, settings.corpus_dir,
                                       self.embeddings, settings.embedding, progress=say)
        self.docs = plan_docs(self.plan)
        self.manifest = manifest
        self.collection = open_collection(settings.index_dir, manifest)
        self.searcher = HybridSearcher(self.plan, self.docs, self.collection, self.embeddings)
        self.records = Records(self.plan, self.searcher)

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

    def ask(self, question: str, history: Sequence[Any] | None = None, today: date | None = None) -> Answer:
        """Answer one question; raises InputError for empty, too long, control-character or HTML input."""
        text = validate(question, self.settings.max_question_chars)
        draft, frame = self._turn(text, tuple(user_turns(history)), today or date.today())
        return Answer(text=draft.text, grounded=draft.grounded, kind=draft.kind, citations=draft.citations,
                      language="en" if frame.english else "ja", suggestions=draft.suggestions)

    def _turn(self, text: str, past: tuple[str, ...], today: date) -> tuple[Draft, Frame]:
        """One turn: understand → resolve against the previous turn's state → route to an answer."""
        state = State()
        if past:
            prev_draft, prev_frame = self._turn(past[-1], past[:-1], today)
            state = state_of(prev_draft, prev_frame)
        frame = understand(text, self.plan, self.searcher, today)
        resolved = resolve(frame, state, own_subject(frame))
        return route(self.records, frame, resolved), frame
