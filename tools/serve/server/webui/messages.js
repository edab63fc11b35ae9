// What the chat page shows: the messages, an answer's markdown (parsed by marked, sanitized by
// DOMPurify, code highlighted by highlight.js), the buttons under a message, the busy state and
// the speed.
"use strict";

const $ = (id) => document.getElementById(id);

marked.setOptions({
  langPrefix: "hljs language-",
  // Only a named language is highlighted: guessing one over every grammar on each streamed piece is slow.
  highlight: (code, lang) => (lang && hljs.getLanguage(lang) ? hljs.highlight(lang, code, true).value : null),
});
// Markdown's tags only: no images, media, forms or styles, so an answer can neither run script
// nor fetch anything (an image URL would carry what the page shows to another server).
const ANSWER_HTML = {
  ALLOWED_TAGS: ["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre",
                 "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "span"],
  ALLOWED_ATTR: ["href", "title", "class", "align", "start"],
};
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {  // a link opens beside the chat, not in its place
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

// The one way the model's text reaches the page: markdown, parsed by marked, sanitized by DOMPurify.
function renderAnswer(element, text) {
  element.innerHTML = DOMPurify.sanitize(marked.parse(text), ANSWER_HTML);
}

// An answer with the model's reasoning above it: a collapsible "Thinking" block of plain text
// (never markup), open while the answer has not begun, then as the user left it.
function renderReply(element, reasoning, text) {
  const before = element.querySelector(":scope > details.thinking");
  renderAnswer(element, text);
  if (!reasoning) return;
  const block = document.createElement("details");
  block.className = "thinking";
  block.open = before ? before.open : !text;
  const summary = document.createElement("summary");
  summary.textContent = "Thinking";
  const body = document.createElement("div");
  body.className = "reasoning";
  body.textContent = reasoning;
  block.append(summary, body);
  element.prepend(block);
}

function addMessage(role, text) {
  const div = document.createElement("div");
  div.className = "message " + role;
  div.textContent = text;
  $("messages").appendChild(div);
  div.scrollIntoView({ block: "end" });
  return div;
}

// A question: its images as thumbnails above its text.
function addQuestion(text, images) {
  const div = addMessage("user", text);
  if (!images.length) return div;
  const row = document.createElement("div");
  row.className = "thumbnails";
  row.append(...images.map(thumbnail));
  div.prepend(row);
  return div;
}

// An image the user attached, shown small. Its source is only ever a data: URI read from the
// user's own file (attachments.js), so showing it fetches nothing.
function thumbnail(uri) {
  const img = document.createElement("img");
  img.className = "thumbnail";
  img.alt = "attached image";
  img.setAttribute("src", uri);
  return img;
}

// A row of buttons under a message, outside it so that the message holds only its text.
function addActions(kind, buttons) {
  const div = document.createElement("div");
  div.className = "actions " + kind;
  for (const [label, onClick] of buttons) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.className = label.toLowerCase();
    button.addEventListener("click", () => controller || onClick(button));
    div.appendChild(button);
  }
  $("messages").appendChild(div);
  div.scrollIntoView({ block: "end" });
  return div;
}

function setBusy(busy) {
  $("send").disabled = busy;
  $("stop").hidden = !busy;
  $("new-chat").disabled = busy;
}

function showSpeed(tokens, perSecond) {
  $("speed").textContent = tokens + " tokens, " + perSecond.toFixed(1) + " tokens/s";
}
