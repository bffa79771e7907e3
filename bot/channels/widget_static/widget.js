/*
 * Support chat widget. One tag adds it to any page:
 *   <script src="https://BOT-HOST/webhooks/widget/widget.js" defer></script>
 * Optional attributes: data-title="Поддержка", data-open="true".
 *
 * Vanilla JS, no dependencies, loads nothing but its own stylesheet from the
 * same server. Talks to the bot's socket.io endpoint through a minimal
 * Socket.IO v5 / Engine.IO v4 client over a WebSocket (open, connect, ping/pong,
 * events), speaking Rasa's events: session_request/session_confirm,
 * user_uttered, bot_uttered, plus session_history (the conversation so far,
 * from the server, when a stored session is resumed). The session id and a copy
 * of the conversation are kept in localStorage, so a reload shows the history
 * at once and continues the conversation, and the server's history then adds
 * what an agent wrote while the page was closed; a dropped connection is
 * retried with back-off.
 */
(function () {
  "use strict";
  if (window.SupportWidget) return;

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var base = new URL(script.src, location.href);
  var root = base.href.replace(/widget\.js(\?.*)?$/, "");
  var wsUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/socket.io/?EIO=4&transport=websocket";
  var title = script.getAttribute("data-title") || "Поддержка";
  var KEY = "supportWidget:" + base.host;
  var MAX_HISTORY = 200;

  var store = {
    get: function (name, fallback) {
      try { var v = localStorage.getItem(KEY + ":" + name); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set: function (name, value) {
      try { localStorage.setItem(KEY + ":" + name, JSON.stringify(value)); } catch (e) { /* private mode */ }
    }
  };

  var sessionId = store.get("session", null);
  var history = store.get("history", []);
  var outbox = [];
  var ws = null, confirmed = false, retry = 0, retryTimer = null, pingTimer = null, typingTimer = null;

  // ---------------------------------------------------------------- the page
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = root + "widget.css";
  document.head.appendChild(css);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var launcher = el("button", "sw-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-label", "Открыть чат поддержки");
  launcher.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';

  var panel = el("section", "sw-panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title);
  panel.hidden = true;
  var header = el("header", "sw-header");
  header.appendChild(el("span", "sw-title", title));
  var status = el("span", "sw-status", "");
  header.appendChild(status);
  var closeBtn = el("button", "sw-close", "×");
  closeBtn.type = "button";
  closeBtn.setAttribute("aria-label", "Закрыть чат");
  header.appendChild(closeBtn);
  var log = el("div", "sw-log");
  log.setAttribute("aria-live", "polite");
  var typing = el("div", "sw-typing");
  typing.innerHTML = "<span></span><span></span><span></span>";
  typing.setAttribute("aria-label", "Бот печатает");
  typing.hidden = true;
  var form = el("form", "sw-form");
  var input = el("input", "sw-input");
  input.type = "text";
  input.placeholder = "Напишите сообщение…";
  input.setAttribute("aria-label", "Сообщение");
  input.autocomplete = "off";
  var send = el("button", "sw-send", "➤");
  send.type = "submit";
  send.setAttribute("aria-label", "Отправить");
  // The paperclip: a screenshot or a file for the customer's open request.
  var attach = el("button", "sw-attach", "📎");
  attach.type = "button";
  attach.setAttribute("aria-label", "Прикрепить файл");
  var picker = el("input", "sw-file");
  picker.type = "file";
  picker.hidden = true;
  picker.accept = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain";
  form.appendChild(attach);
  form.appendChild(picker);
  form.appendChild(input);
  form.appendChild(send);
  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(form);

  function mount() {
    document.body.appendChild(panel);
    document.body.appendChild(launcher);
    history.forEach(function (item, i) { render(item, i === history.length - 1); });
    if (script.getAttribute("data-open") === "true" || store.get("open", false)) open();
  }

  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    store.set("open", true);
    connect();
    scrollDown();
    input.focus();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    store.set("open", false);
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function clearButtons() {
    var old = log.querySelectorAll(".sw-buttons");
    for (var i = 0; i < old.length; i++) old[i].parentNode.removeChild(old[i]);
  }

  function render(item, withButtons) {
    var row = el("div", "sw-msg sw-" + item.from + (item.agent ? " sw-agent" : ""));
    if (item.agent) row.appendChild(el("div", "sw-agent-name", item.agent + " · оператор"));
    if (item.text) row.appendChild(el("div", "sw-bubble", item.text));
    if (item.image) {
      var img = el("img", "sw-image");
      img.src = item.image;
      img.alt = "";
      row.appendChild(img);
    }
    log.appendChild(row);
    if (withButtons && item.buttons && item.buttons.length) {
      var box = el("div", "sw-buttons");
      item.buttons.forEach(function (b) {
        var btn = el("button", "sw-button", b.title);
        btn.type = "button";
        btn.addEventListener("click", function () { say(b.title, b.payload); });
        box.appendChild(btn);
      });
      log.appendChild(box);
    }
    scrollDown();
  }

  function remember(item) {
    history.push(item);
    if (history.length > MAX_HISTORY) history = history.slice(-MAX_HISTORY);
    store.set("history", history);
    clearButtons();
    render(item, true);
  }

  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(function () { typing.hidden = true; }, 20000);
    scrollDown();
  }

  function say(text, payload) {
    text = (text || "").trim();
    if (!text) return;
    var item = { from: "user", text: text };
    remember(item);
    outbox.push({ message: payload || text, item: item });
    showTyping(true);
    flush();
  }

  function upload(file) {
    if (!sessionId) return;
    remember({ from: "user", text: "📎 " + file.name });
    var body = new FormData();
    body.append("session_id", sessionId);
    body.append("file", file, file.name);
    fetch(root + "upload", { method: "POST", body: body })
      .then(function (r) { return r.json(); })
      .then(function (d) { remember({ from: "bot", text: d.text || d.error || "", buttons: [] }); })
      .catch(function () { remember({ from: "bot", text: "Не получилось отправить файл. Попробуйте ещё раз.", buttons: [] }); });
  }

  // ------------------------------------------------- socket.io over WebSocket
  function setStatus(text) { status.textContent = text; }

  function emit(name, data) { ws.send("42" + JSON.stringify([name, data])); }

  function flush() {
    while (confirmed && ws && ws.readyState === 1 && outbox.length) {
      emit("user_uttered", { message: outbox.shift().message, session_id: sessionId });
    }
  }

  function alive(interval) {
    clearTimeout(pingTimer);
    pingTimer = setTimeout(function () { if (ws) ws.close(); }, interval);
  }

  function connect() {
    if (ws && (ws.readyState === 0 || ws.readyState === 1)) return;
    clearTimeout(retryTimer);
    confirmed = false;
    var socket = new WebSocket(wsUrl);
    var deadline = 45000;
    ws = socket;
    socket.onmessage = function (event) {
      var data = String(event.data), type = data.charAt(0);
      if (type === "0") {            // Engine.IO open
        var info = JSON.parse(data.slice(1));
        deadline = (info.pingInterval || 25000) + (info.pingTimeout || 20000);
        alive(deadline);
        socket.send("40");           // Socket.IO connect to "/"
      } else if (type === "2") {     // ping
        alive(deadline);
        socket.send("3");
      } else if (type === "1") {
        socket.close();
      } else if (type === "4") {
        var kind = data.charAt(1);
        if (kind === "0") {
          emit("session_request", { session_id: sessionId });
        } else if (kind === "2") {
          var packet = JSON.parse(data.slice(2));
          onEvent(packet[0], packet[1]);
        } else if (kind === "1" || kind === "4") {
          socket.close();
        }
      }
    };
    socket.onclose = function () {
      if (ws !== socket) return;
      ws = null;
      confirmed = false;
      clearTimeout(pingTimer);
      setStatus("нет связи, переподключаюсь…");
      panel.classList.add("sw-offline");
      var delay = Math.min(1000 * Math.pow(2, retry++), 10000);
      retryTimer = setTimeout(connect, delay);
    };
  }

  function onEvent(name, data) {
    if (name === "session_confirm") {
      var id = typeof data === "string" ? data : data && data.session_id;
      if (sessionId && id !== sessionId) {   // the server did not keep ours
        history = [];
        store.set("history", history);
        log.textContent = "";
      }
      sessionId = id;
      store.set("session", sessionId);
      confirmed = true;
      retry = 0;
      setStatus("");
      panel.classList.remove("sw-offline");
      flush();
    } else if (name === "session_history" && Array.isArray(data)) {
      // The server's record wins (it has agent replies sent while this page
      // was closed); messages typed while offline and not yet sent stay.
      history = data.concat(outbox.map(function (o) { return o.item; })).slice(-MAX_HISTORY);
      store.set("history", history);
      log.textContent = "";
      history.forEach(function (item, i) { render(item, i === history.length - 1); });
    } else if (name === "bot_uttered" && data) {
      showTyping(false);
      var buttons = (data.quick_replies || data.buttons || []).map(function (b) {
        return { title: b.title, payload: b.payload || b.title };
      });
      var image = data.attachment && data.attachment.payload && data.attachment.payload.src;
      remember({ from: "bot", text: data.text || "", agent: data.agent_name || null, buttons: buttons, image: image || null });
    }
  }

  // ------------------------------------------------------------------- wiring
  launcher.addEventListener("click", open);
  closeBtn.addEventListener("click", close);
  attach.addEventListener("click", function () { picker.click(); });
  picker.addEventListener("change", function () {
    var file = picker.files && picker.files[0];
    picker.value = "";
    if (file) upload(file);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    say(input.value);
    input.value = "";
  });

  window.SupportWidget = {
    open: open,
    close: close,
    say: say,
    dropConnection: function () { if (ws) ws.close(); }
  };

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
