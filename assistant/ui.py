"""Gradio chat UI (Japanese first): streamed answers, citation cards, examples, feedback."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import gradio as gr

from .errors import AssistantError
from .feedback import Feedback, FeedbackStore
from .models import YEARS, Answer, Citation

EXAMPLES = [
    "ごみ分別アプリの担当課は？",
    "産業政策課の取組をすべて教えて",
    "電子申請サービスの利用件数の目標は？",
    "2026年度に新しく始まる取組は？",
    "Which department runs the hackathons?",
]
CSS = """
.cards {display:flex; flex-direction:column; gap:10px}
.card {border:1px solid #d0d7de; border-radius:10px; padding:10px 12px; background:#fff; color:#1f2328}
.card h4 {margin:0 0 4px; font-size:15px}
.card .meta {font-size:13px; color:#57606a; margin:2px 0}
.card table {border-collapse:collapse; width:100%; font-size:13px; margin-top:6px}
.card th, .card td {border:1px solid #d0d7de; padding:3px 6px; text-align:center}
.card blockquote {margin:6px 0 0; padding:4px 8px; border-left:3px solid #0969da; font-size:12px; color:#444;
  white-space:pre-wrap; word-break:break-all}
.badge {display:inline-block; padding:2px 8px; border-radius:12px; font-size:12px; font-weight:bold}
.badge.no {background:#fff1e5; color:#9a3412; border:1px solid #f97316}
.badge.ok {background:#dafbe1; color:#116329; border:1px solid #2da44e}
@media (max-width: 600px) {.card table {font-size:11px} .card th, .card td {padding:2px 3px}}
"""
E = html.escape


def card(c: Citation) -> str:
    """One citation as an HTML card; every value is escaped."""
    parts = [f'<div class="card" data-citation="{E(c.id)}"><h4>{E(c.title)}</h4>']
    if c.departments:
        parts.append(f'<p class="meta">担当課: {E("、".join(c.departments))}</p>')
    path = " › ".join(E(p) for p in (c.field, c.viewpoint, c.goal) if p)
    if path:
        parts.append(f'<p class="meta">{path}</p>')
    if c.department_years:
        head = "".join(f"<th>{y}年度</th>" for y in YEARS)
        rows = "".join(
            f"<tr><td>{E(dep)}</td>" + "".join(f"<td>{E(years.get(y) or '—')}</td>" for y in YEARS) + "</tr>"
            for dep, years in c.department_years.items()
        )
        parts.append(f"<table><tr><th>担当課</th>{head}</tr>{rows}</table>")
    parts.append(f"<blockquote>{E(c.quote)}</blockquote><p class=\"meta\">出典: {E(c.location)}</p></div>")
    return "".join(parts)


def cards_html(answer: Answer | None) -> str:
    """The grounding badge and citation cards under the answer."""
    if answer is None:
        return ""
    badge = ('<span class="badge ok">プランの記載に基づく回答</span>' if answer.grounded
             else '<span class="badge no">プランに記載のない質問です</span>')
    return f'<div class="cards" aria-label="出典">{badge}{"".join(card(c) for c in answer.citations)}</div>'


def _history(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Chatbot messages as plain role/content pairs for Assistant.ask."""
    out = []
    for m in messages or []:
        content = m.get("content", "")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
        out.append({"role": m.get("role", "user"), "content": html.unescape(str(content))})
    return out


def build_ui(bot: Any, feedback: FeedbackStore) -> gr.Blocks:
    """The Blocks app; it only calls bot.ask."""

    def respond(question: str, messages: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
        """Stream the answer into the chat, then show its citation cards."""
        messages = list(messages or [])
        history = _history(messages)
        # the user's words are shown as text, never as HTML
        messages.append({"role": "user", "content": E(question or "")})
        try:
            answer = bot.ask(question, history=history)
            text = answer.text
        except AssistantError as exc:
            answer, text = None, f"⚠️ {exc.detail}"
        messages.append({"role": "assistant", "content": ""})
        step = max(8, len(text) // 12)
        for end in range(step, len(text) + step, step):
            messages[-1]["content"] = E(text[:end])
            yield messages, "", ""
        yield messages, "", cards_html(answer)

    def on_like(data: gr.LikeData, messages: list[dict[str, Any]]) -> None:
        """Store 👍/👎 with the question that led to the rated answer."""
        idx = data.index[0] if isinstance(data.index, list | tuple) else data.index
        if not isinstance(idx, int) or idx >= len(messages or []):
            return
        question = next((m["content"] for m in reversed(messages[:idx]) if m.get("role") == "user"), "")
        answer = messages[idx].get("content", "")
        feedback.add(Feedback(question=html.unescape(str(question))[:2000], answer=html.unescape(str(answer))[:20000],
                              rating="up" if data.liked else "down", source="ui"))

    with gr.Blocks(title="金沢市DXアクションプラン2.0 アシスタント", analytics_enabled=False) as demo:
        gr.Markdown(
            "## 金沢市DXアクションプラン2.0 アシスタント\n"
            "プランに載っている取組の担当課・年度ごとの予定・目標(KPI)などにお答えします。"
            "回答の下に出典（プランの該当箇所）を表示します。"
        )
        chat = gr.Chatbot(label="会話", height=420, sanitize_html=True, render_markdown=False,
                          elem_id="chat", feedback_options=("Like", "Dislike"))
        with gr.Row(equal_height=True):
            box = gr.Textbox(label="質問", placeholder="例: かなパスの担当課は？", scale=5, max_lines=4,
                             elem_id="question", autofocus=True)
            send = gr.Button("送信", variant="primary", scale=1, min_width=80, elem_id="send")
        gr.Examples(EXAMPLES, inputs=box, label="質問の例")
        cards = gr.HTML(elem_id="citations", label="出典")
        clear = gr.Button("会話をクリア", size="sm")
        for trigger in (box.submit, send.click):
            trigger(respond, [box, chat], [chat, box, cards])
        chat.like(on_like, [chat], None)
        clear.click(lambda: ([], "", ""), None, [chat, box, cards])
    return demo
