/* 金沢市DXアクションプラン2.0 アシスタント — the chat page's behaviour, by event delegation (no inline handlers).
 * Buttons with data-q ask at once; [n] markers open their source; 👍/👎 go through a hidden Gradio event;
 * a new answer is scrolled to its start (so a long list's headline stays in view); lang stays "ja". */
(function () {
  "use strict";
  if (window.__kdxUi) return;
  window.__kdxUi = true;
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var TEXT = {
    ja: { reasons: ["回答がまちがっている", "出典が合っていない", "質問を理解していない", "わかりにくい", "その他"],
      reason: "理由", note: "よろしければ詳しく（任意）", noteLabel: "詳しい理由（任意）", submit: "送信する",
      thanks: "ご意見ありがとうございました。", failed: "送信できませんでした。" },
    en: { reasons: ["The answer is wrong", "The source does not match", "It misread my question", "Hard to understand", "Other"],
      reason: "Reason", note: "Tell us more (optional)", noteLabel: "More detail (optional)", submit: "Send",
      thanks: "Thank you for your feedback.", failed: "Could not send." }
  };

  function textFor(node) {
    var bot = node.closest(".bot");
    return TEXT[(bot && bot.getAttribute("lang")) || "ja"] || TEXT.ja;
  }

  function keepJapanese() {
    var root = document.documentElement;
    if (root.lang !== "ja") root.lang = "ja";
  }
  keepJapanese();
  new MutationObserver(keepJapanese).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });

  function ask(q) {
    var box = document.querySelector("#question textarea");
    var send = document.getElementById("send");
    if (!box || !send || !q) return;
    setBox(box, q);
    setTimeout(function () { send.click(); }, 50);
  }

  function openSource(li) {
    if (!li) return;
    var more = li.closest("details.more");
    if (more) more.open = true;
    var details = li.querySelector("details");
    if (details) details.open = true;
    li.classList.add("open");
    li.scrollIntoView({ block: "center", behavior: reduced ? "auto" : "smooth" });
    var summary = li.querySelector("summary");
    if (summary) summary.focus({ preventScroll: true });
  }

  function setBox(box, value) {
    // the native setter of the element's own kind (<textarea> or <input>), so Gradio's listeners see the change
    Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), "value").set.call(box, value);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function postFeedback(bar, rating, reason) {
    // Through the UI's own (hidden) Gradio event: the server stores the turn's question and answer itself.
    var box = document.querySelector("#fb-payload textarea, #fb-payload input");
    var send = document.getElementById("fb-send");
    var t = textFor(bar);
    var status = bar.querySelector(".fb-status");
    if (!box || !send) { status.textContent = t.failed; return; }
    setBox(box, JSON.stringify({ turn: Number(bar.getAttribute("data-turn")), rating: rating, reason: reason || "" }));
    setTimeout(function () { send.click(); status.textContent = t.thanks; }, 50);
    bar.querySelectorAll("button.fb").forEach(function (b) { b.disabled = true; });
    var form = bar.querySelector(".fb-form");
    if (form) form.remove();
  }

  function reasonForm(bar) {
    if (bar.querySelector(".fb-form")) return;
    var t = textFor(bar);
    var form = document.createElement("form");
    form.className = "fb-form";
    var id = "fb-reason-" + bar.getAttribute("data-turn");
    var lab = document.createElement("label");
    lab.setAttribute("for", id);
    lab.textContent = t.reason;
    var select = document.createElement("select");
    select.id = id;
    t.reasons.forEach(function (r) { var o = document.createElement("option"); o.textContent = r; select.appendChild(o); });
    var note = document.createElement("input");
    note.type = "text"; note.maxLength = 300; note.placeholder = t.note;
    note.setAttribute("aria-label", t.noteLabel);
    var submit = document.createElement("button");
    submit.type = "submit"; submit.textContent = t.submit;
    form.append(lab, select, note, submit);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      postFeedback(bar, "down", select.value + (note.value.trim() ? "：" + note.value.trim() : ""));
    });
    bar.appendChild(form);
    select.focus();
  }

  document.addEventListener("click", function (e) {
    var t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    var askBtn = t.closest("#chat button.ask");
    if (askBtn) { ask(askBtn.getAttribute("data-q")); return; }
    var ref = t.closest("#chat a.ref");
    if (ref) {
      e.preventDefault();
      openSource(document.getElementById(ref.getAttribute("href").slice(1)));
      return;
    }
    var fb = t.closest("#chat button.fb");
    if (fb) {
      var bar = fb.closest(".feedback");
      if (fb.getAttribute("data-rating") === "up") postFeedback(bar, "up", ""); else reasonForm(bar);
    }
  });

  var seen = 0;
  var params = new URLSearchParams(window.location.search);
  var wantSource = params.get("source");

  function onChatChange() {
    var turns = document.querySelectorAll("#chat article.turn[data-turn]");
    if (turns.length > seen) {
      var last = turns[turns.length - 1];
      last.scrollIntoView({ block: "start", behavior: reduced ? "auto" : "smooth" });
      var headline = last.querySelector(".bot .headline");
      var announce = document.getElementById("announce");  // screen readers hear the new answer's first line
      if (announce && headline) announce.textContent = headline.textContent;
    }
    seen = turns.length;
    if (wantSource && turns.length) {  // ?source=ID (the widget's source links): open it once it is drawn
      var li = turns[turns.length - 1].querySelector('.sources li[data-id="' + CSS.escape(wantSource) + '"]');
      var details = li && li.querySelector("details");
      if (details && !details.open) openSource(li);
      if (li) setTimeout(function () { wantSource = null; }, 2000);
    }
  }

  function askWhenReady(q, tries) {
    // Gradio may not listen yet right after the first paint (and may reset the box): ask again until answered.
    if (document.querySelector("#chat article.turn[data-turn]") || tries > 10) return;
    ask(q);
    setTimeout(function () { askWhenReady(q, tries + 1); }, 1500);
  }

  function start() {
    var chat = document.getElementById("chat");
    var box = document.querySelector("#question textarea");
    if (!chat || !box) { setTimeout(start, 100); return; }
    new MutationObserver(onChatChange).observe(chat, { childList: true, subtree: true });
    var q = params.get("q");
    if (q) askWhenReady(q.slice(0, 1000), 0);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
