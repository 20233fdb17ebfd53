// Swaps the parts of the page whose section changed, keeping scroll position and focus.
// Each live part is an element with data-fragment-url (where to fetch its HTML) and
// data-sections (which dashboard sections it depends on); its [data-fragment-body] is replaced.
// Status changes are announced through the page's ARIA live region.
const live = document.getElementById("live-region");
const parts = Array.from(document.querySelectorAll("[data-fragment-url]"));
const inflight = new Map();

function focusKey(el) {
  if (!el || el === document.body) return null;
  return el.getAttribute("data-focus-key") || (el.id ? `#${el.id}` : null);
}

function findByKey(root, key) {
  if (!key) return null;
  if (key.startsWith("#")) return document.getElementById(key.slice(1));
  for (const el of root.querySelectorAll("[data-focus-key]")) if (el.getAttribute("data-focus-key") === key) return el;
  return null;
}

function announce(text) {
  if (!live || !text) return;
  live.textContent = "";
  // A fresh text node after clearing makes screen readers read it even when it repeats.
  requestAnimationFrame(() => { live.textContent = text; });
}

async function refresh(part) {
  const url = part.dataset.fragmentUrl;
  if (inflight.has(url)) {
    inflight.set(url, true); // fetch once more after the current one: it may predate the change
    return;
  }
  inflight.set(url, false);
  try {
    const response = await fetch(url, { headers: { accept: "text/html" }, cache: "no-store" });
    if (!response.ok) return;
    const html = await response.text();
    swap(part, html);
  } catch {
    /* the stream module shows the connection state */
  } finally {
    const again = inflight.get(url);
    inflight.delete(url);
    if (again) refresh(part);
  }
}

function swap(part, html) {
  const body = part.querySelector("[data-fragment-body]");
  if (!body) return;
  const before = body.querySelector("[data-summary]");
  const oldSummary = before ? before.textContent.trim() : "";
  const active = document.activeElement;
  const hadFocus = active && body.contains(active);
  const key = hadFocus ? focusKey(active) : null;
  const scrollX = window.scrollX;
  const scrollY = window.scrollY;

  const template = document.createElement("template");
  template.innerHTML = html; // same-origin HTML rendered (and escaped) by the server
  body.replaceChildren(template.content);

  if (hadFocus) {
    const target = findByKey(body, key);
    if (target) target.focus({ preventScroll: true });
  }
  if (window.scrollX !== scrollX || window.scrollY !== scrollY) window.scrollTo(scrollX, scrollY);
  body.dispatchEvent(new CustomEvent("jarvis:swapped", { bubbles: true }));
  part.dataset.updated = String(Date.now());

  const after = body.querySelector("[data-summary]");
  const newSummary = after ? after.textContent.trim() : "";
  if (newSummary && newSummary !== oldSummary) {
    const heading = part.querySelector("h2");
    announce(`${heading ? heading.textContent.trim() + ": " : ""}${newSummary}`);
  }
}

document.addEventListener("jarvis:update", (event) => {
  const changed = new Set(event.detail.changed || []);
  for (const part of parts) {
    const deps = (part.dataset.sections || "").split(/\s+/);
    if (deps.some((name) => changed.has(name))) refresh(part);
  }
});

// Archive and delete buttons on instance cards: the JSON API, then the stream brings the new page state.
document.addEventListener("click", async (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-instance-action]") : null;
  if (!button) return;
  const action = button.dataset.instanceAction;
  if (action === "delete" && !window.confirm(button.dataset.confirm || "Delete this instance?")) return;
  const url = `/api/instances/${encodeURIComponent(button.dataset.instance)}${action === "archive" ? "/archive" : ""}`;
  button.disabled = true;
  try {
    const response = await fetch(url, { method: action === "archive" ? "POST" : "DELETE", headers: { accept: "application/json" } });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      announce(body && body.error ? body.error : `Could not ${action} it (HTTP ${response.status}).`);
      button.disabled = false;
      return;
    }
    announce(action === "archive" ? "Archived." : "Deleted.");
  } catch {
    announce(`Could not ${action} it: the server did not answer.`);
    button.disabled = false;
  }
});
