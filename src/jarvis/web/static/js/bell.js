// The notification bell: the count of active suggestions, a panel with feedback buttons, and a
// toast for each high or critical notification, all live over the page's one stream (stream.js,
// which the server tells to follow `suggestion.*`).
import { onConnect, onEvent } from "./stream.js";

const API = "/api/proactive";
const TOAST_MS = 12000;
const FEEDBACK = [
  ["positive", "", "Useful"], // icons come from <template id="icon-…"> in bell.html
  ["negative", "", "Not useful"],
  ["dismissed", "Dismiss", "Dismiss"],
  ["acted_upon", "Done", "Done"],
];

const root = document.getElementById("bell");
const button = document.getElementById("bell-button");
const count = document.getElementById("bell-count");
const panel = document.getElementById("bell-panel");
const list = document.getElementById("bell-list");
const empty = document.getElementById("bell-empty");
const toasts = document.getElementById("bell-toasts");
const live = document.getElementById("bell-live");
let reloadTimer = null;

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

function announce(message) {
  live.textContent = message;
}

function setCount(n) {
  count.textContent = String(n);
  count.hidden = n === 0;
  root.dataset.count = String(n);
  button.setAttribute("aria-label", n === 0 ? "Suggestions: none active" : `Suggestions: ${n} active`);
}

function item(suggestion) {
  const li = el("li", { class: "bell-item", "data-id": String(suggestion.id), "data-priority": suggestion.priority });
  li.append(el("span", { class: "bell-priority" }, suggestion.priority));
  const heading = el("h3");
  heading.append(el("a", { href: suggestion.link || "/" }, suggestion.title));
  li.append(heading, el("p", {}, suggestion.why));
  const actions = el("div", { class: "bell-actions", role: "group", "aria-label": "Feedback" });
  for (const [value, label, name] of FEEDBACK) {
    const attrs = { type: "button", "data-feedback": value, "aria-label": `${name}: ${suggestion.title}` };
    if (value === "positive") attrs["aria-pressed"] = suggestion.feedback === "positive" ? "true" : "false";
    const action = el("button", attrs, label);
    const icon = document.getElementById(`icon-${value}`);
    if (icon) action.append(icon.content.cloneNode(true));
    action.classList.add("btn-secondary");
    action.addEventListener("click", () => send(suggestion, value, action));
    actions.append(action);
  }
  li.append(actions);
  return li;
}

function render(suggestions) {
  list.replaceChildren(...suggestions.map(item));
  empty.hidden = suggestions.length > 0;
  setCount(suggestions.length);
}

async function load() {
  try {
    const response = await fetch(`${API}/suggestions`, { headers: { accept: "application/json" } });
    if (!response.ok) return;
    const body = await response.json();
    render(body.data.suggestions);
  } catch {
    /* offline: the next event or reconnect reloads */
  }
}

function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(load, 100);
}

async function send(suggestion, value, control) {
  control.disabled = true;
  try {
    const response = await fetch(`${API}/feedback/${suggestion.id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ feedback: value }),
    });
    if (!response.ok) throw new Error(String(response.status));
    announce(value === "positive" ? "Thanks, noted as useful." : "Feedback recorded.");
    if (value === "positive") control.setAttribute("aria-pressed", "true");
    await load();
    if (!panel.hidden) (list.querySelector("button") || button).focus();
  } catch {
    announce("Could not send the feedback; try again.");
  } finally {
    control.disabled = false;
  }
}

function toast(data) {
  const node = el("div", { class: "bell-toast", role: data.priority === "critical" ? "alert" : "status", "data-priority": data.priority });
  const body = el("div", { class: "bell-toast-body" });
  body.append(el("strong", {}, data.title));
  body.append(el("a", { href: data.link || "/" }, "Open"));
  const close = el("button", { type: "button", "aria-label": `Close: ${data.title}` }, "✕");
  close.classList.add("btn-secondary");
  close.addEventListener("click", () => node.remove());
  node.append(body, close);
  toasts.append(node);
  if (data.priority !== "critical") setTimeout(() => node.remove(), TOAST_MS);
}

function toggle(open) {
  panel.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  if (open) (list.querySelector("a, button") || panel).focus?.();
}

button.addEventListener("click", () => toggle(panel.hidden));
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !panel.hidden) {
    toggle(false);
    button.focus();
  }
});
document.addEventListener("click", (event) => {
  if (!panel.hidden && !root.contains(event.target)) toggle(false);
});

function follow() {
  for (const name of ["suggestion.created", "suggestion.updated", "suggestion.resolved"]) onEvent(name, reloadSoon);
  onEvent("suggestion.notified", (data) => {
    if (data.priority === "high" || data.priority === "critical") toast(data);
  });
  onConnect(reloadSoon); // after a reconnect, catch up
}

load();
follow();
