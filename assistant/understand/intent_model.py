"""A learned intent classifier over the question's embedding: fills in what is asked when no cue word says it.

Multinomial logistic regression on the bundled e5 vectors, trained by `python -m assistant fit` on the project's
own labelled questions (kinds who / schedule / list / count / kpi / narrative / refuse); weights in
assistant/data/intent.json. Cue patterns (intent.py) stay first: the model only adds an ask when none fired.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).resolve().parent.parent / "data" / "intent.json"
KIND_TO_ASK = {"who": "who", "schedule": "when", "list": "list", "count": "count", "kpi": "kpi",
               "narrative": "explain", "refuse": "none"}
SURE = 0.6  # probability from which the predicted ask is added


@cache
def model() -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    """(weights, bias, classes), or None before the first fit."""
    if not WEIGHTS.is_file():
        return None
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return np.array(data["weights"]), np.array(data["bias"]), data["classes"]


def predict(vector: Sequence[float]) -> tuple[str, float]:
    """The most likely ask and its probability ("none" when the question is not about the plan)."""
    fitted = model()
    if fitted is None:
        return "none", 0.0
    w, b, classes = fitted
    z = np.asarray(vector) @ w + b
    p = np.exp(z - z.max())
    p /= p.sum()
    i = int(np.argmax(p))
    return classes[i], float(p[i])


def learned_ask(vector: Sequence[float]) -> str | None:
    """The ask to add when the cue patterns found none, if the model is sure enough."""
    ask, p = predict(vector)
    return ask if ask != "none" and p >= SURE else None


def train(x: np.ndarray, labels: list[str], l2: float = 1e-3, steps: int = 600, lr: float = 2.0) -> dict:
    """Fit the softmax regression by gradient descent; returns the JSON-able weights."""
    classes = sorted(set(labels))
    y = np.zeros((len(labels), len(classes)))
    y[np.arange(len(labels)), [classes.index(lab) for lab in labels]] = 1.0
    w, b = np.zeros((x.shape[1], len(classes))), np.zeros(len(classes))
    for _ in range(steps):
        z = x @ w + b
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        w -= lr * (x.T @ (p - y) / len(labels) + l2 * w)
        b -= lr * (p - y).mean(axis=0)
    return {"classes": classes, "weights": w.round(5).tolist(), "bias": b.round(5).tolist()}
