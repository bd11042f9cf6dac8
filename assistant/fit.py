"""Fit the confidence model (understand/confidence.py) on the project's own labelled questions.

A case is a positive when answering with its best initiative's card would pass it, a negative when that card would
fail it or the plan does not cover the question. Only who/when cases and declines are used, and only those that reach
the model at run time (not the ones the out-of-scope and injection checks decline first); never the shared dev sets.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np

from .answers.card import card
from .evaluate import judge, load_cases
from .models import Answer
from .understand.confidence import FEATURES, WEIGHTS, features
from .understand.frame import understand
from .understand.intent_model import KIND_TO_ASK
from .understand.intent_model import WEIGHTS as INTENT_WEIGHTS
from .understand.intent_model import train as train_intent

KINDS = {"who", "schedule"}
SEEDS = 7  # fold splits the threshold is chosen on (their median)
COST_WRONG = 3.0  # a confident wrong answer costs this many right ones (an honest decline costs one)


def examples(bot, paths: list[Path]) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001 - Assistant
    """(features, labels) of the labelled cases that speak to the best initiative."""
    xs, ys = [], []
    for path in paths:
        for case in load_cases(path):
            if case.get("history") or not (case.get("refuse") or case["kind"] in KINDS):
                continue
            f = understand(case["q"], bot.plan, bot.searcher)
            ranked = f.ranked("initiative")
            if not ranked or f.out_of_scope or f.foreign_place or f.injection or f.slots.out_of_range_years:
                continue  # declined before confidence is asked: not part of what the model decides
            draft = card(bot.records, [bot.records.initiatives[ranked[0].record_id]], f.english)
            answer = Answer(text=draft.text, grounded=True, kind="who")
            label = 0 if case.get("refuse") else int(judge(case, answer)[0])
            xs.append(features(ranked, f.foreign_name))
            ys.append(label)
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


def train(x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 4000, lr: float = 0.5) -> tuple[np.ndarray, float]:
    """Logistic regression by gradient descent on standardised features; weights returned in raw units."""
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mu) / sd
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= lr * (z.T @ (p - y) / len(y) + l2 * w)
        b -= lr * float(np.mean(p - y))
    raw = w / sd
    return raw, b - float(raw @ mu)


def predict(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Probabilities for a feature matrix."""
    return 1 / (1 + np.exp(-(x @ w + b)))


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The answer threshold with the best utility: +1 right answer, −COST_WRONG wrong answer, 0 decline."""
    grid = np.linspace(0.05, 0.95, 91)
    utility = [float(np.sum((p >= t) * np.where(y == 1, 1.0, -COST_WRONG))) for t in grid]
    return float(grid[int(np.argmax(utility))])


def cross_validate(x: np.ndarray, y: np.ndarray, folds: int = 5, seed: int = 0) -> tuple[np.ndarray, float]:
    """Out-of-fold probabilities and the threshold chosen on them."""
    idx = list(range(len(y)))
    random.Random(seed).shuffle(idx)
    p = np.zeros(len(y))
    for k in range(folds):
        test = idx[k::folds]
        train_idx = [i for i in idx if i not in set(test)]
        w, b = train(x[train_idx], y[train_idx])
        p[test] = predict(x[test], w, b)
    return p, best_threshold(p, y)


def fit(bot, paths: list[Path], output: Path = WEIGHTS) -> dict:  # noqa: ANN001 - Assistant
    """Fit on the cases, check by cross-validation, write the weights; returns the summary."""
    x, y = examples(bot, paths)
    p, _ = cross_validate(x, y)
    threshold = float(np.median([cross_validate(x, y, seed=seed)[1] for seed in range(SEEDS)]))  # a stable choice
    answered = p >= threshold
    w, b = train(x, y)
    summary = {
        "weights": dict(zip(FEATURES, map(float, w), strict=True)),
        "bias": float(b),
        "answer_threshold": threshold,
        "trained_on": [str(p_.name) for p_ in paths],
        "examples": int(len(y)),
        "positives": int(y.sum()),
        "cv_answered_right": int(np.sum(answered & (y == 1))),
        "cv_answered_wrong": int(np.sum(answered & (y == 0))),
        "cv_declined_right_answers": int(np.sum(~answered & (y == 1))),
    }
    output.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def intent_examples(bot, paths: list[Path]) -> tuple[np.ndarray, list[str]]:  # noqa: ANN001 - Assistant
    """(question embeddings, asks) of the single-turn labelled cases whose kind names an ask."""
    xs, ys = [], []
    for path in paths:
        for case in load_cases(path):
            if case.get("history") or case["kind"] not in KIND_TO_ASK:
                continue
            xs.append(bot.searcher.query_vector(bot.searcher.fit(case["q"])))
            ys.append(KIND_TO_ASK[case["kind"]])
    return np.array(xs, dtype=float), ys


def fit_intent(bot, paths: list[Path], output: Path = INTENT_WEIGHTS, folds: int = 5) -> dict:  # noqa: ANN001
    """Fit the intent classifier, report its 5-fold accuracy, write the weights."""
    x, y = intent_examples(bot, paths)
    idx = list(range(len(y)))
    random.Random(0).shuffle(idx)
    right = 0
    for k in range(folds):
        test = set(idx[k::folds])
        tr = [i for i in idx if i not in test]
        model = train_intent(x[tr], [y[i] for i in tr])
        w, b = np.array(model["weights"]), np.array(model["bias"])
        pred = np.argmax(x[sorted(test)] @ w + b, axis=1)
        right += sum(model["classes"][p] == y[i] for p, i in zip(pred, sorted(test), strict=True))
    model = train_intent(x, y)
    output.write_text(json.dumps(model) + "\n", encoding="utf-8")
    return {"intent_examples": len(y), "intent_cv_accuracy": round(right / len(y), 3), "classes": model["classes"]}
