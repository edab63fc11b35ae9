// The server's API as the chat page calls it: requests with the API key, their errors' text,
// and a streamed answer's server-sent events.
"use strict";

const KEY_ITEM = "lmc-api-key";

// The server's API with its key: a 401 asks for the key, again after each refusal, until one
// is taken or the user cancels.
async function api(path, init = {}) {
  for (;;) {
    const headers = Object.assign({ "Content-Type": "application/json" }, init.headers || {});
    const key = localStorage.getItem(KEY_ITEM);
    if (key) headers.Authorization = "Bearer " + key;
    const response = await fetch(path, Object.assign({}, init, { headers }));
    if (response.status !== 401) return response;
    localStorage.removeItem(KEY_ITEM);
    const entered = window.prompt(key ? "The server refused that API key; enter it again:"
                                      : "This server needs its API key:");
    if (!entered) return response;
    localStorage.setItem(KEY_ITEM, entered.trim());
  }
}

async function errorText(response) {
  try {
    const body = await response.json();
    return (body.error && body.error.message) || response.statusText;
  } catch (e) {
    return response.status + " " + response.statusText;
  }
}

// Reads the server-sent events of a streamed chat completion, calling onEvent per JSON event;
// whether the stream ended as the server ends it ([DONE]), not cut short.
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return false;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) {
        if (!line.startsWith("data: ")) continue;
        const data = line.slice(6);
        if (data === "[DONE]") return true;
        onEvent(JSON.parse(data));
      }
    }
  }
}
