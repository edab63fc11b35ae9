// The conversations kept in the browser's local storage: saving the one on the page (the turn
// in flight too), listing, opening and deleting them.
"use strict";

// Reads an item this page stored; one it cannot read is dropped, and the page starts without it.
function stored(item, empty) {
  try {
    return JSON.parse(localStorage.getItem(item)) || empty;
  } catch (e) {
    localStorage.removeItem(item);
    return empty;
  }
}

// The conversations in the browser's storage, the latest first: their answered turns and settings,
// and the turn in flight as far as it came (marked cut: a reload finds it so). The one on the
// page is reopened after a reload.
const CONVERSATIONS_ITEM = "lmc-chat-conversations";
const OPEN_ITEM = "lmc-chat-open";
const LEFT_WHILE_STREAMING = "the page was left while the answer streamed";
let conversationId = null;  // the one on the page, once it has a turn

function saveConversation() {
  const kept = turns.map((t) => ({ user: t.user, images: t.images.length ? t.images : undefined, answer: t.answer,
                                   reasoning: t.reasoning, cut: t.cut }));
  if (inflight) kept.push(Object.assign({ cut: LEFT_WHILE_STREAMING }, inflight));
  if (!kept.length) {  // a first question that failed: nothing to keep
    if (conversationId) deleteConversation(conversationId);
    return;
  }
  conversationId = conversationId || String(Date.now());
  const others = stored(CONVERSATIONS_ITEM, []).filter((c) => c.id !== conversationId);
  const title = kept[0].user.slice(0, 80) || "Image";
  const conversation = { id: conversationId, title, settings: currentSettings(), turns: kept };
  storeConversations([conversation, ...others]);
  listConversations();
}

// Images can fill the browser's few MB of local storage: a conversation that does not fit is
// not stored (what was stored of it stays) and a note on the page says so, until one fits.
function storeConversations(conversations) {
  try {
    localStorage.setItem(CONVERSATIONS_ITEM, JSON.stringify(conversations));
    if (conversationId) localStorage.setItem(OPEN_ITEM, conversationId);
    $("storage-note").hidden = true;
  } catch (e) {
    $("storage-note").textContent = "This conversation does not fit in the browser's storage (" + e.name +
        "): it stays on this page, but a reload or another conversation loses what was not stored. " +
        "Deleting conversations with images makes room.";
    $("storage-note").hidden = false;
  }
}

// While an answer streams, its text is stored at most twice a second, and when the page is left.
let savedAt = 0;
function saveStreaming() {
  if (performance.now() - savedAt < 500) return;
  savedAt = performance.now();
  saveConversation();
}

function listConversations() {
  const items = stored(CONVERSATIONS_ITEM, []).map((conversation) => {
    const item = document.createElement("li");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "open" + (conversation.id === conversationId ? " current" : "");
    open.textContent = conversation.title;
    open.addEventListener("click", () => controller || openConversation(conversation));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "delete";
    remove.textContent = "Delete";
    remove.addEventListener("click", () => deleteConversation(conversation.id));
    item.append(open, remove);
    return item;
  });
  $("conversation-list").replaceChildren(...items);
}

// A turn cut before any text came (the page left at once) shows as a failed question.
function openConversation(conversation) {
  clearPage();
  conversationId = conversation.id;
  localStorage.setItem(OPEN_ITEM, conversationId);
  showSettings(conversation.settings || {});
  for (const turn of conversation.turns) {
    const images = turn.images || [];
    const question = addQuestion(turn.user, images);
    if (turn.cut && !turn.answer && !turn.reasoning) {
      markFailed(turn.user, images, question, turn.cut);
      continue;
    }
    const reply = addMessage("assistant", "");
    renderReply(reply, turn.reasoning || "", turn.answer);
    keepTurn({ user: turn.user, images, answer: turn.answer, reasoning: turn.reasoning || "", cut: turn.cut, question, reply });
  }
  listConversations();
}

function deleteConversation(id) {
  storeConversations(stored(CONVERSATIONS_ITEM, []).filter((c) => c.id !== id));
  if (id === conversationId) {
    conversationId = null;
    localStorage.removeItem(OPEN_ITEM);
  } else if (!$("storage-note").hidden) {
    saveConversation();  // the room made may fit the one on the page
  }
  listConversations();
}

function clearPage() {
  turns = [];
  conversationId = null;
  localStorage.removeItem(OPEN_ITEM);
  $("storage-note").hidden = true;
  $("messages").replaceChildren();
  $("speed").textContent = "";
}
