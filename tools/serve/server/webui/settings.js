// The settings: a system prompt and the sampling fields sent with each request, kept in the
// browser's storage as the conversation's and as the ones a new conversation starts with.
"use strict";

// The settings' request fields by input: an empty input leaves the server's default.
const SETTINGS_ITEM = "lmc-chat-settings";
const SAMPLING = { temperature: "temperature", top_p: "top-p", max_tokens: "max-tokens" };

function currentSettings() {
  const settings = { system: $("system").value };
  for (const [field, id] of Object.entries(SAMPLING)) settings[field] = $(id).value;
  return settings;
}

function showSettings(settings) {
  $("system").value = settings.system || "";
  for (const [field, id] of Object.entries(SAMPLING)) $(id).value = settings[field] || "";
}

// The settings are the conversation's, and the ones a new conversation starts with.
function settingsChanged() {
  localStorage.setItem(SETTINGS_ITEM, JSON.stringify(currentSettings()));
  saveConversation();
}
