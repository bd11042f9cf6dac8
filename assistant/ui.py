"""Gradio chat UI (Japanese first): each answer with its own numbered sources, next questions and feedback.

The conversation is rendered as HTML we build and escape ourselves (ui_chat.py / ui_render.py); the page's
behaviour is assistant/static/ui.js and its look assistant/static/ui.css (see ui_page.py).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import gradio as gr
from pydantic import BaseModel, Field, StrictInt, StrictStr, ValidationError

from .errors import AssistantError, FeedbackUnavailableError
from .feedback import (
    STORED_ANSWER_CHARS,
    STORED_QUESTION_CHARS,
    Feedback,
    FeedbackStore,
    Rating,
    clipped,
    rater_key,
)
from .limits import HISTORY_TURNS, UI_IDLE_SECONDS, UI_TURNS  # the engine reads HISTORY_TURNS user turns
from .ui_chat import Turn, log_html
from .ui_page import CSS, DESCRIPTION, HEAD, MIDDLEWARE, TITLE, theme

__all__ = ["CSS", "HEAD", "MIDDLEWARE", "TITLE", "build_ui", "history_of", "respond_turn", "theme"]
GENERIC_ERROR = "申し訳ありません。回答を作成できませんでした。時間をおいて、もう一度お試しください。"
SHOWN_CHARS = 200  # how much of a question that was not answered is shown back (it is never kept)
log = logging.getLogger(__name__)


def history_of(turns: list[Turn]) -> list[dict[str, str]]:
    """The user turns the engine needs for a follow-up (the last few answered questions, plain text)."""
    asked = [t.question for t in turns if t.answer is not None]
    return [{"role": "user", "content": q} for q in asked[-HISTORY_TURNS:]]


def respond_turn(bot: Any, question: str, turns: list[Turn]) -> Turn:
    """Ask the engine; an input problem shows its own message, anything else a generic one (never its text)."""
    try:
        return Turn(question, bot.ask(question, history=history_of(turns)))
    except AssistantError as exc:
        return Turn(shown(question), error=f"⚠ {exc.detail}")
    except Exception:  # noqa: BLE001 - the UI must never show a traceback or an exception's text
        log.exception("UI answer failed")
        return Turn(shown(question), error=f"⚠ {GENERIC_ERROR}")


def shown(question: str) -> str:
    """A question that was not answered, as shown back once: its start only."""
    return question if len(question) <= SHOWN_CHARS else question[:SHOWN_CHARS] + "…"


def next_turns(turns: list[Turn], new: Turn) -> tuple[list[Turn], list[Turn]]:
    """What to show and what to keep after a turn: an answered turn joins the last UI_TURNS; a refused or failed
    one is shown once and never kept (so a session's state stays small whatever is sent)."""
    new.n = (turns[-1].n if turns and turns[-1].n else len(turns)) + 1
    if new.answer is None:
        return turns + [new], turns
    kept = (turns + [new])[-UI_TURNS:]
    return kept, kept


class RatingPayload(BaseModel):
    """What ui.js sends for a rating; anything else (a float, huge or negative turn, nested values) is refused."""

    turn: StrictInt = Field(ge=1)
    rating: Rating
    reason: StrictStr = ""


def feedback_of(payload: str, turns: list[Turn]) -> tuple[Feedback, int] | None:
    """The rating ui.js sends ({"turn", "rating", "reason"}) for a turn of this session, with the turn's own
    question, answer text, kind and sources taken from the server's state (never from the page); and its turn."""
    try:
        sent = RatingPayload.model_validate_json(payload or "{}")
    except ValidationError:
        return None
    turn = next((t for k, t in enumerate(turns, 1) if (t.n or k) == sent.turn), None)  # numbers outlive dropped turns
    if turn is None or turn.answer is None:
        return None
    a = turn.answer
    return Feedback(question=clipped(turn.question, STORED_QUESTION_CHARS), answer=clipped(a.text, STORED_ANSWER_CHARS),
                    rating=sent.rating, source="ui", kind=a.kind, language=a.language,
                    citations=[c.id for c in a.citations], reason=sent.reason[:500]), sent.turn


def build_ui(bot: Any, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The Blocks app; it calls bot.ask and stores 👍/👎 (with the 👎 reason) in the feedback store."""
    store = feedback or FeedbackStore.from_settings(bot.settings)

    def respond(question: str, state: list[dict]) -> tuple[Any, Any, Any]:
        """Answer a question and redraw the conversation; an empty question changes nothing."""
        if not (question or "").strip():
            return gr.skip(), gr.skip(), gr.skip()
        turns = [Turn.from_state(d) for d in state or []]
        shown_turns, kept = next_turns(turns, respond_turn(bot, question.strip(), turns))
        return log_html(shown_turns), "", [t.to_state() for t in kept] if kept is not turns else gr.skip()

    def rate(payload: str, state: list[dict], request: gr.Request) -> None:
        """Store a rating sent by ui.js for one of this session's answers; rating the turn again replaces it."""
        found = feedback_of(payload, [Turn.from_state(d) for d in state or []])
        if found is None:
            return
        item, turn = found
        try:
            store.add(item, rater=rater_key("ui", request.session_hash or "", str(turn), item.question, item.answer))
        except (AssistantError, sqlite3.Error) as exc:  # full, locked: said in a notice, never as an error
            err = exc if isinstance(exc, AssistantError) else FeedbackUnavailableError()
            log.warning("UI rating not stored: %s", exc)
            gr.Warning(f"{err.message_ja} / {err.message_en}")

    def clear() -> tuple[str, str, list]:
        """A new conversation: welcome message only, empty box, no earlier turns or sources."""
        return log_html([]), "", []

    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_width=False) as demo:
        gr.HTML(f'<header id="masthead"><p class="city">金沢市</p><h1>{TITLE}</h1><p>{DESCRIPTION}</p>'
                '<p class="tolist"><a href="list">取組の一覧を表で見る（絞り込み・CSV）</a></p>'
                '<p id="announce" class="sr" role="status" aria-live="polite"></p></header>',
                js_on_load=None, elem_id="masthead-wrap")
        state = gr.State([], time_to_live=UI_IDLE_SECONDS)
        chat = gr.HTML(log_html([]), elem_id="chat", js_on_load=None)
        with gr.Group(elem_id="composer"), gr.Row(equal_height=True):
            box = gr.Textbox(label="質問を入力してください", placeholder="例: かなパスの担当課は？", scale=6,
                             max_lines=4, lines=1, elem_id="question", submit_btn=False,
                             max_length=bot.settings.max_question_chars)
            send = gr.Button("送信", variant="primary", scale=1, min_width=88, elem_id="send")
            new = gr.Button("新しい会話", variant="secondary", scale=1, min_width=110, elem_id="clear")
        for trigger in (box.submit, send.click):
            trigger(respond, [box, state], [chat, box, state], show_progress="minimal")
        new.click(clear, None, [chat, box, state])
        # 👍/👎 from the answers' own buttons: ui.js fills the hidden box with {"turn", "rating", "reason"} and clicks
        rating = gr.Textbox(visible="hidden", elem_id="fb-payload", label="評価", max_lines=1)
        gr.Button("評価を送る", visible="hidden", elem_id="fb-send").click(rate, [rating, state], None,
                                                                       show_progress="hidden")
    return demo
