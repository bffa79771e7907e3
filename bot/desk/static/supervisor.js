// The supervisor's page: the period's measures as charts (charts.js, drawn
// here, nothing from outside), the knowledge-gap clusters with the actions
// that teach the FAQ, and the worst-rated conversations with transcripts.
"use strict";

const $ = (id) => document.getElementById(id);
const token = localStorage.getItem("desk.token") || "";
const TICKET_STATUS_NAMES = {
  new: "новые", in_progress: "в работе", waiting_customer: "ждём клиента", resolved: "решены", closed: "закрыты",
};
const KIND_NAMES = { no_answer: "нет ответа", choices: "только варианты", unhelpful: "ответ не помог" };

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

async function api(method, path, body) {
  // A script's bearer token, or the console's session cookie with its CSRF token.
  const headers = { "Content-Type": "application/json", "X-CSRF-Token": cookie("desk_csrf") };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) location.href = "/";
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

const pct = (v) => (v === null || v === undefined ? "—" : `${Math.round(v * 1000) / 10} %`);
const mins = (s) => (s === null || s === undefined ? "—" : s < 90 ? `${Math.round(s)} с` : `${Math.round(s / 60)} мин`);

function kpi(name, value, bad = false) {
  return el("div", { className: `kpi${bad ? " bad" : ""}` }, el("b", { textContent: value }), el("span", { textContent: name }));
}

function period() {
  return `from=${$("from").value}&to=${$("to").value}`;
}

async function load() {
  $("board-error").textContent = "";
  try {
    const [m, gaps, agents] = await Promise.all([
      api("GET", `/api/metrics?${period()}`), api("GET", "/api/knowledge-gaps"), api("GET", "/api/agents")]);
    draw(m);
    drawGaps(gaps);
    drawAgents(agents);
  } catch (error) {
    $("board-error").textContent = error.message;
  }
}

// Who is working now and how loaded each is against the capacity (DESK_AGENT_CAPACITY).
function drawAgents(agents) {
  const shown = agents.filter((a) => a.online || a.active_handoffs > 0);
  $("agents-now").replaceChildren(...(shown.length ? shown.map((a) => el("tr",
    { className: a.active_handoffs >= a.capacity ? "full" : "" },
    el("td", { textContent: a.display_name }),
    el("td", { textContent: a.online ? "в сети" : "не в сети" }),
    el("td", { textContent: `${a.active_handoffs} из ${a.capacity}` })))
    : [el("tr", {}, el("td", { className: "muted", textContent: "никого нет в сети", colSpan: 3 }))]));
}

function draw(m) {
  $("kpis").replaceChildren(
    kpi("разговоров", String(m.conversations)),
    kpi("решил бот", pct(m.containment_rate)),
    kpi("передано оператору", String(m.handoffs)),
    kpi("ответ человека, медиана", mins(m.first_response_p50_s)),
    kpi("ответ человека, 90 %", mins(m.first_response_p90_s)),
    kpi("решение, медиана", mins(m.resolution_p50_s)),
    kpi("решено с первого обращения", pct(m.first_contact_resolution)),
    kpi(`оценка (${m.csat_count})`, m.csat_avg === null ? "—" : m.csat_avg.toFixed(2)),
    kpi("заявок просрочено", String(m.tickets.past_target), m.tickets.past_target > 0),
    kpi("ждут сейчас", String(m.waiting), m.waiting > 0 && m.agents_online === 0),
  );
  const days = m.per_day.map((d) => d.date.slice(5).split("-").reverse().join("."));
  barChart($("chart-days"), {
    labels: days,
    stacked: true,
    series: [
      { name: "решил бот", values: m.per_day.map((d) => d.bot_contained) },
      { name: "оператор", values: m.per_day.map((d) => d.handoffs) },
      { name: "прочие", values: m.per_day.map((d) => Math.max(0, d.conversations - d.bot_contained - d.handoffs)) },
    ],
  });
  barChart($("chart-times"), {
    labels: days,
    series: [
      { name: "первый ответ", values: m.per_day.map((d) => (d.first_response_p50_s || 0) / 60) },
      { name: "решение", values: m.per_day.map((d) => (d.resolution_p50_s || 0) / 60) },
    ],
    format: (v) => String(Math.round(v * 10) / 10),
  });
  barChart($("chart-csat"), {
    labels: ["1", "2", "3", "4", "5"],
    series: [{ name: "оценок", values: [1, 2, 3, 4, 5].map((n) => m.csat_distribution[String(n)]), color: "#e07a00" }],
  });
  const reasons = Object.entries(m.handoff_reasons);
  hbarChart($("chart-reasons"), {
    labels: reasons.map(([key]) => m.reason_labels[key] || key), values: reasons.map(([, n]) => n), color: "#7c3aed",
  });
  const channels = Object.entries(m.per_channel);
  barChart($("chart-channels"), {
    labels: channels.map(([name]) => name),
    series: [
      { name: "разговоров", values: channels.map(([, f]) => f.conversations) },
      { name: "решил бот", values: channels.map(([, f]) => f.bot_contained) },
      { name: "оператор", values: channels.map(([, f]) => f.handoffs) },
    ],
  });
  const statuses = Object.entries(m.tickets.by_status);
  hbarChart($("chart-tickets"), {
    labels: [...statuses.map(([key]) => TICKET_STATUS_NAMES[key] || key), "просрочено"],
    values: [...statuses.map(([, n]) => n), m.tickets.past_target], color: "#0891b2",
  });
  $("worst").replaceChildren(...(m.worst_conversations.length ? m.worst_conversations.map((w) => el("li", {},
    el("div", {}, el("strong", { textContent: `Оценка ${w.rating}` }),
      ` · ${w.sender_id} · ${new Date(w.time).toLocaleString("ru-RU")}`, w.comment ? ` · «${w.comment}»` : ""),
    w.transcript.length ? el("details", {}, el("summary", { textContent: `Переписка (${w.transcript.length})` }),
      el("ol", { className: "transcript" }, ...w.transcript.map((t) => el("li", { className: t.role, textContent: t.text }))))
      : el("div", { className: "muted", textContent: "Разговор только с ботом: переписки у пульта нет." }),
  )) : [el("li", { className: "muted", textContent: "Плохих оценок за период нет." })]));
}

function drawGaps(clusters) {
  $("gaps").replaceChildren(...(clusters.length ? clusters.map(gapItem)
    : [el("li", { className: "muted", textContent: "Все вопросы разобраны." })]));
}

function gapItem(cluster) {
  const kinds = Object.entries(cluster.kinds).map(([k, n]) => `${KIND_NAMES[k] || k}: ${n}`).join(", ");
  const article = el("select", {}, ...cluster.nearest.map((a) => el("option", { value: a.id, textContent: a.title || a.id })));
  const add = el("button", { type: "button", className: "secondary", textContent: "Добавить вопросы к статье" });
  const dismiss = el("button", { type: "button", className: "link", textContent: "Скрыть" });
  const id = el("input", { placeholder: "id новой статьи (латиницей)", size: 22 });
  const title = el("input", { placeholder: "Заголовок", value: cluster.examples[0] || "", size: 36 });
  const body = el("textarea", { rows: 3, placeholder: "Текст ответа для клиента" });
  const create = el("button", { type: "submit", textContent: "Создать статью" });
  const error = el("p", { className: "error" });
  const act = (request) => async () => {
    error.textContent = "";
    try {
      await api("POST", `/api/knowledge-gaps/${cluster.id}/resolve`, request());
      await load();
    } catch (e) {
      error.textContent = e.message;
    }
  };
  add.addEventListener("click", act(() => ({ action: "add_questions", article_id: article.value })));
  dismiss.addEventListener("click", act(() => ({ action: "dismiss" })));
  const form = el("form", {}, id, title, body, create);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => ({ action: "create", article: { id: id.value.trim(), title: title.value.trim(), body: body.value.trim() } }))();
  });
  const item = el("li", {},
    el("div", {}, el("strong", { textContent: `${cluster.count} × ${cluster.examples[0]}` }),
      el("span", { className: "muted", textContent: ` · клиентов: ${cluster.senders} · ${kinds}` })),
    el("div", { className: "examples", textContent: cluster.examples.slice(1).map((q) => `«${q}»`).join(" · ") }),
    el("form", {}, cluster.nearest.length ? article : null, cluster.nearest.length ? add : null, dismiss),
    form, error);
  item.dataset.testid = "gap-cluster";
  return item;
}

$("period").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});

$("csv").addEventListener("click", async () => {
  const response = await fetch(`/api/metrics.csv?${period()}`, { headers: { Authorization: `Bearer ${token}` } });
  const url = URL.createObjectURL(await response.blob());
  el("a", { href: url, download: `metrics-${$("from").value}-${$("to").value}.csv` }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
});

if (!token) {
  location.href = "/";
} else {
  const today = new Date();
  const week = new Date(today.getTime() - 6 * 86400000);
  const day = (d) => d.toLocaleDateString("sv-SE");
  const params = new URLSearchParams(location.search);
  $("from").value = params.get("from") || day(week);
  $("to").value = params.get("to") || day(today);
  load();
}
