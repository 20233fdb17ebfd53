// Voice input through the browser's speech recognition, where the browser has it. Elsewhere the
// microphone button is disabled and says why (it never pretends to listen).
export function setupVoice(button, note, input) {
  const Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  if (!Recognition) {
    const reason = "Voice input is not available: this browser has no speech recognition.";
    button.disabled = true;
    button.title = reason;
    button.setAttribute("aria-label", "Voice input (unavailable in this browser)");
    button.setAttribute("aria-describedby", note.id);
    note.textContent = reason;
    note.hidden = false;
    return;
  }
  let recognition = null;
  button.setAttribute("aria-pressed", "false");
  button.addEventListener("click", () => {
    if (recognition) {
      recognition.stop();
      return;
    }
    recognition = new Recognition();
    recognition.lang = document.documentElement.lang || "en";
    recognition.interimResults = true;
    const before = input.value ? input.value.replace(/\s*$/, " ") : "";
    recognition.onresult = (event) => {
      let heard = "";
      for (const result of event.results) heard += result[0].transcript;
      input.value = before + heard;
    };
    recognition.onerror = (event) => {
      note.textContent = `Voice input stopped: ${event.error}.`;
      note.hidden = false;
    };
    recognition.onend = () => {
      recognition = null;
      button.setAttribute("aria-pressed", "false");
      button.classList.remove("listening");
      input.focus();
    };
    button.setAttribute("aria-pressed", "true");
    button.classList.add("listening");
    note.hidden = true;
    recognition.start();
  });
}
