/* 金沢市DXアクションプラン2.0 アシスタント — embeddable chat widget.
 * Usage: <script src="https://HOST/widget.js" defer></script>
 * Talks to /api/ask on the script's own origin. Answers are inserted as text, never as HTML. */
(function () {
  "use strict";
  if (window.__kanazawaDxWidget) return;
  window.__kanazawaDxWidget = true;
  var script = document.currentScript || document.querySelector('script[src$="widget.js"]');
  var origin = new URL(script && script.src ? script.src : window.location.href).origin;
  var history = [];

  var css = [
    ".kdx-bubble{position:fixed;right:16px;bottom:16px;z-index:2147483000;width:56px;height:56px;border-radius:50%;",
    "border:none;background:#0b5cad;color:#fff;font-size:24px;cursor:pointer;box-shadow:0 4px 12px rgba(0,0,0,.3)}",
    ".kdx-bubble:focus-visible,.kdx-panel button:focus-visible,.kdx-panel textarea:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}",
    ".kdx-panel{position:fixed;right:16px;bottom:84px;z-index:2147483000;width:min(380px,calc(100vw - 16px));",
    "height:min(560px,calc(100vh - 100px));display:flex;flex-direction:column;background:#fff;color:#1f2328;",
    "border-radius:12px;box-shadow:0 8px 24px rgba(0,0,0,.3);font:14px/1.6 system-ui,sans-serif;overflow:hidden}",
    ".kdx-panel[hidden]{display:none}",
    "@media (max-width:420px){.kdx-panel{right:8px;left:8px;width:auto;bottom:80px}}",
    ".kdx-head{display:flex;align-items:center;justify-content:space-between;padding:8px 12px;background:#0b5cad;color:#fff}",
    ".kdx-head h2{font-size:15px;margin:0}.kdx-head button{background:none;border:none;color:#fff;font-size:20px;cursor:pointer}",
    ".kdx-log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:8px}",
    ".kdx-msg{padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-break:break-word;max-width:92%}",
    ".kdx-user{align-self:flex-end;background:#e7f0fb}.kdx-bot{align-self:flex-start;background:#f3f4f6}",
    ".kdx-note{font-size:12px;color:#9a3412}.kdx-cite{font-size:12px;color:#57606a;margin-top:4px}",
    ".kdx-form{display:flex;gap:6px;padding:8px;border-top:1px solid #d0d7de}",
    ".kdx-form textarea{flex:1;resize:none;height:44px;padding:6px;border:1px solid #8c959f;border-radius:6px;font:inherit}",
    ".kdx-form button{padding:0 14px;border:none;border-radius:6px;background:#0b5cad;color:#fff;cursor:pointer}",
    ".kdx-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function build() {
    var style = el("style");
    style.textContent = css;
    document.head.appendChild(style);

    var bubble = el("button", { type: "button", class: "kdx-bubble", "aria-label": "DXアクションプランについて質問する",
      "aria-expanded": "false", "aria-controls": "kdx-panel" }, "💬");
    var panel = el("section", { id: "kdx-panel", class: "kdx-panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "kdx-title", hidden: "" });
    var head = el("div", { class: "kdx-head" });
    head.appendChild(el("h2", { id: "kdx-title" }, "DXアクションプラン アシスタント"));
    var close = el("button", { type: "button", "aria-label": "閉じる" }, "×");
    head.appendChild(close);
    var log = el("div", { class: "kdx-log", role: "log", "aria-live": "polite", "aria-label": "会話" });
    log.appendChild(el("div", { class: "kdx-msg kdx-bot" },
      "金沢市DXアクションプラン2.0の取組の担当課・予定・目標などにお答えします。例: 「かなパスの担当課は？」"));
    var form = el("form", { class: "kdx-form" });
    var label = el("label", { for: "kdx-input", class: "kdx-sr" }, "質問");
    var input = el("textarea", { id: "kdx-input", maxlength: "1000", placeholder: "質問を入力（Enterで送信）" });
    var send = el("button", { type: "submit" }, "送信");
    form.appendChild(label); form.appendChild(input); form.appendChild(send);
    panel.appendChild(head); panel.appendChild(log); panel.appendChild(form);
    document.body.appendChild(panel); document.body.appendChild(bubble);

    function open(show) {
      if (show) panel.removeAttribute("hidden"); else panel.setAttribute("hidden", "");
      bubble.setAttribute("aria-expanded", show ? "true" : "false");
      (show ? input : bubble).focus();
    }
    bubble.addEventListener("click", function () { open(panel.hasAttribute("hidden")); });
    close.addEventListener("click", function () { open(false); });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") open(false); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
    });

    function add(cls, text) {
      var msg = el("div", { class: "kdx-msg " + cls }, text);
      log.appendChild(msg);
      log.scrollTop = log.scrollHeight;
      return msg;
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var q = input.value.trim();
      if (!q) return;
      input.value = "";
      add("kdx-user", q);
      var pending = add("kdx-bot", "回答を作成しています…");
      send.disabled = true;
      fetch(origin + "/api/ask", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question: q, history: history.slice(-6) }) })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) { pending.textContent = (res.body.error && res.body.error.message_ja) || "エラーが発生しました。"; return; }
          var a = res.body;
          pending.textContent = a.text;
          if (!a.grounded) pending.appendChild(el("div", { class: "kdx-note" }, "※ プランに記載のない質問です"));
          (a.citations || []).slice(0, 5).forEach(function (c) {
            var deps = c.departments && c.departments.length ? "（" + c.departments.join("、") + "）" : "";
            pending.appendChild(el("div", { class: "kdx-cite" }, "出典: " + c.title + deps + " — " + c.location));
          });
          history.push({ role: "user", content: q }, { role: "assistant", content: a.text });
        })
        .catch(function () { pending.textContent = "通信エラーが発生しました。時間をおいて再度お試しください。"; })
        .then(function () { send.disabled = false; log.scrollTop = log.scrollHeight; });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build); else build();
})();
