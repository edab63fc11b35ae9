// The chat page's start: the composer's and the header's buttons, the settings and the
// conversation reopened from the browser's storage, the model's name, and whether it sees images.
"use strict";

$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("prompt").value.trim();
  if ((!text && !attached.length) || controller) return;
  $("prompt").value = "";
  send(text, takeAttachments());
});
$("prompt").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) {
    e.preventDefault();
    $("composer").requestSubmit();
  }
});
$("settings").addEventListener("input", settingsChanged);
showSettings(stored(SETTINGS_ITEM, {}));
const reopened = stored(CONVERSATIONS_ITEM, []).find((c) => c.id === localStorage.getItem(OPEN_ITEM));
if (reopened) openConversation(reopened);
listConversations();
window.addEventListener("pagehide", () => {
  if (!inflight) return;
  leaving = true;
  saveConversation();
});
$("stop").addEventListener("click", () => controller && controller.abort());
$("new-chat").addEventListener("click", () => {
  clearPage();
  listConversations();
  $("prompt").focus();
});

api("/v1/models").then(async (response) => {
  if (!response.ok) throw new Error(await errorText(response));
  const models = await response.json();
  $("model").textContent = models.data[0].id;
  document.title = models.data[0].id + " — lmc chat";
  const props = await api("/props");
  if (props.ok) offerAttaching(((await props.json()).modalities || {}).vision);
}).catch((e) => addMessage("error", "cannot reach the server: " + e.message));
