// The compose page: reading preview with lexicon fixes, audio preview, clash check, submit.
// A recording instead of text is recording.js's; parts, mixing.js's.
"use strict";

const form = document.getElementById("compose");
const say = (vi, en) => (LANG === "en" ? en : vi);
const status = document.getElementById("status");
const error = form.querySelector(".error");

function draft() {
  const body = fields(form);
  return {
    title: body.title, text: body.text, voice: body.voice, rate: body.rate,
    chime: body.chime, priority: body.priority,
  };
}

async function save() {
  // Create the announcement the first time, then revise it: nothing typed is lost.
  const id = form.elements.id.value;
  const mode = sourceMode();
  const saved = mode === "recording"
    ? await saveRecording(form, say)
    : mode === "mixed"
      ? await saveMix(form, say)
      : mode === "relay"
      ? await saveRelay(id)
      : id
      ? await api("PUT", `/api/announcements/${id}`, draft())
      : await api("POST", "/api/announcements", draft());
  form.elements.id.value = saved.id;
  history.replaceState(null, "", `/compose?id=${saved.id}`);
  return saved;
}

let relaySent = ""; // what the last save of a relay sent: a new revision only for a change

function relayOf() {
  // A relay: which source and for how long (the API takes seconds).
  const body = fields(form);
  return {
    title: body.title, priority: body.priority, source_id: Number(form.elements.relay_source?.value),
    seconds: Math.round(Number(form.elements.relay_minutes?.value || 0) * 60),
  };
}
// A relay opened to edit is saved as it is: only a change makes a revision.
if (form.elements.id.value && form.elements.source.value === "relay") relaySent = JSON.stringify(relayOf());

async function saveRelay(id) {
  const relay = relayOf();
  const signature = JSON.stringify(relay);
  if (id && signature === relaySent) return api("GET", `/api/announcements/${id}`);
  const saved = await api("POST", id ? `/api/announcements/${id}/relay` : "/api/announcements/relay", relay);
  relaySent = signature;
  return saved;
}

document.getElementById("hear-source")?.addEventListener("click", () => {
  const chosen = form.elements.relay_source.selectedOptions[0];
  const player = document.getElementById("source-sample");
  if (!chosen.dataset.sample) {
    status.textContent = say("Nguồn này chưa được kiểm tra.", "This source has not been tested yet.");
    return;
  }
  player.src = chosen.dataset.sample;
  player.hidden = false;
  player.play().catch(() => {});
});

function slot(id) {
  const body = fields(form);
  const slot = { announcement_id: Number(id), zones: body.zones, repeats: body.repeats || 1 };
  if (slot.repeats > 1) slot.repeat_gap_s = Math.round((body.repeat_gap || 0) * 60);
  if (body.mode === "once") {
    slot.at = body.at ? `${body.at}:00+07:00` : null;
  } else {
    slot.times = body.times.split(/[,\s]+/).filter(Boolean);
    slot.weekdays = body.weekdays;
    slot.start_date = body.start_date || null;
    slot.end_date = body.end_date || null;
  }
  return slot;
}

async function step(label, work) {
  error.textContent = "";
  status.textContent = label;
  busy(form, true);
  try {
    await work();
  } catch (exc) {
    status.textContent = "";
    showError(form, exc);
  } finally {
    busy(form, false);
  }
}

function escape(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// Which rule read a span, named for the officer (the API gives the rule's `kind`).
const RULES = {
  lexicon: ["từ điển của xã", "the commune's lexicon"],
  loanword: ["từ ngoại lai, từ số", "loanword, digital term"],
  abbreviation: ["chữ viết tắt", "abbreviation"],
  acronym: ["đánh vần chữ viết tắt", "acronym spelled"],
  number: ["số", "number"],
  date: ["ngày tháng", "date"],
  time: ["giờ", "time"],
  range: ["khoảng (đến)", "range"],
  road: ["đường, cột cây số", "road, kilometre post"],
  roman: ["số La Mã", "Roman numeral"],
  heading: ["số đề mục", "heading number"],
  fraction: ["đạt trên tổng", "done of total"],
  ordinal: ["số thứ tự", "ordinal"],
  phone: ["số điện thoại", "phone number"],
  money: ["tiền", "money"],
  percent: ["phần trăm", "percent"],
  measure: ["đơn vị đo", "unit"],
  document: ["số văn bản", "document number"],
  url: ["địa chỉ mạng, thư điện tử", "web or e-mail address"],
  symbol: ["ký hiệu", "symbol"],
};
const ruleName = (kind) => (RULES[kind] ? say(...RULES[kind]) : kind);

async function showReading() {
  const { lines, lexicon_problems: problems } = await api("POST", "/api/reading", { text: form.elements.text.value, voice: form.elements.voice.value });
  const html = lines.map((line) => {
    let out = "", at = 0;
    for (const r of line.rewrites) {
      out += escape(line.cleaned.slice(at, r.start));
      out += `<mark class="k-${escape(r.kind)}" title="${escape(ruleName(r.kind))}" data-written="${escape(r.original)}">${escape(r.original)}<small>${escape(r.reading)}</small></mark>`;
      at = r.end;
    }
    return `<p>${out + escape(line.cleaned.slice(at))}</p>`;
  });
  document.getElementById("reading").innerHTML = html.join("");
  const notice = document.getElementById("lexicon-problems");
  notice.hidden = problems.length === 0;
  notice.innerHTML =
    `<p>${say("Các dòng này trong từ điển cách đọc bị bỏ qua cho đến khi được sửa:", "These lexicon lines are left out until they are fixed:")}</p>` +
    problems.map((p) => `<code>${escape(p)}</code>`).join("<br>");
  document.getElementById("reading-box").hidden = false;
  status.textContent = "";
}

document.getElementById("reading").addEventListener("click", (event) => {
  const mark = event.target.closest("mark");
  if (!mark) return;
  document.getElementById("written").value = mark.dataset.written;
  document.getElementById("spoken").value = mark.querySelector("small").textContent;
  document.getElementById("spoken").focus();
});

document.getElementById("add-lexicon").addEventListener("click", () =>
  step(say("Đang lưu…", "Saving…"), async () => {
    await api("POST", "/api/lexicon", {
      written: document.getElementById("written").value,
      spoken: document.getElementById("spoken").value,
    });
    await showReading();
  }),
);

document.getElementById("show-reading").addEventListener("click", () => step(say("Đang phân tích…", "Reading…"), showReading));

document.getElementById("hear-voice").addEventListener("click", () => {
  const player = document.getElementById("voice-sample");
  player.src = `/api/voices/${encodeURIComponent(form.elements.voice.value)}/sample.mp3`;
  player.hidden = false;
  player.play().catch(() => {});
});

document.getElementById("file").addEventListener("change", (event) => {
  const file = event.target.files[0];
  if (!file) return;
  step(say("Đang đọc tệp…", "Reading the file…"), async () => {
    const data = new FormData();
    data.append("file", file);
    data.append("title", form.elements.title.value || file.name.replace(/\.txt$/i, ""));
    data.append("voice", form.elements.voice.value);
    data.append("rate", form.elements.rate.value);
    const made = await api("POST", "/api/announcements/upload", data);
    form.elements.id.value = made.id;
    form.elements.text.value = made.revision.text;
    form.elements.title.value = made.title;
    history.replaceState(null, "", `/compose?id=${made.id}`);
    status.textContent = "";
  });
});

document.getElementById("record").addEventListener("click", (event) =>
  toggleRecording(event.currentTarget, say).catch((exc) => showError(form, exc)),
);

document.getElementById("preview").addEventListener("click", () =>
  step(document.getElementById("preview").dataset.working, async () => {
    const saved = await save();
    const program = await api("POST", `/api/announcements/${saved.id}/preview`);
    const player = document.getElementById("player");
    player.src = program.audio_url;
    player.hidden = false;
    status.textContent = `${program.duration.toFixed(1)} s`;
  }),
);

document.getElementById("check").addEventListener("click", () =>
  step(say("Đang kiểm tra…", "Checking…"), async () => {
    const saved = await save();
    const result = await api("POST", "/api/slots?check=true", slot(saved.id));
    const box = document.getElementById("clashes");
    box.className = result.conflicts.length || !result.fits ? "notice bad" : "notice good";
    box.textContent = result.conflicts.length
      ? `${box.dataset.conflicts} ${result.conflicts.join("; ")}`
      : `${box.dataset.ok} ${result.next.map((t) => t.slice(11, 16) + " " + t.slice(8, 10) + "/" + t.slice(5, 7)).join(", ")}`;
    const fit = document.getElementById("fit");
    fit.textContent = `≈ ${Math.round(result.estimated_seconds)} s. `;
    if (!result.fits) {
      fit.textContent += say(
        `Chỉ còn ${Math.round(result.room_seconds)} s trước mục tiếp theo.`,
        `Only ${Math.round(result.room_seconds)} s until the next item.`,
      );
      if (result.rate_to_fit) {
        const use = document.createElement("button");
        use.type = "button";
        use.className = "secondary";
        use.textContent = say(`Đọc ở tốc độ ${result.rate_to_fit} cho vừa`, `Read at ${result.rate_to_fit} to fit`);
        use.addEventListener("click", () => {
          form.elements.rate.value = result.rate_to_fit;
          document.getElementById("rate-value").textContent = result.rate_to_fit;
          use.remove();
        });
        fit.append(" ", use);
      }
    }
    status.textContent = "";
  }),
);

document.getElementById("save").addEventListener("click", () =>
  step(say("Đang lưu…", "Saving…"), async () => {
    await save();
    status.textContent = say("Đã lưu nháp.", "Draft saved.");
  }),
);

form.addEventListener("submit", (event) => {
  event.preventDefault();
  step(document.getElementById("preview").dataset.working, async () => {
    const saved = await save();
    await api("POST", "/api/slots", slot(saved.id));
    await api("POST", `/api/announcements/${saved.id}/submit`);
    location.assign(`/announcements/${saved.id}`);
  });
});

form.querySelectorAll('input[name="mode"]').forEach((radio) =>
  radio.addEventListener("change", () => {
    const once = form.elements.mode.value === "once";
    document.getElementById("once").hidden = !once;
    document.getElementById("recurring").hidden = once;
  }),
);
form.elements.rate.addEventListener("input", () => (document.getElementById("rate-value").textContent = form.elements.rate.value));
