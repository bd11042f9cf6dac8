"""The plan's own structure and narrative: 基本理念, 視点, 分野, period, 推進体制 … quoted from the passage."""

from __future__ import annotations

from ..models import Section
from ..retrieve import QUOTED, Hit
from ..text import match_key, sentences, tokens
from ..understand.frame import Frame
from .base import Draft, Records

WHOLE = 420  # a section up to this long is quoted whole; longer ones by their best passage
NEAR = 0.15  # sections this close to the best one are searched for the passage too


def passage(r: Records, sec: Section, f: Frame) -> tuple[float, str]:
    """The part of a section that answers and how much of the question it holds: the whole section when short,
    else its best two sentences."""
    query = set(r.searcher.query_tokens(f.search_text, f.english))
    weight = r.searcher.bm25.weight
    units = sentences(sec.text)
    qkey = match_key(f.text)

    def score(text: str) -> float:
        """Question words (IDF-weighted) in the text, more when it names a 「」 name the question uses,
        longer texts slightly less."""
        toks, key = set(tokens(text)), match_key(text)
        named = any(len(n) >= 4 and match_key(n) in qkey for n in QUOTED.findall(text))
        return (sum(weight(t) for t in query if t in toks or (len(t) >= 2 and t in key)) + (3.0 if named else 0.0)
                - len(text) / 2000)

    if len(sec.text) <= WHOLE or not units:
        return score(f"{sec.title} {sec.text}"), sec.text
    best = max(range(len(units)), key=lambda i: score(units[i]))
    text = " ".join(units[best : best + 2])[:400]
    return score(text), text


def plan_answer(r: Records, hit: Hit, f: Frame) -> Draft:
    """Quote the passage that answers, from the best section or the two after it (「最初に策定されたのは」 is in
    策定の趣旨, not in the colophon), with where it stands in the plan."""
    sections = [h for h in f.ranked("section") if h.score >= hit.score - NEAR][:3] or [hit]
    scored = [(passage(r, r.sections[h.record_id], f), h.score, r.sections[h.record_id]) for h in sections]
    (_, quote), _, sec = max(scored, key=lambda x: (x[0][0], x[1]))
    where = f"{sec.title}" + (f", p.{sec.page}" if sec.page else "")
    text = f"According to the plan ({where}):\n{quote}" if f.english else f"プランの「{sec.title}」{'（p.' + str(sec.page) + '）' if sec.page else ''}によると:\n{quote}"
    return Draft(text, "narrative", [r.cite_section(sec, quote)])
