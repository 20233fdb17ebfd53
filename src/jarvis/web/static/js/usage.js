// Tells the proactive engine what the user opens (a page, a section brought into view), so it
// can learn usage patterns. Fire-and-forget: failures are ignored.
const URL = "/api/proactive/user-action";
const KEY = "jarvis.session";

function sessionId() {
  try {
    let id = sessionStorage.getItem(KEY);
    if (!id) {
      id = (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random().toString(16).slice(2);
      sessionStorage.setItem(KEY, id);
    }
    return id;
  } catch {
    return "anonymous";
  }
}

export function track(actionType, target, context = {}) {
  try {
    fetch(URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ actionType, target, context, sessionId: sessionId() }),
      keepalive: true,
    }).catch(() => {});
  } catch {
    /* ignored */
  }
}

const page = document.body.dataset.page || location.pathname;
track("page_view", page, { path: location.pathname });

// Sections opened: the first time each one scrolls into view.
const seen = new Set();
if ("IntersectionObserver" in window) {
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const name = entry.target.dataset.section;
      if (entry.isIntersecting && name && !seen.has(name)) {
        seen.add(name);
        track("section_view", name, { page });
        observer.unobserve(entry.target);
      }
    }
  }, { threshold: 0.3 });
  for (const el of document.querySelectorAll("[data-section]")) observer.observe(el);
}
