"""The page around the UI: a calm municipal theme, self-hosted CSS/JS, and the HTML shell Gradio serves.

Gradio's index.html says lang="en", describes itself as "Gradio" in og tags and is blank without
JavaScript; PageShell rewrites that one HTML response (lang="ja", our og tags, a <noscript> note).
"""

from __future__ import annotations

import re

import gradio as gr
from starlette.middleware import Middleware

from .guards import ASGIApp, Message, Receive, Scope, Send
from .ui_render import STATIC

TITLE = "金沢市DXアクションプラン2.0 アシスタント"
DESCRIPTION = ("金沢市DXアクションプラン2.0（2026〜2029年度）の取組の担当課・年度ごとの予定・目標（KPI）に、"
               "プランの該当ページを示してお答えします。")
CSS = (STATIC / "ui.css").read_text(encoding="utf-8")
# Inline in <head> (Gradio's own shell uses inline scripts too); the file itself lives in static/, no CDN.
HEAD = f"<script>{(STATIC / 'ui.js').read_text(encoding='utf-8')}</script>"
NOSCRIPT = ('<noscript><div style="padding:16px;font:16px/1.7 sans-serif;color:#1a2433;background:#fff">'
            f"<h1 style=\"font-size:20px\">{TITLE}</h1><p>このページを使うには JavaScript を有効にしてください。"
            "JavaScript を使わずに質問するには、<code>POST /api/ask</code>（JSON）をご利用ください。</p>"
            "<p lang=\"en\">Please turn on JavaScript to use this assistant.</p></div></noscript>")
META = (f'<meta name="description" content="{DESCRIPTION}" />'
        f'<meta property="og:title" content="{TITLE}" /><meta property="og:description" content="{DESCRIPTION}" />'
        '<meta property="og:type" content="website" /><meta property="og:locale" content="ja_JP" />'
        f'<meta name="twitter:card" content="summary" /><meta name="twitter:title" content="{TITLE}" />'
        f'<meta name="twitter:description" content="{DESCRIPTION}" />')
_SOCIAL = re.compile(r'<meta\s+(?:property|name)="(?:og|twitter):[^"]*"\s+content="[^"]*"\s*/?>', re.S)



def theme() -> gr.themes.Base:
    """A calm city theme: deep blue, slate greys, system Japanese fonts (nothing fetched from a CDN)."""
    fonts = ["system-ui", "-apple-system", "Hiragino Sans", "Noto Sans CJK JP", "Noto Sans JP", "Meiryo", "sans-serif"]
    return gr.themes.Base(primary_hue="blue", secondary_hue="sky", neutral_hue="slate", radius_size="md",
                          font=fonts, font_mono=["ui-monospace", "monospace"]).set(
        button_primary_background_fill="#0b4f8a", button_primary_background_fill_hover="#083d6b",
        button_primary_text_color="#ffffff", button_primary_background_fill_dark="#7cb8f0",
        button_primary_background_fill_hover_dark="#a5cff5", button_primary_text_color_dark="#0b1622",
        body_text_color="#1a2433", body_text_color_subdued="#4a5668", body_text_color_dark="#e6edf5",
        body_text_color_subdued_dark="#b8c4d2", body_background_fill="#f4f7fa",
        body_background_fill_dark="#0f1720", block_background_fill="#ffffff",
        block_background_fill_dark="#16212d", input_background_fill="#ffffff",
        input_background_fill_dark="#0f1a26", block_label_text_color="#1a2433",
        block_label_text_color_dark="#e6edf5", block_title_text_color="#1a2433",
        block_title_text_color_dark="#e6edf5",
    )


def rewrite(html: str) -> str:
    """Gradio's page shell in Japanese: lang="ja", our og/twitter tags instead of Gradio's, a <noscript> note."""
    html = html.replace('lang="en"', 'lang="ja"', 1)
    html = _SOCIAL.sub("", html)
    html = html.replace("<head>", f"<head>{META}", 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + NOSCRIPT, html, count=1)


class PageShell:
    """ASGI middleware for Gradio's app: rewrites the HTML page at / and passes everything else through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Buffer and rewrite only text/html answers to GET /."""
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path", "") not in ("/", ""):
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if not headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = {"passthrough": True}
                    await send(message)
                    return
                start = message
                return
            if start.get("passthrough") or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                body = rewrite(b"".join(chunks).decode("utf-8")).encode("utf-8")
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


MIDDLEWARE = [Middleware(PageShell)]
