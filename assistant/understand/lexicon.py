"""The data file of everyday words (assistant/data/lexicon.json), compiled once."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


@cache
def _load(name: str) -> dict:
    """One JSON data file of the package."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@cache
def table(section: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """A section of the lexicon as (compiled pattern, value) pairs, in file order."""
    return tuple((re.compile(k, re.IGNORECASE), v) for k, v in _load("lexicon.json")[section].items())


def colloquial_to_standard(text: str) -> str:
    """Spoken, 金沢弁 and mistyped forms rewritten to standard Japanese (しとるん → している)."""
    for pattern, value in table("colloquial"):
        text = pattern.sub(value, text)
    return text


def synonyms(text: str) -> str:
    """The plan's words for the everyday words a question uses (観光客 → 訪れるひと 観光)."""
    return " ".join(dict.fromkeys(v for pattern, v in table("synonyms") if pattern.search(text)))


def plan_terms(text: str) -> str:
    """The plan's section names for words asking about the plan itself (なぜ作った → 策定の趣旨)."""
    return " ".join(dict.fromkeys(v for pattern, v in table("plan_terms") if pattern.search(text)))


def loose_departments(text: str) -> list[str]:
    """Departments named by an everyday description (デジタルの課 → デジタル政策課)."""
    return list(dict.fromkeys(v for pattern, v in table("departments") if pattern.search(text)))


def section(name: str) -> dict:
    """One section of the lexicon as it is written (e.g. aspects: key → labels and patterns)."""
    return _load("lexicon.json")[name]


@cache
def pattern(section: str) -> re.Pattern[str]:
    """A list section of the lexicon as one alternation."""
    return re.compile("|".join(_load("lexicon.json")[section]), re.IGNORECASE)
