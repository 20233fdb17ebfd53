// The page's one live connection (one EventSource per page, whatever follows it): /api/stream,
// reconnecting with backoff, falling back to polling /api/dashboard/overview every 5 s, and showing
// live / polling / offline in the header. The server names what the page follows: the sections
// (`data-sections` on <body>, from the one Section list) and the hub events (`data-stream-types`).
// Other modules listen for the `jarvis:update` event on `document`:
//   detail = {changed: [section names], sections: {name: data}, version, via: "stream"|"poll"}
// and for hub events with `onEvent(name, handler)` (handler gets the event's `data`), and
// `onConnect(handler)` (after every (re)connect: catch up on what may have been missed).
const OVERVIEW_URL = "/api/dashboard/overview";
const POLL_MS = 5000;
const MAX_BACKOFF_MS = 30000;
const SECTIONS = (document.body.dataset.sections || "").split(/\s+/).filter(Boolean);
const TYPES = document.body.dataset.streamTypes || "";
const STREAM_URL = TYPES ? `/api/stream?types=${encodeURIComponent(TYPES)}` : "/api/stream";
const eventHandlers = new Map(); // hub event name -> [handler]
const connectHandlers = [];

const conn = document.getElementById("conn");
const lastUpdate = document.getElementById("last-update");
const known = new Map(); // section -> JSON without its timestamp, to tell what changed while polling
let source = null;
let backoff = 1000;
let reconnectTimer = null;
let pollTimer = null;
let state = "";

function setState(next) {
  if (!conn || state === next) return;
  state = next;
  conn.dataset.state = next;
  const label = conn.querySelector(".conn-label");
  if (label) label.textContent = next.charAt(0).toUpperCase() + next.slice(1);
  conn.title = {
    live: "Live: following the update stream",
    polling: "Polling every 5 s: the live stream is unavailable",
    offline: "Offline: the server cannot be reached",
    connecting: "Connecting…",
  }[next] || next;
}

function stamp() {
  if (!lastUpdate) return;
  const now = new Date();
  lastUpdate.dateTime = now.toISOString();
  lastUpdate.textContent = now.toLocaleTimeString();
}

function fingerprint(data) {
  if (!data || typeof data !== "object") return JSON.stringify(data);
  const { timestamp, ...rest } = data;
  return JSON.stringify(rest);
}

function emit(changed, sections, version, via) {
  stamp();
  if (!changed.length) return;
  document.dispatchEvent(new CustomEvent("jarvis:update", { detail: { changed, sections, version, via } }));
}

function remember(sections) {
  const changed = [];
  for (const [name, data] of Object.entries(sections || {})) {
    const print = fingerprint(data);
    if (known.get(name) !== print) changed.push(name);
    known.set(name, print);
  }
  return changed;
}

function onStreamEvent(event) {
  let payload;
  try {
    payload = JSON.parse(event.data);
  } catch {
    return;
  }
  // Every stream event is a hub event: {id, type, at, data}.
  if (payload && payload.type && payload.data) payload = payload.data;
  backoff = 1000;
  stopPolling();
  setState("live");
  const sections = payload.sections || {};
  if (event.type === "dashboard.snapshot") {
    // The page was rendered with current data; only sections whose data differs from what it
    // has seen need a refresh. The first snapshot establishes what it has seen.
    const version = Number(document.body.dataset.version || "0");
    const changed = remember(sections);
    emit(Number(payload.version) > version ? changed : [], sections, payload.version, "stream");
  } else {
    remember(sections);
    emit(payload.changed || Object.keys(sections), sections, payload.version, "stream");
  }
  if (payload.version !== undefined) document.body.dataset.version = String(payload.version);
}

function listen(name) {
  source.addEventListener(name, (event) => {
    let payload;
    try {
      payload = JSON.parse(event.data);
    } catch {
      return;
    }
    for (const handler of eventHandlers.get(name) || []) handler(payload.data, payload);
  });
}

export function onEvent(name, handler) {
  if (!eventHandlers.has(name)) {
    eventHandlers.set(name, []);
    if (source) listen(name);
  }
  eventHandlers.get(name).push(handler);
}

export function onConnect(handler) {
  connectHandlers.push(handler);
}

function connect() {
  reconnectTimer = null;
  if (typeof EventSource === "undefined") {
    startPolling();
    return;
  }
  if (!state) setState("connecting");
  source = new EventSource(STREAM_URL);
  source.addEventListener("open", () => {
    backoff = 1000;
    stopPolling();
    setState("live");
    for (const handler of connectHandlers) handler();
  });
  source.addEventListener("dashboard.snapshot", onStreamEvent);
  source.addEventListener("dashboard.update", onStreamEvent);
  for (const name of eventHandlers.keys()) listen(name);
  source.addEventListener("error", () => {
    // Take over from EventSource's own retry so the backoff and the fallback are ours.
    source.close();
    source = null;
    startPolling();
    reconnectTimer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  });
}

async function poll() {
  try {
    const response = await fetch(OVERVIEW_URL, { headers: { accept: "application/json" }, cache: "no-store" });
    if (!response.ok) throw new Error(String(response.status));
    const body = await response.json();
    const sections = {};
    for (const name of SECTIONS) if (body.data && name in body.data) sections[name] = body.data[name];
    if (source === null) setState("polling");
    emit(remember(sections), sections, body.data && body.data.version, "poll");
  } catch {
    if (source === null) setState("offline");
  }
}

function startPolling() {
  if (pollTimer !== null) return;
  poll();
  pollTimer = setInterval(poll, POLL_MS);
}

function stopPolling() {
  if (pollTimer === null) return;
  clearInterval(pollTimer);
  pollTimer = null;
}

// Ages ("3 min ago") are computed here, not on the server: the data only carries timestamps.
function ago(iso) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return null;
  const s = Math.max(0, Math.round((Date.now() - then) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

// How long a wait has lasted ("40 s", "4 min", "2 h 5 min"), as the server writes it.
function lasted(iso) {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return null;
  const s = Math.max(0, Math.floor((Date.now() - then) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

export function refreshAges(root = document) {
  for (const el of root.querySelectorAll("time[data-age]")) {
    const text = ago(el.dateTime);
    if (text && el.textContent !== text) el.textContent = text;
  }
  for (const el of root.querySelectorAll("time[data-since]")) {
    const text = lasted(el.dateTime);
    if (text && el.textContent !== text) el.textContent = text;
  }
}

refreshAges();
setInterval(refreshAges, 15000);
document.addEventListener("jarvis:swapped", (event) => refreshAges(event.target));
connect();
