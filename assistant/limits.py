"""How much work one request may cost, in one place for every entry point (API, UI, CLI)."""

from __future__ import annotations

import os
import threading

QUESTION_TOKENS = 40  # the question's embedding reads at most this many tokens (its last sentences)
TURN_TOKENS = 40  # an earlier turn gets what the question left, up to this
REQUEST_TOKENS = 44  # every embedding of one request together; an earlier turn that no longer fits is dropped
MIN_TURN_TOKENS = 12  # below this an embedding says nothing (the prefix and special tokens take 7)
HISTORY_TURNS = 2  # earlier user turns that can still be referred to
READING_CHARS = 120  # kana-reading matches look at the question's last 120 characters
READ_CHARS = 200  # a question or earlier turn is read from its end this far (the asking part of a long text)
HISTORY_ITEMS = 20  # history items a request may carry (only the last user turns are read)
TURN_CHARS = 4000  # the longest history item the API takes (a previous answer fits)
EMBED_CHARS = 2000  # the most any text handed to the embedder may hold (passages are < 400, questions < 350)
UI_TURNS = 10  # turns a chat session keeps and shows (older ones are dropped from its state)
UI_SESSIONS = 1000  # chat sessions whose state is kept; the least recently used one goes first
UI_IDLE_SECONDS = 30 * 60  # a chat session's state is deleted after this long without a question
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
# questions one process answers side by side: one per core (each embeds on one thread); more threads only
# queue for the GIL and the caches (8 clients on one 2-core worker: 34.9 → 37.6 req/s, CPU per request -10%).
# Worker processes of a multi-worker server are not gated (server.py sets MULTI_WORKER_ENV): the kernel may hand
# one of them most keep-alive connections, and gated it would leave the other cores idle (113% CPU measured)
MULTI_WORKER_ENV = "ASSISTANT_MULTI_WORKER"
ASKS_AT_ONCE = 64 if os.environ.get(MULTI_WORKER_ENV) else CORES
ASK_SLOTS = threading.BoundedSemaphore(ASKS_AT_ONCE)
BODY_BYTES = 1024 * 1024  # the largest request body any route accepts: above every body the schema allows


def turn_budgets(question_tokens: int, turn_tokens: list[int], refers_back: bool = False) -> list[int]:
    """Embedding tokens for the question and for each earlier turn (newest first); 0 drops that turn. When the
    question refers back, the newest turn keeps MIN_TURN_TOKENS however long the question is: a long follow-up
    (「では、その中で…だけに絞ってください」) is read from its end a little shorter rather than lose what it refers
    to (a long question that does not refer back still costs one embedding)."""
    keep = min(turn_tokens[0], MIN_TURN_TOKENS) if turn_tokens and refers_back else 0
    used = min(question_tokens, QUESTION_TOKENS, REQUEST_TOKENS - keep)
    budgets = [used]
    for need in turn_tokens:
        give = min(need, TURN_TOKENS, REQUEST_TOKENS - used)
        give = give if give >= min(need, MIN_TURN_TOKENS) else 0
        budgets.append(give)
        used += give
    return budgets
