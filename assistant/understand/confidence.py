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
FEATURES = ("coverage", "exact", "reading", "dense", "dense_margin", "score_margin", "name")


def features(top: Hit, second: Hit | None) -> list[float]:
    """The features of the best hit against the runner-up."""
    return [
        top.coverage,
        top.exact,
        top.reading,
        top.dense,
        top.dense - (second.dense if second else 0.8),
        top.score - (second.score if second else 0.0),
        1.0 if top.name_weight > 0 else 0.0,
    ]


@cache
def model() -> tuple[list[float], float]:
    """(weights, bias) of the fitted model."""
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return [data["weights"][f] for f in FEATURES], data["bias"]


def confidence(top: Hit, second: Hit | None) -> float:
    """Probability that the best initiative is the one the question is about."""
    w, b = model()
    z = b + sum(wi * xi for wi, xi in zip(w, features(top, second), strict=True))
    return 1 / (1 + math.exp(-z))
