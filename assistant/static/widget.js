/* 金沢市DXアクションプラン2.0 アシスタント — embeddable chat widget.
 * Usage: <script src="https://HOST/widget.js" data-title="DXの質問窓口" data-color="#0b4f8a" defer></script>
 * Talks to /api/ask on the script's own origin and sends only the last user turns as history.
 * Everything from the server is inserted as text (textContent), never as HTML. */
(function () {
  "use strict";
  if (window.__kanazawaDxWidget) return;
  window.__kanazawaDxWidget = true;
  var script = document.currentScript || document.querySelector('script[src$="widget.js"]');
  var origin = new URL(script && script.src ? script.src : window.location.href).origin;
  var data = (script && script.dataset) || {};
  var title = (data.title || "DXアクションプラン アシスタント").slice(0, 60);
  var color = data.color && window.CSS && CSS.supports("color", data.color) ? data.color : "#0b4f8a";
  var HISTORY_TURNS = 2; // as assistant/limits.py: the engine reads no more earlier user turns
  var FIRST_SOURCES = 5;
  var EXAMPLES = ["ごみ分別アプリの担当課は？", "かなパスって何？", "2026年度に新しく始まる取組は？"];
  var TEXT = {
    ja: { sources: "出典", more: "すべて表示", no: "※ プランに記載のない質問です", choose: "どの取組ですか？",
      next: "こちらもどうぞ", open: "全画面で出典を開く", list: "この条件で一覧を開く" },
    en: { sources: "Sources", more: "Show all", no: "Not covered by the plan", choose: "Which initiative do you mean?",
      next: "You could ask", open: "Open the source in the full assistant", list: "Open these rows as a table" }
  };
  var asked = [];

  var css = [
    ".kdx-bubble{position:fixed;right:16px;bottom:16px;z-index:2147483000;width:60px;height:60px;border-radius:50%;",
    "border:none;background:var(--kdx-c);color:#fff;cursor:pointer;box-shadow:0 4px 12px rgba(0,0,0,.3);",
    "display:flex;align-items:center;justify-content:center;padding:0}",
    ".kdx-bubble svg{width:30px;height:30px}",
    ".kdx-bubble:focus-visible,.kdx-panel :focus-visible{outline:3px solid #b45309;outline-offset:2px}",
    ".kdx-panel{position:fixed;right:16px;bottom:88px;z-index:2147483000;width:min(400px,calc(100vw - 16px));",
    "height:min(600px,calc(100vh - 104px));display:flex;flex-direction:column;background:#fff;color:#1a2433;",
    "border-radius:12px;box-shadow:0 8px 24px rgba(0,0,0,.3);font:15px/1.65 system-ui,'Hiragino Sans','Noto Sans CJK JP',sans-serif;overflow:hidden}",
    ".kdx-panel[hidden]{display:none}",
    "@media (max-width:440px){.kdx-panel{right:8px;left:8px;width:auto;bottom:84px;height:calc(100vh - 96px)}}",
    ".kdx-head{display:flex;align-items:center;gap:4px;padding:2px 4px 2px 12px;background:var(--kdx-c);color:#fff}",
    ".kdx-head h2{font-size:16px;margin:0;flex:1;color:#fff}",
    ".kdx-head button{min-width:44px;height:44px;background:none;border:none;color:#fff;font:inherit;cursor:pointer;border-radius:6px}",
    ".kdx-head .kdx-x{font-size:24px;line-height:1}",
    ".kdx-log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:10px;scroll-behavior:smooth}",
    "@media (prefers-reduced-motion:reduce){.kdx-log{scroll-behavior:auto}}",
    ".kdx-msg{padding:8px 10px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere;max-width:94%}",
    ".kdx-user{align-self:flex-end;background:#e3eef9}.kdx-bot{align-self:flex-start;background:#f2f4f7}",
    ".kdx-note{font-size:13px;color:#7c2d12;font-weight:700}",
    ".kdx-src{margin:6px 0 0;padding-left:0;list-style:none;font-size:13px;white-space:normal}",
    ".kdx-src li{margin:2px 0}.kdx-src a{color:#0b4f8a;display:inline-block;min-height:24px}",
    ".kdx-h{font-size:13px;font-weight:700;margin:6px 0 2px;white-space:normal}",
    ".kdx-asks{display:flex;flex-wrap:wrap;gap:6px;margin-top:4px;white-space:normal}",
    ".kdx-ask{min-height:44px;padding:6px 12px;border:1px solid #0b4f8a;border-radius:22px;background:#fff;color:#0b4f8a;",
    "font:inherit;font-size:14px;text-align:left;cursor:pointer}",
    ".kdx-more{min-height:44px;background:none;border:none;color:#0b4f8a;font:inherit;font-size:13px;font-weight:700;cursor:pointer;padding:0}",
    ".kdx-form{display:flex;gap:6px;padding:8px;border-top:1px solid #c3ccd8}",
    ".kdx-form textarea{flex:1;resize:none;height:44px;padding:8px;border:1px solid #6b7787;border-radius:6px;font:inherit;font-size:16px}",
    ".kdx-form button{min-width:64px;min-height:44px;padding:0 14px;border:none;border-radius:6px;background:var(--kdx-c);color:#fff;font:inherit;cursor:pointer}",
    ".kdx-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"
  ].join("");
  var ICON_PATH = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z";

  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor"); path.setAttribute("d", ICON_PATH);
    svg.appendChild(path);
    return svg;
  }

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
      "aria-expanded": "false", "aria-controls": "kdx-panel" });
    bubble.appendChild(icon());
    var panel = el("section", { id: "kdx-panel", class: "kdx-panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "kdx-title", hidden: "" });
    [bubble, panel].forEach(function (n) { n.style.setProperty("--kdx-c", color); });
    var head = el("div", { class: "kdx-head" });
    head.appendChild(el("h2", { id: "kdx-title" }, title));
    var fresh = el("button", { type: "button", class: "kdx-new" }, "新しい会話");
    var close = el("button", { type: "button", class: "kdx-x", "aria-label": "閉じる" }, "×");
    head.appendChild(fresh); head.appendChild(close);
    var log = el("div", { class: "kdx-log", role: "log", "aria-live": "polite", "aria-label": "会話（矢印キーでスクロールできます）",
      tabindex: "0" });
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
      return msg;
    }

    function askButtons(parent, heading, questions) {
      if (!questions.length) return;
      parent.appendChild(el("p", { class: "kdx-h" }, heading));
      var box = el("div", { class: "kdx-asks" });
      questions.forEach(function (q) { box.appendChild(el("button", { type: "button", class: "kdx-ask", "data-q": q }, q)); });
      parent.appendChild(box);
    }

    function welcome() {
      log.textContent = "";
      asked = [];
      var msg = add("kdx-bot", "金沢市DXアクションプラン2.0の取組の担当課・予定・目標などにお答えします。");
      askButtons(msg, "質問の例", EXAMPLES);
    }
    welcome();
    fresh.addEventListener("click", function () { welcome(); input.value = ""; input.focus(); });

    function withMarkers(text, citations) {
      var lines = text.split("\n");
      citations.forEach(function (c, i) {
        var at = lines.findIndex(function (l) { return l.indexOf("「" + c.title + "」") >= 0; });
        lines[at < 0 ? 0 : at] += " [" + (i + 1) + "]";
      });
      return lines.join("\n");
    }

    function sourceLink(c, n, q, t) {
      // Ask the full UI about the record itself (a follow-up like 「その課は？」 means nothing there without its history).
      var ask = c.kind === "initiative" ? about(c.title, t === TEXT.en) : c.kind === "kpi" ? "「" + c.title + "」の目標は？" : q;
      var url = origin + "/?q=" + encodeURIComponent(ask) + "&source=" + encodeURIComponent(c.id);
      var where = [c.page ? "p." + c.page : "", c.line ? (t === TEXT.en ? "line " + c.line : c.line + "行目") : ""].filter(Boolean).join("・");
      var li = el("li");
      var a = el("a", { href: url, target: "_blank", rel: "noopener", title: t.open },
        "[" + n + "] " + c.title + (c.departments && c.departments.length ? "（" + c.departments.join("、") + "）" : "") +
        (where ? " " + where : ""));
      li.appendChild(a);
      return li;
    }

    function sources(msg, a, q, t) {
      var cites = a.citations || [];
      if (!cites.length) return;
      msg.appendChild(el("p", { class: "kdx-h" }, t.sources));
      var list = el("ol", { class: "kdx-src" });
      cites.forEach(function (c, i) {
        var li = sourceLink(c, i + 1, q, t);
        if (i >= FIRST_SOURCES) li.hidden = true;
        list.appendChild(li);
      });
      msg.appendChild(list);
      if (cites.length > FIRST_SOURCES) {
        var more = el("button", { type: "button", class: "kdx-more", "aria-expanded": "false" }, t.more + " (" + cites.length + ")");
        more.addEventListener("click", function () {
          list.querySelectorAll("li[hidden]").forEach(function (li) { li.hidden = false; });
          more.remove();
        });
        msg.appendChild(more);
      }
    }

    function about(title, en) { return en ? "Tell me about 「" + title + "」" : "「" + title + "」について教えて"; }

    function followUps(a) {
      // The same rules as the full UI's follow_ups (assistant/ui_chat.py): built from what the answer cites.
      if (!a.grounded || a.kind === "candidates") return (a.suggestions || []).slice(0, 3);
      var en = a.language === "en";
      var cites = a.citations || [];
      var inis = cites.filter(function (c) { return c.kind === "initiative"; });
      var kpis = cites.filter(function (c) { return c.kind === "kpi"; });
      var out = [];
      if (a.kind === "list" || a.kind === "count") {
        inis.slice(0, 2).forEach(function (c) { out.push(about(c.title, en)); });
      } else if (inis.length) {
        var dep = (inis[0].departments || [])[0];
        if (dep) out.push(en ? "What else does " + dep + " do?" : dep + "の取組をすべて教えて");
        if (kpis.length && a.kind !== "kpi") out.push(en ? "What is the target of 「" + kpis[0].title + "」?" : "「" + kpis[0].title + "」の目標は？");
        inis.slice(1, 3).forEach(function (c) { out.push(about(c.title, en)); });
      }
      return out.filter(function (q, i) { return out.indexOf(q) === i; }).slice(0, 3);
    }

    function show(pending, a, q) {
      var t = TEXT[a.language] || TEXT.ja;
      pending.textContent = withMarkers(a.text, a.citations || []);
      pending.setAttribute("lang", a.language || "ja");
      if (!a.grounded) pending.appendChild(el("div", { class: "kdx-note" }, t.no));
      if (a.kind === "candidates") {
        askButtons(pending, t.choose, (a.citations || []).filter(function (c) { return c.kind === "initiative"; })
          .map(function (c) { return about(c.title, a.language === "en"); }));
      }
      if (a.list_url && /^list\?[\w%=&.*-]*$/.test(a.list_url)) {  // the same rows in the list view (our own URL only)
        var p = el("p", { class: "kdx-list" });
        p.appendChild(el("a", { href: origin + "/" + a.list_url, target: "_blank", rel: "noopener" }, t.list));
        pending.appendChild(p);
      }
      sources(pending, a, q, t);
      askButtons(pending, t.next, followUps(a));
    }

    function submit(q) {
      q = (q || "").trim();
      if (!q) return;
      input.value = "";
      add("kdx-user", q);
      var pending = add("kdx-bot", "回答を作成しています…");
      pending.scrollIntoView({ block: "start" });
      send.disabled = true;
      var history = asked.slice(-HISTORY_TURNS).map(function (u) { return { role: "user", content: u }; });
      fetch(origin + "/api/ask", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ question: q, history: history }) })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (res) {
          if (!res.ok) { pending.textContent = (res.body.error && res.body.error.message_ja) || "エラーが発生しました。"; return; }
          show(pending, res.body, q);
          asked.push(q);
        })
        .catch(function () { pending.textContent = "通信エラーが発生しました。時間をおいて再度お試しください。"; })
        .then(function () {
          send.disabled = false;
          log.scrollTop = Math.max(0, pending.offsetTop - log.offsetTop - 8);  // the answer's first line, not its end
        });
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); submit(input.value); });
    log.addEventListener("click", function (e) {
      var b = e.target instanceof Element ? e.target.closest(".kdx-ask") : null;
      if (b) submit(b.getAttribute("data-q"));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build); else build();
})();
