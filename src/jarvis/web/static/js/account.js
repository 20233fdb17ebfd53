// Account and admin pages: forms and buttons marked data-api send JSON to the API (the gateway checks the
// origin), show the error next to its field, and reload (or go to data-done) when it worked. A new token
// (or a push monitor's URL) is shown once, in the form's <output data-token="field of the answer">.
function fieldsOf(form) {
  const body = {};
  for (const element of form.elements) {
    if (!element.name || element.disabled) continue;
    if (element.type === "checkbox") {
      if (!Array.isArray(body[element.name])) body[element.name] = [];
      if (element.checked) body[element.name].push(element.value);
    } else if (element.value !== "") {
      body[element.name] = element.value;
    }
  }
  return body;
}

function clearErrors(root) {
  for (const slot of root.querySelectorAll("[data-error-for]")) slot.textContent = "";
  const result = root.querySelector("[data-result]");
  if (result) {
    result.textContent = "";
    delete result.dataset.kind;
  }
}

function showError(root, payload, status) {
  const details = (payload && payload.details) || [];
  let placed = false;
  for (const detail of details) {
    const slot = root.querySelector(`[data-error-for="${CSS.escape(detail.field)}"]`);
    if (slot) {
      slot.textContent = detail.problem;
      placed = true;
    }
  }
  const result = root.querySelector("[data-result]");
  const message = (payload && payload.error) || `The server answered ${status}.`;
  if (result) result.textContent = message;
  else if (!placed) window.alert(message);
}

async function send(root, url, method, body) {
  clearErrors(root);
  const init = { method, headers: { accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    showError(root, { error: "The server cannot be reached; try again." }, 0);
    return;
  }
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    showError(root, payload, response.status);
    return;
  }
  const output = root.querySelector("[data-token]");
  const token = payload && payload.data && payload.data[(output && output.dataset.token) || "token"];
  if (token && output) {
    output.hidden = false;
    output.textContent = token;
    const result = root.querySelector("[data-result]");
    if (result) {
      result.dataset.kind = "ok";
      result.textContent = "Copy it now: it is shown only once. Reload the page to see it listed.";
    }
    return;
  }
  if (root.dataset.done) window.location.assign(root.dataset.done);
  else window.location.reload();
}

for (const form of document.querySelectorAll("form[data-api]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(form, form.dataset.api, form.dataset.method || "POST", fieldsOf(form));
  });
  if ("submitOnChange" in form.dataset) {
    form.addEventListener("change", () => send(form, form.dataset.api, form.dataset.method || "POST", fieldsOf(form)));
  }
}

for (const button of document.querySelectorAll("button[data-api]")) {
  button.addEventListener("click", () => {
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    send(button.closest("td, form, section") || document.body, button.dataset.api, button.dataset.method || "POST");
  });
}
