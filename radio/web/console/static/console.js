// Loa Xã console: every change goes through the REST API, with the session's CSRF token.
"use strict";

const LANG = document.body.dataset.lang || "vi";
const CSRF = document.querySelector('meta[name="csrf"]').content;

async function api(method, url, body) {
  const options = { method, headers: { "X-CSRF-Token": CSRF }, credentials: "same-origin" };
  if (body instanceof FormData) {
    options.body = body;
  } else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const error = (data && data.error) || { vi: `Lỗi ${response.status}`, en: `Error ${response.status}` };
    throw Object.assign(new Error(error[LANG] || error.vi), { error, status: response.status });
  }
  return data;
}

function fields(form) {
  // The form as the API's JSON: numbers stay numbers, checkbox groups become lists.
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.dataset.skip !== undefined) continue;
    if (el.dataset.optional !== undefined && el.value === "") {
      body[el.name] = null; // left empty: not set, rather than an empty string
      continue;
    }
    if (el.dataset.list !== undefined) {
      body[el.name] = body[el.name] || [];
      if (el.checked) body[el.name].push(el.type === "checkbox" && /^\d+$/.test(el.value) ? Number(el.value) : el.value);
    } else if (el.type === "checkbox") {
      body[el.name] = el.checked;
    } else if (el.type === "radio") {
      if (el.checked) body[el.name] = el.value;
    } else if (el.dataset.hanoi !== undefined) {
      body[el.name] = el.value ? `${el.value}:00+07:00` : null; // the console's times are Hà Nội's
    } else if (el.dataset.number !== undefined) {
      body[el.name] = Number(el.value);
    } else if (el.type === "number" || el.type === "range") {
      body[el.name] = el.value === "" ? null : Number(el.value);
    } else if (el.type !== "file" && el.type !== "submit" && el.type !== "button") {
      body[el.name] = el.value;
    }
  }
  return body;
}

function showError(scope, exc) {
  const box = scope.querySelector(".error") || document.querySelector("main .error");
  scope.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
  const error = exc.error || {};
  for (const name of [error.field, ...(error.fields || [])].filter(Boolean)) {
    const el = scope.querySelector(`[name="${name.split(".")[0]}"]`);
    if (el) el.classList.add("invalid");
  }
  if (box) box.textContent = exc.message + (error.conflicts ? " — " + error.conflicts.join("; ") : "");
}

function fill(template, data) {
  return template.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(data && data[key] !== undefined ? data[key] : ""));
}

function busy(el, on) {
  el.toggleAttribute("aria-busy", on);
  el.querySelectorAll("button").forEach((b) => (b.disabled = on));
}

// <form data-api="METHOD /url" data-then="/next/{id}">: submit as JSON.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-api]");
  if (!form) return;
  event.preventDefault();
  const [method, url] = form.dataset.api.split(" ");
  busy(form, true);
  try {
    const data = await api(method, url, fields(form));
    if (form.dataset.login !== undefined) location.assign(form.dataset.then || "/");
    else if (form.dataset.show) document.querySelector(form.dataset.show).textContent = fill(form.dataset.showText || "{token}", data).replace(/%20/g, " ");
    else if (form.dataset.then) location.assign(fill(form.dataset.then, data));
    else location.reload();
  } catch (exc) {
    showError(form, exc);
  } finally {
    busy(form, false);
  }
});

// <button data-api="METHOD /url" [data-confirm="…"]>: one action, then reload.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-api]");
  if (button) {
    if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
    const [method, url] = button.dataset.api.split(" ");
    const scope = button.closest("section, form, main");
    busy(scope, true);
    try {
      await api(method, url, button.dataset.body ? JSON.parse(button.dataset.body) : undefined);
      location.reload();
    } catch (exc) {
      showError(scope, exc);
    } finally {
      busy(scope, false);
    }
    return;
  }
  const toggle = event.target.closest(".menu-toggle");
  if (toggle) {
    const open = toggle.closest(".top").classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
    return;
  }
  if (event.target.closest("[data-logout]")) {
    await fetch("/api/auth/logout", { method: "POST", headers: { "X-CSRF-Token": CSRF } });
    location.assign("/login");
  }
});

// The voice catalog: pull a voice and follow its progress.
document.querySelectorAll("button[data-pull]").forEach((button) => {
  button.addEventListener("click", async () => {
    const id = button.dataset.pull;
    const bar = document.querySelector(`progress[data-for="${id}"]`);
    const row = button.closest("tr");
    bar.hidden = false;
    try {
      await api("POST", `/api/voices/${encodeURIComponent(id)}/pull`);
      for (;;) {
        const state = await api("GET", `/api/voices/${encodeURIComponent(id)}/pull`);
        if (state.total) { bar.max = state.total; bar.value = state.done; }
        if (state.state === "installed") { location.reload(); return; }
        if (state.state === "failed") throw Object.assign(new Error(state.error), { error: {} });
        await new Promise((r) => setTimeout(r, 500));
      }
    } catch (exc) {
      row.querySelector(".error").textContent = exc.message;
    }
  });
});

// Emergency: the first click shows what will be interrupted; the second broadcasts.
const emergency = document.getElementById("emergency");
if (emergency) {
  const confirmBox = document.getElementById("confirm-box");
  emergency.addEventListener("submit", (event) => {
    event.preventDefault();
    const zones = [...emergency.querySelectorAll('input[name="zones"]:checked')].map((el) => el.value);
    confirmBox.querySelectorAll("li[data-zone]").forEach((li) => (li.hidden = !zones.includes(li.dataset.zone)));
    confirmBox.hidden = false;
  });
  document.getElementById("cancel-emergency").addEventListener("click", () => (confirmBox.hidden = true));
  document.getElementById("confirm-emergency").addEventListener("click", async () => {
    const body = fields(emergency);
    busy(confirmBox, true);
    try {
      const made = await api("POST", "/api/announcements", {
        title: body.title, text: body.text, voice: body.voice, priority: "emergency",
      });
      await api("POST", "/api/emergency", { announcement_id: made.id, zones: body.zones });
      location.assign("/");
    } catch (exc) {
      showError(emergency, exc);
      confirmBox.hidden = true;
    } finally {
      busy(confirmBox, false);
    }
  });
}

// Emergency templates: fill the fields, confirm, and it is on air.
document.querySelectorAll("form[data-template]").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!confirm(form.dataset.confirm)) return;
    const body = fields(form);
    const filled = {};
    form.querySelectorAll("[data-field]").forEach((el) => (filled[el.name] = el.value));
    busy(form, true);
    try {
      await api("POST", `/api/templates/${form.dataset.template}/emergency`, {
        fields: filled, zones: body.zones, repeat_minutes: body.repeat_minutes,
      });
      location.assign("/");
    } catch (exc) {
      showError(form, exc);
    } finally {
      busy(form, false);
    }
  });
});

// A bulletin to the communes: text read by a voice, or a recording if one is chosen.
const bulletin = document.getElementById("bulletin");
if (bulletin) {
  bulletin.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = fields(bulletin);
    const file = document.getElementById("recording").files[0];
    busy(bulletin, true);
    try {
      if (file) {
        const data = new FormData();
        data.append("title", body.title);
        data.append("level", body.level);
        body.communes.forEach((c) => data.append("communes", c));
        data.append("file", file);
        await api("POST", "/api/bulletins/audio", data);
      } else {
        await api("POST", "/api/bulletins", body);
      }
      location.reload();
    } catch (exc) {
      showError(bulletin, exc);
    } finally {
      busy(bulletin, false);
    }
  });
}
