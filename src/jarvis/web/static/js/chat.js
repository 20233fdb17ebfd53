// The chat page: sends a message with POST /api/chat and reads the SSE answer from the fetch
// body as it arrives (EventSource cannot POST). Every message element comes from the server's
// partial (chat/_message.html): the stream's `start` carries the question and the answer-to-be,
// `tool` each step, `complete` the finished message, and switching conversations fetches them as
// HTML. Tokens are shown as plain text while streaming. Stop aborts the fetch (the server then
// stores the partial answer).
import { setupVoice } from "./voice.js";

const root = document.getElementById("chat");
const list = document.getElementById("chat-list");
const listEmpty = document.getElementById("chat-list-empty");
const messages = document.getElementById("chat-messages");
const empty = document.getElementById("chat-empty");
const form = document.getElementById("chat-form");
const input = document.getElementById("chat-input");
const send = document.getElementById("chat-send");
const stop = document.getElementById("chat-stop");
const title = document.getElementById("chat-title");
const convActions = document.getElementById("chat-conv-actions");
const exportMd = document.getElementById("chat-export");
const exportJson = document.getElementById("chat-export-json");
const clear = document.getElementById("chat-clear");
const status = document.getElementById("chat-status");

let conversationId = root.dataset.conversation || null;
let controller = null;

function announce(text) {
  status.textContent = text;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Server-rendered (and sanitised) HTML of one message or tool step, as a node.
function fromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html; // same-origin HTML rendered and escaped by the server
  return template.content.firstElementChild;
}

function replaceWith(item, html) {
  const next = html ? fromHtml(html) : null;
  if (next) item.replaceWith(next);
  return next || item;
}

function markStopped(item, label) {
  item.dataset.status = label;
  const flag = item.querySelector(".msg-flag");
  flag.textContent = label;
  flag.hidden = false;
}

function setStreaming(on) {
  stop.hidden = !on;
  send.disabled = on;
  root.dataset.streaming = on ? "true" : "false";
}

function showConversation(id, name) {
  conversationId = id;
  root.dataset.conversation = id || "";
  title.textContent = name || "New conversation";
  convActions.hidden = !id;
  if (id) {
    exportMd.href = `/api/chat/${id}/export?format=md`;
    exportJson.href = `/api/chat/${id}/export?format=json`;
  }
  for (const link of list.querySelectorAll("a")) {
    if (link.dataset.id === id) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
  const url = id ? `/chat?c=${encodeURIComponent(id)}` : "/chat";
  if (location.pathname + location.search !== url) history.replaceState(null, "", url);
}

function listEntry(id, name) {
  let link = list.querySelector(`a[data-id="${CSS.escape(id)}"]`);
  if (!link) {
    const item = el("li");
    link = el("a");
    link.dataset.id = id;
    link.href = `/chat?c=${encodeURIComponent(id)}`;
    item.append(link);
  }
  link.textContent = name;
  list.prepend(link.parentElement); // most recent first
  listEmpty.hidden = true;
}

// Parse SSE from a fetch body: blocks separated by a blank line, `data:` lines joined.
async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
      if (data) yield JSON.parse(data);
    }
  }
}

async function submit(text) {
  if (!text.trim() || controller) return;
  input.value = "";
  controller = new AbortController();
  setStreaming(true);
  let answer = null;
  let body = null;
  let partial = "";
  let ended = false;
  try {
    const response = await fetch("/api/chat", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ message: text, conversationId, context: { page: "/chat" } }),
      signal: controller.signal,
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
      input.value = text;
      announce(problem.error || "The message was refused.");
      alertBox(problem.error || "The message was refused.");
      return;
    }
    for await (const event of readEvents(response)) {
      if (event.type === "start") {
        empty.hidden = true;
        messages.append(fromHtml(event.userHtml));
        answer = fromHtml(event.answerHtml);
        messages.append(answer);
        body = answer.querySelector(".msg-body");
        if (!conversationId) listEntry(event.conversationId, event.title);
        else listEntry(event.conversationId, title.textContent);
        showConversation(event.conversationId, conversationId ? title.textContent : event.title);
      } else if (event.type === "token" && body) {
        partial += event.content;
        body.textContent = partial; // plain text while streaming
      } else if (event.type === "tool" && answer) {
        const tools = answer.querySelector(".msg-tools");
        tools.append(fromHtml(event.html));
        tools.hidden = false;
      } else if ((event.type === "complete" || event.type === "error") && answer) {
        ended = true;
        answer = replaceWith(answer, event.messageHtml);
        body = answer.querySelector(".msg-body");
        announce(event.type === "complete" ? "Answer complete." : event.error);
      }
      if (answer) answer.scrollIntoView({ block: "end" });
    }
    if (answer && !ended) markStopped(answer, "interrupted");
  } catch (error) {
    if (answer) markStopped(answer, "interrupted");
    announce(error.name === "AbortError" ? "Stopped." : "The connection was lost.");
  } finally {
    if (body) body.classList.remove("streaming");
    if (answer && !ended) answer.dataset.raw = partial;
    controller = null;
    setStreaming(false);
    input.focus();
  }
}

function alertBox(text) {
  const note = el("p", "alert", text);
  form.before(note);
  setTimeout(() => note.remove(), 6000);
}

async function openConversation(id, name) {
  if (controller) return;
  const response = await fetch(`/chat/${encodeURIComponent(id)}/messages`, { headers: { accept: "text/html" } });
  if (!response.ok) return;
  messages.innerHTML = await response.text(); // the server's partial, rendered and escaped there
  empty.hidden = messages.children.length > 0;
  showConversation(id, name);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit(input.value);
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit(input.value); // an empty input sends nothing
  }
});

stop.addEventListener("click", () => controller && controller.abort());

document.getElementById("chat-new").addEventListener("click", () => {
  if (controller) return;
  messages.replaceChildren();
  empty.hidden = false;
  showConversation(null, null);
  input.focus();
});

clear.addEventListener("click", async () => {
  if (!conversationId || controller) return;
  if (!confirm("Delete this conversation?")) return;
  const response = await fetch(`/api/chat/${encodeURIComponent(conversationId)}`, { method: "DELETE" });
  if (!response.ok) return;
  list.querySelector(`a[data-id="${CSS.escape(conversationId)}"]`)?.parentElement.remove();
  listEmpty.hidden = list.children.length > 0;
  messages.replaceChildren();
  empty.hidden = false;
  showConversation(null, null);
  announce("Conversation deleted.");
});

list.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-id]");
  if (!link) return;
  event.preventDefault();
  openConversation(link.dataset.id, link.textContent);
});

messages.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const item = button.closest(".msg");
  const text = item.dataset.raw || item.querySelector(".msg-body").textContent;
  if (button.dataset.action === "copy") {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Copy failed";
    }
    setTimeout(() => (button.textContent = "Copy"), 1500);
  } else if (button.dataset.action === "speak") {
    if (!("speechSynthesis" in window)) {
      button.disabled = true;
      button.title = "This browser cannot read text aloud.";
      return;
    }
    if (speechSynthesis.speaking) {
      speechSynthesis.cancel();
      return;
    }
    speechSynthesis.speak(new SpeechSynthesisUtterance(item.querySelector(".msg-body").textContent));
  }
});

setupVoice(document.getElementById("chat-voice"), document.getElementById("chat-voice-note"), input);
