// The compose page's recording part: a recording uploaded (a phone's M4A, AMR…) or recorded
// here from the microphone, in a language the station labels. compose.js's save() sends it.
"use strict";

const recording = {
  file: null, // chosen or recorded, the next save sends it
  sent: "", // what the last save sent (the file and the form's fields), so it is sent once
  recorder: null,
};

function sourceMode() {
  return document.getElementById("compose").elements.source.value; // text, recording, mixed, relay
}

function showSource() {
  const mode = sourceMode();
  document.getElementById("recording-part").hidden = mode !== "recording";
  document.getElementById("text-part").hidden = mode !== "text";
  document.getElementById("mixed-part").hidden = mode !== "mixed";
  document.getElementById("relay-part").hidden = mode !== "relay";
  document.getElementById("voice-part").hidden = mode === "recording" || mode === "relay";
  document.getElementById("chime-choice").hidden = mode === "mixed";
}

function useRecording(file) {
  recording.file = file;
  const player = document.getElementById("recorded");
  player.src = URL.createObjectURL(file);
  player.hidden = false;
}

async function saveRecording(form, say) {
  // A new revision only when there is something new to send: the file or its labels.
  const id = form.elements.id.value;
  const labels = ["title", "language", "summary", "priority"].map((n) => form.elements[n].value);
  const file = recording.file;
  const signature = file ? JSON.stringify([file.name, file.size, file.lastModified, labels]) : "";
  if (!file || signature === recording.sent) {
    if (id) return api("GET", `/api/announcements/${id}`);
    throw Object.assign(new Error(say("Hãy chọn tệp hoặc ghi âm trước.", "Choose a file or record first.")), {
      error: { field: "recording-file" },
    });
  }
  const data = new FormData();
  data.append("file", file);
  ["title", "language", "summary", "priority"].forEach((n, i) => data.append(n, labels[i]));
  const saved = await api("POST", id ? `/api/announcements/${id}/recording` : "/api/announcements/recording", data);
  recording.sent = signature;
  return saved;
}

async function toggleRecording(button, say) {
  if (recording.recorder && recording.recorder.state === "recording") {
    recording.recorder.stop();
    return;
  }
  if (!navigator.mediaDevices || !window.MediaRecorder) {
    throw new Error(say("Trình duyệt này không ghi âm được: hãy tải tệp lên.", "This browser cannot record: upload a file."));
  }
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  const chunks = [];
  const recorder = new MediaRecorder(stream);
  const started = Date.now();
  const clock = document.getElementById("record-time");
  const timer = setInterval(() => (clock.textContent = `${Math.floor((Date.now() - started) / 1000)} s`), 250);
  recorder.ondataavailable = (event) => chunks.push(event.data);
  recorder.onstop = () => {
    clearInterval(timer);
    stream.getTracks().forEach((track) => track.stop());
    const type = recorder.mimeType || "audio/webm";
    useRecording(new File(chunks, `ghi-am-${started}.webm`, { type, lastModified: started }));
    button.textContent = button.dataset.start;
    button.classList.remove("danger");
  };
  recording.recorder = recorder;
  recorder.start(250);
  button.textContent = button.dataset.stop;
  button.classList.add("danger");
}

document.querySelectorAll('input[name="source"]').forEach((radio) => radio.addEventListener("change", showSource));
document.getElementById("recording-file").addEventListener("change", (event) => {
  if (event.target.files[0]) useRecording(event.target.files[0]);
});
