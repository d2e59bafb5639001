// The live page: the microphone (getUserMedia) at the broadcast rate, a countdown, then
// its PCM over a WebSocket to /api/live (radio/web/routes/live.py says the exchange) with
// a level meter, the on-air indicator and the time elapsed, until the officer ends it.
"use strict";

const form = document.getElementById("live");
const say = (vi, en) => (LANG === "en" ? en : vi);
const indicator = document.getElementById("on-air");
const status = document.getElementById("status");
const goLive = document.getElementById("go-live");
const endLive = document.getElementById("end-live");
const wait = (ms) => new Promise((done) => setTimeout(done, ms));
let speech = null; // { socket, mic, timer, ended }

async function microphone() {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  });
  const context = new AudioContext({ sampleRate: 22050, latencyHint: "interactive" });
  await context.audioWorklet.addModule("/static/live-worklet.js");
  const node = new AudioWorkletNode(context, "pcm-chunks");
  context.createMediaStreamSource(stream).connect(node);
  return { stream, context, node };
}

async function countdown() {
  const shown = document.getElementById("countdown");
  shown.hidden = false;
  for (const n of [3, 2, 1]) {
    shown.textContent = String(n);
    await wait(1000);
  }
  shown.hidden = true;
}

function connect(zones) {
  // Resolves once the server says the zones are on air; rejects with its reason.
  // This server, or the worker that plays out (the page says which).
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(form.dataset.url || `${scheme}://${location.host}/api/live`);
  socket.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    socket.onopen = () => socket.send(JSON.stringify({ csrf: CSRF, zones }));
    socket.onerror = () => reject(new Error(say("Không kết nối được máy chủ.", "Could not reach the server.")));
    socket.onmessage = (event) => {
      const said = JSON.parse(event.data);
      if (said.error) reject(Object.assign(new Error(said.error[LANG] || said.error.vi), { error: said.error }));
      else resolve({ socket, announcement: said.announcement });
    };
  });
}

function showOnAir(on) {
  indicator.textContent = on ? indicator.dataset.on : indicator.dataset.off;
  indicator.classList.toggle("off", !on);
  goLive.hidden = on;
  endLive.hidden = !on;
}

function release(mic) {
  mic.stream.getTracks().forEach((track) => track.stop());
  mic.context.close();
}

async function start() {
  const zones = fields(form).zones || [];
  if (!zones.length) throw Object.assign(new Error(say("Hãy chọn ít nhất một cụm loa.", "Choose at least one zone.")), { error: { field: "zones" } });
  const mic = await microphone(); // asks for the microphone before the countdown
  try {
    await countdown();
    const { socket, announcement } = await connect(zones);
    const began = Date.now();
    const elapsed = document.getElementById("elapsed");
    const timer = setInterval(() => {
      const s = Math.floor((Date.now() - began) / 1000);
      elapsed.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    }, 250);
    mic.node.port.onmessage = (event) => {
      document.getElementById("level").value = Math.min(1, event.data.rms * 3);
      if (socket.readyState === WebSocket.OPEN) socket.send(event.data.pcm);
    };
    speech = { socket, mic, timer, announcement };
    socket.onmessage = (event) => finished(JSON.parse(event.data));
    socket.onclose = () => finished(null);
    showOnAir(true);
  } catch (exc) {
    release(mic);
    throw exc;
  }
}

function finished(said) {
  if (!speech) return;
  const { mic, timer, announcement } = speech;
  speech = null;
  clearInterval(timer);
  release(mic);
  showOnAir(false);
  document.getElementById("level").value = 0;
  status.textContent = status.dataset.ended;
  if (said && said.program) {
    const link = document.createElement("a");
    link.href = `/announcements/${announcement}`;
    link.textContent = ` #${announcement}`;
    status.append(link);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  form.querySelector(".error").textContent = "";
  status.textContent = "";
  goLive.disabled = true;
  start()
    .catch((exc) => showError(form, exc))
    .finally(() => (goLive.disabled = false));
});

endLive.addEventListener("click", () => {
  if (speech && speech.socket.readyState === WebSocket.OPEN) speech.socket.send("stop");
});

window.addEventListener("beforeunload", (event) => {
  if (speech) event.preventDefault(); // on air: leaving would cut the speech
});
