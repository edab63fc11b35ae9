// Images attached to a question, offered when the model sees them (/props: modalities.vision,
// lmc serve --mmproj): the attach button (or a paste, or a drop on the composer) takes PNG and
// JPEG files, read as data URIs and shown as thumbnails in the composer, each with a remove
// control, until the question is sent. They go before its text as OpenAI image_url parts, and
// stay with the turn, in the browser's storage too. The conversations' images share that
// storage's few MB, so a file past MAX_IMAGE_BYTES is refused with a note saying why.
"use strict";

const IMAGE_TYPES = ["image/png", "image/jpeg"];
const MAX_IMAGE_BYTES = 1 << 20;
let attached = [];  // the composer's images, data URIs
let seesImages = false;

function readDataUri(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function megabytes(bytes) {
  return (bytes / (1 << 20)).toFixed(1) + " MB";
}

// Attaches the PNG and JPEG files among files; the others are named in the composer's note.
async function attachFiles(files) {
  const refused = [];
  for (const file of files) {
    if (!IMAGE_TYPES.includes(file.type)) {
      refused.push(file.name + " is not a PNG or JPEG image");
    } else if (file.size > MAX_IMAGE_BYTES) {
      refused.push(file.name + " is " + megabytes(file.size) + ", past the " + megabytes(MAX_IMAGE_BYTES) +
                   " an image may have here (images are kept in the browser's small storage)");
    } else {
      try {
        attached.push(await readDataUri(file));
      } catch (e) {
        refused.push(file.name + " could not be read: " + e.message);
      }
    }
  }
  $("attach-note").textContent = refused.join("; ");
  $("attach-note").hidden = !refused.length;
  showAttachments();
}

// Puts images (data URIs) in the composer beside those already there.
function attach(images) {
  attached.push(...images);
  showAttachments();
}

function showAttachments() {
  const items = attached.map((uri, i) => {
    const item = document.createElement("span");
    item.className = "attachment";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove";
    remove.title = "Remove this image";
    remove.textContent = "\u00d7";
    remove.addEventListener("click", () => {
      attached.splice(i, 1);
      showAttachments();
    });
    item.append(thumbnail(uri), remove);
    return item;
  });
  $("attachments").replaceChildren(...items);
  $("attachments").hidden = !attached.length;
}

// The composer's images, leaving it empty: a question takes them.
function takeAttachments() {
  const images = attached;
  attached = [];
  $("attach-note").hidden = true;
  showAttachments();
  return images;
}

// A question's content: its text alone, or its images as image_url parts and then its text.
function questionContent(text, images) {
  if (!images || !images.length) return text;
  const parts = images.map((url) => ({ type: "image_url", image_url: { url } }));
  if (text) parts.push({ type: "text", text });
  return parts;
}

// The attach button is shown once the server says its model sees images.
function offerAttaching(vision) {
  seesImages = Boolean(vision);
  $("attach").hidden = !seesImages;
}

function filesOf(transfer) {
  return transfer ? [...transfer.files] : [];
}

$("attach").addEventListener("click", () => $("attach-file").click());
$("attach-file").addEventListener("change", () => {
  attachFiles([...$("attach-file").files]);
  $("attach-file").value = "";  // the same file picked again is a change again
});
$("prompt").addEventListener("paste", (e) => {
  const files = filesOf(e.clipboardData);
  if (!seesImages || !files.length) return;
  e.preventDefault();
  attachFiles(files);
});
$("composer").addEventListener("dragover", (e) => {
  if (seesImages) e.preventDefault();  // a drop is taken only when images are
});
$("composer").addEventListener("drop", (e) => {
  if (!seesImages) return;
  e.preventDefault();
  attachFiles(filesOf(e.dataTransfer));
});
