"""The plan's own structure and narrative: 基本理念, 視点, 分野, period, 推進体制 … quoted from the passage."""

from __future__ import annotations

from ..models import Section
from ..retrieve import Hit
from ..text import match_key, sentences, tokens
from ..understand.frame import Frame
from .base import Draft, Records

WHOLE = 420  # a section up to this long is quoted whole; longer ones by their best passage


def passage(r: Records, sec: Section, f: Frame) -> str:
    """The part of a section that answers: the whole section when short, else its best two sentences."""
    if len(sec.text) <= WHOLE:
        return sec.text
    query = set(r.searcher.query_tokens(f.search_text, f.english))
    weight = r.searcher.bm25.weight
    units = sentences(sec.text)

    def score(i: int) -> float:
        """Question words (IDF-weighted) in sentence i, longer sentences slightly less."""
        toks, key = set(tokens(units[i])), match_key(units[i])
        return sum(weight(t) for t in query if t in toks or (len(t) >= 2 and t in key)) - len(units[i]) / 2000

    best = max(range(len(units)), key=score)
    return " ".join(units[best : best + 2])[:400]


def plan_answer(r: Records, hit: Hit, f: Frame) -> Draft:
    """Quote the section (or plan-structure item) that answers, with where it stands in the plan."""
    sec = r.sections[hit.record_id]
    quote = passage(r, sec, f)
    where = f"{sec.title}" + (f", p.{sec.page}" if sec.page else "")
    text = f"According to the plan ({where}):\n{quote}" if f.english else f"プランの「{sec.title}」{'（p.' + str(sec.page) + '）' if sec.page else ''}によると:\n{quote}"
    return Draft(text, "narrative", [r.cite_section(sec, quote)])
