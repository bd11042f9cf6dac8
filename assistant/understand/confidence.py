"""How sure the frame is about its best initiative: a logistic model over retrieval features.

The weights live in assistant/data/confidence.json, fitted by `python -m assistant fit` on the project's own
labelled questions (never on the shared dev sets)."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

from ..retrieve import Hit

WEIGHTS = Path(__file__).resolve().parent.parent / "data" / "confidence.json"
FEATURES = ("lexical", "coverage", "known_coverage", "reading", "dense", "dense_z", "dense_margin", "score",
            "score_margin", "name", "foreign_name")
POOL = 20  # the best records the dense similarity is compared with


def features(ranked: list[Hit], foreign_name: bool = False) -> list[float]:
    """Features of the best hit against the others of its kind (comparable across phrasings and languages), and
    whether the question names a place or organisation the plan never mentions (白山市, 東京都 …)."""
    top, second = ranked[0], ranked[1] if len(ranked) > 1 else None
    dense = sorted((h.dense for h in ranked), reverse=True)[:POOL]
    mean = sum(dense) / len(dense)
    sd = (sum((d - mean) ** 2 for d in dense) / len(dense)) ** 0.5 or 1.0
    dense_z = (top.dense - mean) / sd
    margin = 100 * (top.dense - (second.dense if second else mean))
    return [
        top.lexical,
        top.coverage,
        top.known_coverage,
        top.reading,
        100 * (top.dense - 0.85),
        dense_z,
        margin,
        top.score,
        top.score - (second.score if second else 0.0),
        1.0 if top.name_weight > 0 else 0.0,
        1.0 if foreign_name else 0.0,
    ]


@cache
def model() -> tuple[list[float], float, float]:
    """(weights, bias, answer threshold) of the fitted model."""
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return [data["weights"][f] for f in FEATURES], data["bias"], data.get("answer_threshold", 0.5)


def answer_threshold() -> float:
    """The confidence from which one initiative is answered (fitted with the weights)."""
    return model()[2]


def confidence(ranked: list[Hit], foreign_name: bool = False) -> float:
    """Probability that the best initiative (ranked[0]) is the one the question is about."""
    w, b, _ = model()
    z = b + sum(wi * xi for wi, xi in zip(w, features(ranked, foreign_name), strict=True))
    return 1 / (1 + math.exp(-z))
