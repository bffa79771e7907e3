// The agent console: one page over the desk API (/api) and its websocket.
// No framework and nothing loaded from outside the desk: the page must work
// on a locked-down support network.
"use strict";

const $ = (id) => document.getElementById(id);
// The session is an HttpOnly cookie this script never sees; every write
// carries the CSRF token the desk set beside it (docs/security.md).
const state = {
  csrf: "",
  me: null,
  tab: "waiting",
  selected: null, // the open handoff (full object)
  socket: null,
  retry: 1000,
  quickReplies: [],
  ticket: null, // the open ticket (full object)
  history: null, // the open handoff's customer: earlier handoffs and requests
  knownWaiting: null, // ids of the waiting handoffs already announced (null: not loaded yet)
  muted: localStorage.getItem("desk.muted") === "1",
  audio: null, // the WebAudio context, made on the agent's first click (browsers demand a gesture)
  chimes: 0,
  capacity: null,
  myActive: 0,
};
const BASE_TITLE = document.title;

const ROLE_NAMES = { user: "Клиент", bot: "Бот", agent: "Оператор", system: "" };
const STATUS_NAMES = { waiting: "ждёт", active: "в работе", resolved: "завершён", cancelled: "отменён клиентом" };
const PRIORITY_NAMES = { urgent: "срочно", high: "высокий", normal: "обычный" };

function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": state.csrf || cookie("desk_csrf") },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && path !== "/api/login") {
    showLogin("Сессия истекла — войдите снова.");
    throw new Error("unauthorized");
  }
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function since(iso) {
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "только что";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} мин`;
  return `${Math.floor(seconds / 3600)} ч ${Math.floor((seconds % 3600) / 60)} мин`;
}

function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" }) : "";
}

// Login ------------------------------------------------------------------

function showLogin(message = "") {
  state.me = null;
  state.csrf = "";
  if (state.socket) state.socket.close();
  $("desk").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const answer = await api("POST", "/api/login", {
      username: $("login-user").value.trim(),
      password: $("login-password").value,
      session: "cookie",
    });
    state.csrf = answer.csrf_token;
    await start();
  } catch (error) {
    $("login-error").textContent = error.message === "wrong username or password" ? "Неверный логин или пароль."
      : error.message.startsWith("too many failed logins")
        ? "Слишком много неудачных попыток. Попробуйте позже." : error.message;
  }
});

$("logout").addEventListener("click", async () => {
  await api("POST", "/api/logout").catch(() => {});
  showLogin();
});

// The agent's day: new conversations announced, capacity shown ------------

// The tab's title carries the number waiting, so a console in a background
// tab still shows it; a new waiting conversation (or one back in the queue)
// also chimes and, with the agent's permission, raises a system notification.
function announceNewWaiting(waiting) {
  document.title = waiting.length ? `(${waiting.length}) ${BASE_TITLE}` : BASE_TITLE;
  const fresh = state.knownWaiting ? waiting.filter((h) => !state.knownWaiting.has(h.id)) : [];
  state.knownWaiting = new Set(waiting.map((h) => h.id));
  if (!fresh.length || atCapacity()) return; // a full agent is not called to take more
  chime();
  notify(fresh);
}

function atCapacity() {
  return state.capacity !== null && state.myActive >= state.capacity;
}

function showLoad() {
  if (state.capacity === null) return;
  $("load").textContent = `В работе у вас: ${state.myActive} из ${state.capacity}`;
  $("load").classList.toggle("full", atCapacity());
}

function unlockAudio() {
  if (!state.audio && (window.AudioContext || window.webkitAudioContext)) {
    state.audio = new (window.AudioContext || window.webkitAudioContext)();
  }
  if (state.audio && state.audio.state === "suspended") state.audio.resume().catch(() => {});
}
document.addEventListener("pointerdown", unlockAudio);
document.addEventListener("keydown", unlockAudio);

// Two short tones made by the page itself: nothing is downloaded.
function chime() {
  if (state.muted) return;
  state.chimes += 1;
  document.body.dataset.chimes = String(state.chimes);
  const audio = state.audio;
  if (!audio) return;
  const start = audio.currentTime + 0.01;
  [[880, 0], [1320, 0.18]].forEach(([frequency, offset]) => {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.type = "sine";
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.3);
    tone.connect(gain).connect(audio.destination);
    tone.start(start + offset);
    tone.stop(start + offset + 0.32);
  });
}

function notify(fresh) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  if (!document.hidden && document.hasFocus()) return; // the agent is looking at the queue already
  for (const handoff of fresh.slice(0, 3)) {
    const note = new Notification("Новый разговор в очереди", {
      body: `${handoff.case.category || handoff.reason_label} · ${handoff.channel}`,
      tag: `desk-handoff-${handoff.id}`,
    });
    note.onclick = () => { window.focus(); open(handoff.id); note.close(); };
  }
}

function showMute() {
  $("mute").setAttribute("aria-pressed", String(state.muted));
  $("mute").textContent = state.muted ? "Звук: выкл" : "Звук: вкл";
}

$("mute").addEventListener("click", () => {
  state.muted = !state.muted;
  localStorage.setItem("desk.muted", state.muted ? "1" : "0");
  showMute();
});

function showNotifyPermission() {
  $("notify-permission").hidden = !("Notification" in window) || Notification.permission !== "default";
}

// Browsers ask for the permission only from a click.
$("notify-permission").addEventListener("click", async () => {
  await Notification.requestPermission().catch(() => "denied");
  showNotifyPermission();
});

// Queue ------------------------------------------------------------------

async function refreshQueue() {
  const [waiting, active] = await Promise.all([
    api("GET", "/api/handoffs?status=waiting"),
    api("GET", "/api/handoffs?status=active"),
  ]);
  $("count-waiting").textContent = waiting.length;
  $("count-active").textContent = active.length;
  state.myActive = active.filter((h) => h.agent && state.me && h.agent.username === state.me.username).length;
  announceNewWaiting(waiting);
  showLoad();
  const tickets = (await api("GET", "/api/tickets")).filter((t) => OPEN_TICKET.includes(t.status));
  $("count-tickets").textContent = tickets.length;
  $("count-tickets").classList.toggle("late", tickets.some((t) => t.target === "past"));
  const list = $("queue-list");
  if (state.tab === "tickets") {
    list.replaceChildren(...tickets.map(ticketItem));
    $("queue-empty").hidden = tickets.length > 0;
    return;
  }
  const shown = state.tab === "waiting" ? waiting : state.tab === "active" ? active
    : await api("GET", `/api/handoffs?status=${state.tab}`);
  list.replaceChildren(...shown.map(queueItem));
  $("queue-empty").hidden = shown.length > 0;
}

const TICKET_KINDS = { problem: "Проблема", block_card: "Блокировка карты", handoff: "Запрос специалисту" };

const OPEN_TICKET = ["new", "in_progress", "waiting_customer"];
const TICKET_STATUS_NAMES = {
  new: "новая", in_progress: "в работе", waiting_customer: "ждём клиента", resolved: "решена", closed: "закрыта",
};
const TICKET_TYPES = { question: "Вопрос", error: "Ошибка", suggestion: "Предложение" };
const TARGET_NAMES = { near: "срок близко", past: "срок вышел" };

// A request the bot registered: the agent works it in the ticket panel; the
// customer hears every status change and public reply on their channel.
function ticketItem(ticket) {
  const selected = state.ticket && state.ticket.number === ticket.number;
  const item = el("li", { className: selected ? "selected" : "" },
    el("div", { className: "line" },
      el("span", { className: `badge ${ticket.priority_name}`, textContent: PRIORITY_NAMES[ticket.priority_name] || "" }),
      el("strong", { textContent: `${TICKET_TYPES[ticket.type] || ""}: ${ticket.topic || TICKET_KINDS[ticket.kind] || ticket.kind}` }),
      el("span", { className: "when", textContent: since(ticket.created_at) })),
    el("div", { textContent: ticket.summary }),
    el("div", { className: "line muted" },
      el("span", { textContent: `№ ${ticket.number} · ${TICKET_STATUS_NAMES[ticket.status] || ticket.status}` }),
      TARGET_NAMES[ticket.target]
        ? el("span", { className: `target ${ticket.target}`, textContent: TARGET_NAMES[ticket.target] }) : null));
  item.dataset.testid = "ticket-item";
  item.dataset.target = ticket.target;
  item.addEventListener("click", () => openTicket(ticket.number));
  return item;
}

async function openTicket(number) {
  state.ticket = await api("GET", `/api/tickets/${number}`);
  state.selected = null;
  render();
  renderTicket();
  refreshQueue();
}

const TICKET_FIELDS = [
  ["number", "Номер"], ["type", "Тип"], ["topic", "Тема"], ["priority_name", "Приоритет"], ["due_at", "Ответить до"],
  ["description", "Описание"], ["steps", "Шаги"], ["error_text", "Текст ошибки"], ["app_version", "Версия"],
  ["happened", "Когда случилось"], ["contact", "Контакт"], ["channel", "Канал"], ["conversation_id", "Клиент"],
];
const ENTRY_ROLES = { note: "system", reply: "agent", customer: "user", status: "system" };

function renderTicket() {
  const t = state.ticket;
  $("ticket").hidden = !t;
  if (!t) return;
  $("ticket-error").textContent = "";
  $("t-title").textContent = `Заявка № ${t.number}`;
  $("t-meta").textContent = `${TICKET_STATUS_NAMES[t.status]} · создана ${since(t.created_at)} назад` +
    (TARGET_NAMES[t.target] ? ` · ${TARGET_NAMES[t.target]}` : "");
  $("t-fields").replaceChildren(...TICKET_FIELDS.filter(([key]) => t[key]).flatMap(([key, name]) => [
    el("dt", { textContent: name }),
    el("dd", { textContent: key === "type" ? TICKET_TYPES[t.type] : key === "due_at" ? new Date(t.due_at).toLocaleString("ru-RU")
      : key === "priority_name" ? PRIORITY_NAMES[t.priority_name] : String(t[key]) }),
  ]));
  $("t-attachments").replaceChildren(...(t.attachments.length ? t.attachments.map((a) => {
    const link = el("a", { href: "#", textContent: `${a.filename} (${Math.ceil(a.size / 1024)} КБ)` });
    link.addEventListener("click", (event) => { event.preventDefault(); download(t.number, a); });
    return el("li", {}, link);
  }) : [el("li", { className: "muted", textContent: "нет" })]));
  $("t-entries").replaceChildren(...t.entries.map((e) => el("li", { className: ENTRY_ROLES[e.kind] },
    el("span", { className: "who", textContent: `${{ note: "Заметка", reply: "Ответ клиенту", customer: "Клиент", status: "Статус" }[e.kind]}` +
      `${e.author ? " · " + e.author : ""} · ${clock(e.time)}` }), e.text)));
  $("t-status").replaceChildren(...Object.entries(TICKET_STATUS_NAMES).map(([value, name]) =>
    el("option", { value, textContent: name, selected: value === t.status })));
}

async function download(number, attachment) {
  const response = await fetch(`/api/tickets/${number}/attachments/${attachment.id}`,
    { headers: { Authorization: `Bearer ${state.token}` } });
  const url = URL.createObjectURL(await response.blob());
  el("a", { href: url, download: attachment.filename }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function ticketAct(action) {
  $("ticket-error").textContent = "";
  try {
    await action();
  } catch (error) {
    if (error.message !== "unauthorized") $("ticket-error").textContent = error.message;
  }
}

$("t-status-form").addEventListener("submit", (event) => {
  event.preventDefault();
  ticketAct(async () => {
    const reply = $("t-reply").value.trim();
    state.ticket = await api("POST", `/api/tickets/${state.ticket.number}/status`,
      { status: $("t-status").value, reply: reply || undefined });
    $("t-reply").value = "";
    renderTicket();
    await refreshQueue();
  });
});

$("t-note-form").addEventListener("submit", (event) => {
  event.preventDefault();
  ticketAct(async () => {
    const text = $("t-note").value.trim();
    if (!text) return;
    state.ticket = await api("POST", `/api/tickets/${state.ticket.number}/notes`, { text });
    $("t-note").value = "";
    renderTicket();
  });
});

function queueItem(handoff) {
  const priority = handoff.case.priority || handoff.priority_name;
  const item = el(
    "li",
    { className: state.selected && state.selected.id === handoff.id ? "selected" : "" },
    el("div", { className: "line" },
      el("span", { className: `badge ${priority}`, textContent: PRIORITY_NAMES[priority] || priority }),
      el("strong", { textContent: handoff.case.category || handoff.reason_label }),
      el("span", { className: "when", textContent: since(handoff.created_at) })),
    el("div", { className: "muted", textContent: `${handoff.reason_label} · ${handoff.channel}` +
      (handoff.agent ? ` · ${handoff.agent.display_name}` : "") +
      (handoff.queue_position ? ` · №${handoff.queue_position} в очереди` : "") }),
  );
  item.dataset.handoffId = handoff.id;
  item.dataset.testid = "queue-item";
  item.addEventListener("click", () => open(handoff.id));
  return item;
}

for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === tab));
    state.tab = tab.dataset.status;
    refreshQueue();
  });
}

// One conversation --------------------------------------------------------

async function open(id) {
  const [handoff, history] = await Promise.all([
    api("GET", `/api/handoffs/${id}`), api("GET", `/api/handoffs/${id}/history`)]);
  state.selected = handoff;
  state.history = history;
  $("nothing-selected").textContent = "Выберите разговор в очереди слева.";
  state.ticket = null;
  renderTicket();
  render();
  refreshQueue();
  rankQuickReplies(id);
}

// The knowledge base's answers, those nearest to what the customer wrote first.
async function rankQuickReplies(id) {
  const ranked = await api("GET", `/api/quick-replies?handoff_id=${id}`).catch(() => null);
  if (!ranked || !state.selected || state.selected.id !== id) return;
  state.quickReplies = ranked;
  fillQuickReplies(ranked.filter((a) => a.score !== undefined).length ? 5 : 0);
}

function fillQuickReplies(topical) {
  const option = (a) => el("option", { value: a.id, textContent: a.title });
  const groups = topical
    ? [el("optgroup", { label: "По теме разговора" }, ...state.quickReplies.slice(0, topical).map(option)),
      el("optgroup", { label: "Остальные статьи" }, ...state.quickReplies.slice(topical).map(option))]
    : state.quickReplies.map(option);
  $("quick-replies").replaceChildren(el("option", { value: "", textContent: "Быстрый ответ из базы знаний…" }), ...groups);
}

const HISTORY_STATUS = { ...STATUS_NAMES, cancelled: "отменён" };

function historyItems() {
  const history = state.history;
  if (!history || history.conversation_id !== state.selected.conversation_id) return [];
  const items = [
    ...history.handoffs.map((h) => {
      const link = el("a", { textContent: `${new Date(h.created_at).toLocaleDateString("ru-RU")} · ` +
        `${h.category || h.reason_label} · ${HISTORY_STATUS[h.status] || h.status}` +
        (h.agent ? ` · ${h.agent.display_name}` : "") });
      link.addEventListener("click", () => open(h.id));
      return el("li", { title: h.summary }, link);
    }),
    ...history.tickets.map((t) => {
      const link = el("a", { textContent: `Заявка № ${t.number} · ${TICKET_STATUS_NAMES[t.status] || t.status}` });
      link.addEventListener("click", () => openTicket(t.number));
      return el("li", {}, link, el("div", { className: "muted", textContent: t.topic || t.summary }));
    }),
  ];
  return items.length ? items : [el("li", { className: "muted", textContent: "раньше не обращался" })];
}

function render() {
  const h = state.selected;
  $("nothing-selected").hidden = !!h || !!state.ticket;
  $("handoff").hidden = !h;
  if (!h) return;
  $("action-error").textContent = "";
  $("h-title").textContent = `${h.case.category || "Обращение"} — ${h.conversation_id}`;
  $("h-meta").textContent = `Канал: ${h.channel} · ${STATUS_NAMES[h.status] || h.status}` +
    (h.agent ? ` · ведёт ${h.agent.display_name}` : "") + ` · создан ${clock(h.created_at)}`;
  const mine = h.agent && state.me && h.agent.username === state.me.username;
  const open = h.status === "waiting" || h.status === "active";
  $("claim").hidden = h.status !== "waiting";
  $("claim").disabled = atCapacity();
  $("claim").title = atCapacity() ? "Вы ведёте столько разговоров, сколько можно: завершите или передайте один" : "";
  $("transfer").disabled = !open;
  $("resolve").disabled = !open;
  $("reply-send").disabled = !(h.status === "active" && (mine || state.me.role === "supervisor"));
  $("reply-text").disabled = $("reply-send").disabled;
  $("c-category").textContent = h.case.category || "—";
  $("c-priority").textContent = PRIORITY_NAMES[h.case.priority] || h.priority_name;
  $("c-reason").textContent = h.reason_label;
  const contacts = [...(h.case.contacts?.phones || []), ...(h.case.contacts?.emails || [])];
  $("c-contacts").textContent = contacts.join(", ") || "—";
  $("c-ticket").textContent = h.ticket_number || "—";
  $("c-summary").textContent = h.case.summary || "";
  $("c-faq").replaceChildren(...(h.faq_tried.length ? h.faq_tried.map((a) => el("li", { textContent: a.title }))
    : [el("li", { className: "muted", textContent: "ничего" })]));
  $("c-steps").replaceChildren(...h.suggested_next_steps.map((s) => el("li", { textContent: s })));
  $("c-history").replaceChildren(...historyItems());
  $("erase-customer").hidden = state.me.role !== "supervisor";
  $("transcript").replaceChildren(...h.transcript.map(turn));
  scrollTranscript();
}

function turn(t) {
  const who = t.role === "agent" && t.author ? `Оператор ${t.author}` : ROLE_NAMES[t.role];
  const item = el("li", { className: t.role },
    who ? el("span", { className: "who", textContent: `${who} · ${clock(t.time)}` }) : null,
    t.text);
  if (t.buttons) item.append(el("span", { className: "buttons", textContent: `Кнопки: ${t.buttons.join(" | ")}` }));
  return item;
}

function scrollTranscript() {
  const list = $("transcript");
  list.scrollTop = list.scrollHeight;
}

async function act(action) {
  $("action-error").textContent = "";
  try {
    await action();
  } catch (error) {
    if (error.message === "unauthorized") return;
    $("action-error").textContent = error.message.startsWith("at capacity")
      ? `Вы уже ведёте ${state.capacity} разговоров — это ваш предел. Завершите или передайте один, чтобы взять новый.`
      : error.message;
  }
}

$("claim").addEventListener("click", () => act(async () => {
  state.selected = await api("POST", `/api/handoffs/${state.selected.id}/claim`);
  render();
  await refreshQueue();
}));

$("resolve").addEventListener("click", () => act(async () => {
  state.selected = await api("POST", `/api/handoffs/${state.selected.id}/resolve`);
  render();
  await refreshQueue();
}));

$("transfer").addEventListener("click", () => act(async () => {
  const to = $("transfer-to").value;
  if (!to) throw new Error("Выберите, кому передать разговор.");
  state.selected = await api("POST", `/api/handoffs/${state.selected.id}/transfer`, { to });
  render();
  await refreshQueue();
}));

// A supervisor erases everything the bot and the desk keep about the customer.
$("erase-customer").addEventListener("click", () => act(async () => {
  const who = state.selected.conversation_id;
  if (!confirm(`Удалить все данные клиента ${who}: переписку с ботом и операторами, обращения, ` +
    "текст заявок? Отменить удаление будет нельзя.")) return;
  const erased = await api("DELETE", `/api/customers/${encodeURIComponent(who)}`);
  state.selected = null;
  render();
  await refreshQueue();
  $("nothing-selected").textContent = `Данные клиента ${who} удалены: разговоров ${erased.handoffs}, ` +
    `сообщений ${erased.messages}, заявок ${erased.tickets}.`;
}));

$("reply-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text) return;
  act(async () => {
    $("reply-send").disabled = true;
    try {
      await api("POST", `/api/handoffs/${state.selected.id}/messages`, { text });
      $("reply-text").value = ""; // cleared only once the customer has it
    } finally {
      $("reply-send").disabled = false;
    }
  });
});

$("reply-text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("reply-form").requestSubmit();
});

$("quick-replies").addEventListener("change", () => {
  const chosen = state.quickReplies.find((a) => a.id === $("quick-replies").value);
  if (chosen) $("reply-text").value = chosen.text;
  $("quick-replies").value = "";
  $("reply-text").focus();
});

// Supervisor ---------------------------------------------------------------

$("show-supervisor").addEventListener("click", async () => {
  $("supervisor").hidden = !$("supervisor").hidden;
  if (!$("supervisor").hidden) await refreshSupervisor();
});

const METRIC_NAMES = {
  waiting: "Ждут", active: "В работе", resolved: "Завершено", cancelled: "Отменено клиентами",
  handoffs_last_24h: "Передач за сутки", agents_online: "Операторов в сети", open_now: "Рабочее время",
  avg_wait_seconds: "Среднее ожидание, с", avg_handle_seconds: "Среднее время разговора, с",
  longest_wait_seconds: "Дольше всех ждёт, с",
};

async function refreshSupervisor() {
  if (!state.me || state.me.role !== "supervisor" || $("supervisor").hidden) return;
  const [metrics, agents] = await Promise.all([api("GET", "/api/metrics"), api("GET", "/api/agents")]);
  $("metrics").replaceChildren(...Object.entries(METRIC_NAMES).flatMap(([key, name]) => [
    el("dt", { textContent: name }),
    el("dd", { textContent: metrics[key] === null ? "—" : metrics[key] === true ? "да"
      : metrics[key] === false ? "нет" : String(metrics[key]) }),
  ]));
  $("agents").replaceChildren(...agents.map((a) => el("tr", {},
    el("td", { textContent: a.display_name }), el("td", { textContent: a.role }),
    el("td", { textContent: a.online ? "да" : "нет" }), el("td", { textContent: String(a.active_handoffs) }))));
}

async function refreshAgents() {
  const agents = await api("GET", "/api/agents");
  const me = agents.find((a) => a.username === state.me.username);
  if (me) state.capacity = me.capacity;
  showLoad();
  $("transfer-to").replaceChildren(el("option", { value: "", textContent: "Передать…" }),
    ...agents.filter((a) => a.username !== state.me.username)
      .map((a) => el("option", { value: a.username, textContent: `${a.display_name}${a.online ? "" : " (не в сети)"}` })));
}

// Live updates -------------------------------------------------------------

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/api/ws`); // the cookie goes along
  state.socket = socket;
  socket.addEventListener("open", () => {
    state.retry = 1000;
    $("live").classList.add("on");
    refreshQueue(); // whatever happened while the connection was down
  });
  socket.addEventListener("message", (event) => onEvent(JSON.parse(event.data)));
  socket.addEventListener("close", () => {
    $("live").classList.remove("on");
    if (!state.me || state.socket !== socket) return;
    setTimeout(connect, state.retry);
    state.retry = Math.min(state.retry * 2, 30000);
  });
}

function onEvent(event) {
  if (event.type === "message" && state.selected && event.handoff_id === state.selected.id) {
    state.selected.transcript.push(event.message);
    $("transcript").append(turn(event.message));
    scrollTranscript();
    if (event.message.role === "user") rankQuickReplies(state.selected.id); // the customer said more
  }
  if (event.type === "handoff") {
    if (state.selected && event.handoff.id === state.selected.id) {
      state.selected = event.handoff;
      render();
    }
    refreshQueue();
    refreshSupervisor();
  }
  if (event.type === "agents") refreshSupervisor();
  if (event.type === "erased") {
    if (state.selected && event.handoff_ids.includes(state.selected.id)) {
      state.selected = null;
      render();
    }
    refreshQueue();
  }
  if (event.type === "ticket") {
    refreshQueue();
    if (state.ticket && event.ticket && event.ticket.number === state.ticket.number) {
      state.ticket = event.ticket;
      renderTicket();
    }
  }
}

// A ping a minute keeps the agent counted as online while the console is open.
setInterval(() => {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send("ping");
}, 60000);
setInterval(() => { if (state.me) refreshQueue().catch(() => {}); }, 30000);

async function start() {
  state.me = await api("GET", "/api/me");
  $("me").textContent = `${state.me.display_name} (${state.me.role === "supervisor" ? "супервизор" : "оператор"})`;
  $("show-supervisor").hidden = state.me.role !== "supervisor";
  $("supervisor-page").hidden = state.me.role !== "supervisor";
  $("login").hidden = true;
  $("desk").hidden = false;
  state.quickReplies = await api("GET", "/api/quick-replies");
  fillQuickReplies(0);
  showMute();
  showNotifyPermission();
  await refreshAgents();
  await refreshQueue();
  connect();
}

localStorage.removeItem("desk.token"); // where consoles before the cookie kept the session
if (cookie("desk_csrf")) start().catch(() => showLogin());
else showLogin();
