// The compose page's mixed programme: parts in order (a text read by the voice, a recording
// in its language, a pause, the chime), added, moved and removed here; compose.js's save()
// sends them with the recordings' files. A recording already saved is named by its hash.
"use strict";

const mixing = { sent: "" };
const partList = document.getElementById("parts");
const partTemplate = document.getElementById("part-template");

function addPart(kind, stored = {}) {
  const item = partTemplate.content.firstElementChild.cloneNode(true);
  item.dataset.kind = kind;
  item.querySelector(".kind").textContent = document.querySelector(`.add-part[data-kind="${kind}"]`).textContent.replace(/^\+\s*/, "");
  item.querySelectorAll("[data-for]").forEach((div) => (div.hidden = div.dataset.for !== kind));
  if (kind === "text") item.querySelector(".part-text").value = stored.text || "";
  if (kind === "recording") {
    item.dataset.program = stored.program || "";
    item.querySelector(".part-kept").hidden = !stored.program;
    item.querySelector(".part-language").value = stored.language || "tyz";
    item.querySelector(".part-summary").value = stored.summary || "";
  }
  if (kind === "pause") item.querySelector(".part-seconds").value = stored.seconds || 1;
  if (kind === "chime") item.querySelector(".part-rising").value = String(stored.rising !== false);
  item.querySelectorAll("[data-for][hidden]").forEach((div) => div.remove());
  partList.append(item);
  return item;
}

function mixParts() {
  // The parts as the API takes them, and the files the new recordings send.
  const files = [];
  const parts = [...partList.children].map((item) => {
    const kind = item.dataset.kind;
    if (kind === "text") return { kind, text: item.querySelector(".part-text").value };
    if (kind === "pause") return { kind, seconds: Number(item.querySelector(".part-seconds").value) };
    if (kind === "chime") return { kind, rising: item.querySelector(".part-rising").value === "true" };
    const part = { kind, language: item.querySelector(".part-language").value, summary: item.querySelector(".part-summary").value };
    const file = item.querySelector(".part-file").files[0];
    if (file) {
      part.file = files.length;
      files.push(file);
    } else if (item.dataset.program) {
      part.program = item.dataset.program;
    }
    return part;
  });
  return { parts, files };
}

async function saveMix(form, say) {
  const id = form.elements.id.value;
  const { parts, files } = mixParts();
  const labels = ["title", "voice", "rate", "priority"].map((n) => form.elements[n].value);
  const signature = JSON.stringify([parts, labels, files.map((f) => [f.name, f.size, f.lastModified])]);
  if (id && signature === mixing.sent) return api("GET", `/api/announcements/${id}`);
  const data = new FormData();
  ["title", "voice", "rate", "priority"].forEach((n, i) => data.append(n, labels[i]));
  data.append("parts", JSON.stringify(parts));
  files.forEach((file) => data.append("files", file));
  const saved = await api("POST", id ? `/api/announcements/${id}/mixed` : "/api/announcements/mixed", data);
  // Sent once: from now on each recording is named by the hash the server made of it.
  [...partList.children].forEach((item, index) => {
    const stored = saved.revision.parts[index];
    if (stored.kind !== "recording") return;
    item.dataset.program = stored.program;
    item.querySelector(".part-file").value = "";
    item.querySelector(".part-kept").hidden = false;
  });
  mixing.sent = JSON.stringify([mixParts().parts, labels, []]);
  return saved;
}

document.querySelectorAll(".add-part").forEach((button) =>
  button.addEventListener("click", () => addPart(button.dataset.kind).querySelector("textarea, input, select")?.focus()),
);
partList.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  const item = button.closest("li");
  if (button.classList.contains("remove")) item.remove();
  if (button.classList.contains("move")) {
    const other = Number(button.dataset.by) < 0 ? item.previousElementSibling : item.nextElementSibling;
    if (other) Number(button.dataset.by) < 0 ? other.before(item) : other.after(item);
  }
});
JSON.parse(document.getElementById("stored-parts").textContent).forEach((part) => addPart(part.kind, part));
if (partList.children.length) {
  const form = document.getElementById("compose");
  const labels = ["title", "voice", "rate", "priority"].map((n) => form.elements[n].value);
  mixing.sent = JSON.stringify([mixParts().parts, labels, []]); // as saved: nothing to send yet
}
