"""The public entry point: Assistant.from_config() and Assistant.ask(question, history)."""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from .analyze import Analysis, analyze, validate
from .answer import OK, STRONG, WEAK, Composer, Draft, to_answer
from .config import Settings
from .corpus import load_plan
from .embeddings import get_embeddings
from .index import build_index, is_current, open_collection, plan_docs, read_manifest
from .models import Answer, Initiative
from .retrieve import Hit, HybridSearcher, PlanRetriever
from .text import match_key

PROBABLE_DENSE, PROBABLE_MARGIN = 0.84, 0.3  # loose matches offered as candidates (see _probable)
NEAR = 0.2  # coverage for a record to be mentioned as related in a decline
SAME_DEPARTMENT = re.compile(r"その課|この課|同じ課|その部署|同じ部署|そこ|that department|same department|this department",
                             re.IGNORECASE)


def _stderr(msg: str) -> None:
    """Progress output for long work."""
    print(msg, file=sys.stderr, flush=True)


def history_texts(history: Sequence[Any] | None) -> list[str]:
    """The texts of earlier turns, oldest first, from strings, role dicts, pairs or Answer objects."""
    out: list[str] = []
    for turn in history or []:
        if isinstance(turn, str):
            out.append(turn)
        elif isinstance(turn, dict):
            content = turn.get("content", turn.get("text", ""))
            if isinstance(content, list):  # Gradio message parts
                content = " ".join(str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content)
            out += [str(turn[k]) for k in ("question", "answer") if turn.get(k)] or [str(content)]
        elif isinstance(turn, list | tuple):
            out += [str(t) for t in turn if t]
        elif hasattr(turn, "text"):
            out.append(str(turn.text))
    return [t for t in out if t.strip()][-6:]


class Assistant:
    """Answers questions about the plan from its parsed records, retrieval and the Chroma index."""

    def __init__(self, settings: Settings, progress: bool = True) -> None:
        self.settings = settings
        say = _stderr if progress else None
        self.plan = load_plan(settings.corpus_dir)
        self.docs = plan_docs(self.plan)
        self.embeddings = get_embeddings(settings.embedding)
        manifest = read_manifest(settings.index_dir)
        if not is_current(manifest, settings.index_dir, settings.corpus_dir, settings.embedding):
            if say:
                say("インデックスが見つからないか古いため、作成します…")
            manifest = build_index(self.plan, self.docs, settings.index_dir, settings.corpus_dir, self.embeddings,
                                   settings.embedding, progress=say)
        self.manifest = manifest
        self.collection = open_collection(settings.index_dir, manifest)
        self.searcher = HybridSearcher(self.plan, self.docs, self.collection, self.embeddings)
        self.composer = Composer(self.plan, self.searcher)

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
        a = analyze(text, self.plan, today)
        return to_answer(self.route(a, history_texts(history)), a)

    # ---------- routing ----------
    def _carry_over(self, a: Analysis, topic: tuple[str, ...], past: list[str]) -> str:
        """Resolve a follow-up against earlier turns: fill in the department or the subject."""
        if not past or (topic and not a.anaphora):
            return ""
        for text in reversed(past):
            deps = [d for d in self.plan.departments if match_key(d) in match_key(text)]
            hits = self.searcher.search(text, kinds={"initiative"}, k=1)
            good = hits and (hits[0].coverage >= OK or hits[0].exact >= 0.8)
            if SAME_DEPARTMENT.search(a.text) and not a.departments:
                if deps:
                    a.departments = deps[:1]
                    return ""
                if good:
                    a.departments = self.composer.initiatives[hits[0].record_id].departments[:1]
                    return ""
            elif good:
                return text
        return ""

    def route(self, a: Analysis, past: list[str]) -> Draft:
        """Pick the intent and compose the answer; decline when the plan does not answer."""
        c = self.composer
        if a.injection:
            reason = ("I can only answer questions about the Kanazawa DX Action Plan 2.0 and cannot follow other "
                      "instructions." if a.english else
                      "申し訳ありませんが、金沢市DXアクションプラン2.0に関するご質問にのみお答えしています。"
                      "指示の変更や役割の変更には応じられません。")
            return c.decline(a, [], reason)
        topic = c.subject_tokens(a)
        extra = self._carry_over(a, topic, past)
        hits = c.initiative_hits(a, extra)
        strong = bool(hits) and (hits[0].exact >= 0.8 or hits[0].coverage >= STRONG)
        cues = a.cues
        if a.out_of_range_years and not a.years and cues & {"schedule", "list", "count"} and "narrative" not in cues:
            years = "、".join(f"{y}年度" for y in a.out_of_range_years)
            reason = (f"The plan covers FY2026–FY2029 only, so it says nothing about {years}." if a.english else
                      f"プランの期間は2026～2029年度の4か年のため、{years}についての記載はありません。")
            return c.decline(a, [], reason)
        if a.out_of_scope:
            return c.decline(a, [c.initiatives[h.record_id] for h in hits if h.coverage >= NEAR][:3])
        for draft in self._attempts(a, topic, hits, strong, cues, bool(extra)):
            if draft is not None:
                return draft
        return self._fallback(a, hits)

    def _attempts(self, a: Analysis, topic: tuple[str, ...], hits: list[Hit], strong: bool, cues: set[str],
                  carried: bool):
        """Answer attempts in order of what the question most likely asks; the first that works wins.

        Several steps try the same composition; each one is computed at most once."""
        c = self.composer
        kpi = cache(lambda: c.kpi(a))
        narrative = cache(lambda: c.narrative(a))
        listed = cache(lambda: c.list_or_count(a, topic, count=False))
        who = cache(lambda: c.who(a, hits))
        schedule = cache(lambda: c.schedule(a, hits))

        def several() -> Draft | None:
            """The topic list, when it finds more than one initiative (one is better answered as who)."""
            draft = listed()
            return draft if draft and len(draft.citations) > 1 else None

        if "kpi" in cues:
            yield kpi()
            if "count" in cues:
                yield c.kpi_count(a)
        if "count" in cues:
            yield c.list_or_count(a, () if strong and not a.has_filters else topic, count=True)
        if "narrative" in cues and (not strong or c.names_a_section(a)):
            yield narrative()
        if a.has_filters and (not topic or not strong) and not carried:
            yield listed() if not topic else several()
        if "list" in cues and topic and "who" not in cues:
            yield several()
        if "who" in cues or strong:
            yield schedule() if a.years else who()
        if "list" in cues and topic:
            yield several()
        yield schedule() if (a.years or "schedule" in cues) else who()
        yield narrative()
        if not hits or hits[0].coverage < OK:
            yield kpi()

    def _fallback(self, a: Analysis, hits: list[Hit]) -> Draft:
        """Loose matches become 'not sure, closest are…'; nothing at all becomes a decline."""
        c = self.composer
        near: list[Initiative] = [c.initiatives[h.record_id] for h in hits if h.coverage >= WEAK][:3]
        if hits and self._probable(hits):
            return c.candidates(a, [c.initiatives[h.record_id] for h in hits[:3]], ambiguous=False)
        return c.decline(a, near)

    @staticmethod
    def _probable(hits: list[Hit]) -> bool:
        """A loose match worth offering: some words shared, semantically close, and well ahead of the rest."""
        top, second = hits[0], hits[1] if len(hits) > 1 else None
        margin = top.score - (second.score if second else 0.0)
        return top.coverage >= 0.2 and top.dense >= PROBABLE_DENSE and margin >= PROBABLE_MARGIN
