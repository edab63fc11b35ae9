// A turn of the chat: its question (text, and images when the model sees them), its request
// (the answered turns before it, the settings), its streamed answer, and what follows it: kept as
// a turn (Copy, Regenerate, cut off) or marked failed (Retry, Edit). Each keeps the question's
// images.
"use strict";

// The answered turns, what the next request carries: {user, images, answer, question, reply, ...}.
let turns = [];
let controller = null;  // the answer being streamed, to stop it
let inflight = null;    // that answer as far as it came, {user, images, answer, reasoning}: stored as it streams
let leaving = false;    // the page is being left: the turn stays as stored then

function requestBody(text, images) {
  const body = { messages: requestMessages(text, images), stream: true };
  const system = $("system").value.trim();
  if (system) body.messages.unshift({ role: "system", content: system });
  for (const [field, id] of Object.entries(SAMPLING)) {
    if ($(id).value !== "") body[field] = Number($(id).value);
  }
  return body;
}

function requestMessages(text, images) {
  const messages = [];
  for (const turn of turns) {
    messages.push({ role: "user", content: questionContent(turn.user, turn.images) },
                  { role: "assistant", content: turn.answer });
  }
  messages.push({ role: "user", content: questionContent(text, images) });
  return messages;
}

async function send(text, images) {
  // A failed turn left above stays marked, but only the last one offers retry and edit.
  for (const stale of document.querySelectorAll(".actions.error")) stale.remove();
  await answer(text, images, addQuestion(text, images));
}

// Streams the answer to text after the answered turns. An answer (a stopped one too: the
// conversation carries on from what was shown) becomes a turn, and so does one whose connection
// dropped after some text came, marked cut; a failure before any text is marked and left out of
// later requests.
async function answer(text, images, question) {
  const reply = addMessage("assistant", "");
  reply.classList.add("streaming");
  controller = new AbortController();
  setBusy(true);
  const started = performance.now();
  let raw = "";
  let reasoning = "";  // the answer's reasoning_content deltas, shown above it and never sent back
  let pieces = 0;
  let failure = null;
  inflight = { user: text, images, answer: "", reasoning: "" };
  saveConversation();  // the question at once
  try {
    const response = await api("/v1/chat/completions", {
      method: "POST", signal: controller.signal,
      body: JSON.stringify(requestBody(text, images)),
    });
    if (!response.ok) throw new Error(await errorText(response));
    const ended = await readEvents(response, (event) => {
      if (event.error) throw new Error(event.error.message);
      const choice = event.choices && event.choices[0];
      const delta = (choice && choice.delta) || {};
      if (delta.content || delta.reasoning_content) {
        raw += delta.content || "";
        reasoning += delta.reasoning_content || "";
        renderReply(reply, reasoning, raw);
        Object.assign(inflight, { answer: raw, reasoning });
        saveStreaming();
        pieces += 1;
        showSpeed(pieces, pieces / ((performance.now() - started) / 1000));
        reply.scrollIntoView({ block: "end" });
      }
      if (event.timings) showSpeed(event.timings.predicted_n, event.timings.predicted_per_second);
    });
    if (!ended) throw new Error("the connection closed before the answer ended");
  } catch (e) {
    if (e.name !== "AbortError") failure = String(e.message || e);
  } finally {
    reply.classList.remove("streaming");
    controller = null;
    inflight = null;
    setBusy(false);
  }
  // Leaving the page ends the stream (a network error), after pagehide stored the turn: that
  // failure must not replace it, nor drop a question that had no answer yet.
  if (leaving) return;
  if (failure === null && !raw && !reasoning) failure = "no answer";
  if (failure === null || raw || reasoning) {
    keepTurn({ user: text, images, answer: raw, reasoning, cut: failure || undefined, question, reply });
  } else {
    reply.remove();
    markFailed(text, images, question, failure);
  }
  saveConversation();
  $("prompt").focus();
}

function keepTurn(turn) {
  for (const earlier of turns) earlier.actions.querySelector(".regenerate").hidden = true;
  turns.push(turn);
  turn.actions = addActions("assistant", [
    ["Copy", (button) => copy(turn.answer, button)],
    ["Regenerate", () => regenerate(turn)],
  ]);
  if (!turn.cut) return;
  turn.reply.classList.add("cut");
  const note = document.createElement("span");
  note.className = "cut-note";
  note.textContent = "Cut off: " + turn.cut;
  turn.actions.appendChild(note);
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch (e) {
    button.textContent = "Copy failed";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 1500);
}

function regenerate(turn) {
  if (turns[turns.length - 1] !== turn) return;
  turns.pop();
  turn.reply.remove();
  turn.actions.remove();
  answer(turn.user, turn.images, turn.question);
}

function markFailed(text, images, question, why) {
  question.classList.add("failed");
  const error = addMessage("error", why);
  const actions = addActions("error", [
    ["Retry", () => { clear(); answer(text, images, question); }],
    ["Edit", () => {
      clear();
      question.remove();
      $("prompt").value = text;
      attach(images);
      $("prompt").focus();
    }],
  ]);
  function clear() {
    error.remove();
    actions.remove();
    question.classList.remove("failed");
  }
}
