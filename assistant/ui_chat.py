"""The conversation as HTML: welcome, turns (question, answer, sources, next questions, feedback)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as E

from .models import Answer, Citation
from .ui_render import TEXT, body_html, csv_link, label, list_view_link, sources_html

MAX_SUGGESTIONS = 3


@dataclass
class Turn:
    """One question and what came back: an answer, or a message to show instead."""

    question: str
    answer: Answer | None = None
    error: str = ""
    n: int = 0  # the turn's number in its conversation (kept when older turns are dropped); 0: by position

    def to_state(self) -> dict:
        """A JSON-able dict for gr.State."""
        return {"question": self.question, "answer": self.answer.model_dump() if self.answer else None,
                "error": self.error, "n": self.n}

    @classmethod
    def from_state(cls, d: dict) -> Turn:
        """Back from gr.State."""
        return cls(d["question"], Answer.model_validate(d["answer"]) if d.get("answer") else None, d.get("error", ""),
                   int(d.get("n") or 0))


def about(title: str, lang: str) -> str:
    """A question that asks about one initiative by its name."""
    return f"Tell me about 「{title}」" if lang == "en" else f"「{title}」について教えて"


def follow_ups(answer: Answer) -> list[str]:
    """Next questions worth asking after an answer, built from what it cites (Dify-style suggestions)."""
    if not answer.grounded or answer.kind == "candidates":
        return list(answer.suggestions[:MAX_SUGGESTIONS])
    en = answer.language == "en"
    inis = [c for c in answer.citations if c.kind == "initiative"]
    kpis = [c for c in answer.citations if c.kind == "kpi"]
    out: list[str] = []
    if answer.kind in ("list", "count"):
        out += [about(c.title, answer.language) for c in inis[:2]]
    elif inis:
        dep = inis[0].departments[0] if inis[0].departments else ""
        if dep:
            out.append(f"What else does {dep} do?" if en else f"{dep}の取組をすべて教えて")
        if kpis and answer.kind != "kpi":
            out.append(f"What is the target of 「{kpis[0].title}」?" if en else f"「{kpis[0].title}」の目標は？")
        out += [about(c.title, answer.language) for c in inis[1:3]]
    if len(out) < MAX_SUGGESTIONS:
        out += [q for q in TEXT["welcome"]["staff"][:2] if not en]
    return list(dict.fromkeys(out))[:MAX_SUGGESTIONS]


def candidates(answer: Answer) -> list[Citation]:
    """The initiatives an answer offers to choose from."""
    return [c for c in answer.citations if c.kind == "initiative"] if answer.kind == "candidates" else []


def ask_buttons(questions: list[str], cls: str, heading: str) -> str:
    """Buttons that ask a question at once (ui.js puts it in the box and sends it)."""
    if not questions:
        return ""
    items = "".join(f'<li><button type="button" class="ask" data-q="{E(q)}">{E(q)}</button></li>'
                    for q in questions)
    return f'<div class="{cls}"><h3>{E(heading)}</h3><ul>{items}</ul></div>'


def candidate_buttons(answer: Answer) -> str:
    """One button per offered initiative, asking about it."""
    lang = answer.language
    items = "".join(f'<li><button type="button" class="ask" data-q="{E(about(c.title, lang))}">{E(c.title)}'
                    "</button></li>" for c in candidates(answer))
    return f'<div class="choices"><h3>{E(label(lang, "candidates"))}</h3><ul>{items}</ul></div>' if items else ""


def feedback_bar(turn: Turn, n: int) -> str:
    """👍/👎 for an answer (ui.js sends the turn number; the server knows what the turn said)."""
    if turn.answer is None:
        return ""
    lang = turn.answer.language
    return (f'<div class="feedback" data-turn="{n}">'
            f'<button type="button" class="fb" data-rating="up">{E(label(lang, "up"))}</button>'
            f'<button type="button" class="fb" data-rating="down">{E(label(lang, "down"))}</button>'
            '<span class="fb-status" role="status"></span></div>')


def answer_html(turn: Turn, n: int) -> str:
    """The assistant's side of a turn."""
    a = turn.answer
    if a is None:
        return f'<div class="bot error"><p class="headline">{E(turn.error)}</p></div>'
    lang = a.language
    badge = (f'<span class="badge ok">{E(label(lang, "grounded"))}</span>' if a.grounded
             else f'<span class="badge no">{E(label(lang, "not_grounded"))}</span>')
    return (f'<div class="bot" lang="{lang}">{badge}<div class="text">{body_html(a, n)}</div>{csv_link(a)}{list_view_link(a)}'
            f"{candidate_buttons(a)}{sources_html(a.citations, n, lang)}"
            f'{ask_buttons(follow_ups(a), "next", label(lang, "suggested"))}{feedback_bar(turn, n)}</div>')


def turn_html(turn: Turn, n: int) -> str:
    """One question and its answer as an <article>."""
    lang = turn.answer.language if turn.answer else "ja"
    return (f'<article class="turn" id="turn-{n}" data-turn="{n}" aria-label="{E(label(lang, "assistant"))} {n}">'
            f'<div class="user"><span class="sr">{E(label(lang, "you"))}: </span><span class="q">{E(turn.question)}</span></div>'
            f"{answer_html(turn, n)}</article>")


def welcome_html() -> str:
    """The first message: what the assistant does, examples for citizens first, then for staff."""
    w = TEXT["welcome"]
    return (f'<article class="turn welcome"><div class="bot"><p class="headline">{E(w["text"])}</p>'
            f'{ask_buttons(w["citizens"], "examples", "よくある質問（市民の方）")}'
            f'{ask_buttons(w["staff"], "examples", "職員・事業者の方向け")}</div></article>')


def log_html(turns: list[Turn]) -> str:
    """The whole conversation: welcome first, then every turn."""
    return '<h2 class="sr">会話</h2>' + welcome_html() + "".join(turn_html(t, t.n or n) for n, t in enumerate(turns, 1))
