"""Mouth to loudspeaker through the console: Debian's Chromium with a fake microphone that
hears a short tone every GAP_S (Chromium loops the file), on the live page; a receiver
reads the zone's stream as in bench/live.py.

When the microphone heard each tone is taken in the page: every binary message the page
sends is timed (the wall clock, `performance.timeOrigin + performance.now()`) and the
tone's first loud sample in it dates the onset back from the end of the message (the
worklet sends a message once its tenth of a second is full). Latency: from that moment to
the arrival of the first frame of the receiver's stream in which the tone is heard. What a
real microphone's own driver adds (a few ms) is not in it."""

from __future__ import annotations

import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import Page, sync_playwright

from bench.live import BURST_S, GAP_S, PASSWORD, _listen, _onsets, figures, station
from voices.audio.format import SAMPLE_RATE

CHROMIUM = "/usr/bin/chromium"
SPEAK_S = 20.0
# Every binary message the page sends, timed, with the index of its first loud sample.
TAP = """
const send = WebSocket.prototype.send;
window.__sent = [];
WebSocket.prototype.send = function (data) {
  if (data instanceof ArrayBuffer) {
    const pcm = new Int16Array(data);
    const loud = pcm.findIndex((v) => Math.abs(v) > 3000);
    window.__sent.push([performance.timeOrigin + performance.now(), pcm.length, loud]);
  }
  return send.call(this, data);
};
"""


def run(texts: list[str]) -> dict[str, object]:
    del texts
    with tempfile.TemporaryDirectory() as tmp, station(Path(tmp)) as (base, token):
        latencies = _measure(base, token, _tones(Path(tmp) / "mic.wav"))
    return {"tones": len(latencies), **figures(latencies)}


def _tones(path: Path) -> Path:
    """What the fake microphone hears, looped: a 330 Hz tone of BURST_S every GAP_S."""
    rate = 48000
    t = np.arange(round(BURST_S * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * 330 * t)
    period = np.concatenate([tone, np.zeros(round((GAP_S - BURST_S) * rate))])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.tile(period, 4) * 32767).astype(np.int16).tobytes())
    return path


def _measure(base: str, receiver: str, microphone: Path) -> list[float]:
    got: list[tuple[float, bytes]] = []
    stop = threading.Event()
    ear = threading.Thread(target=_listen, args=(f"{base}/stream/na-heo.mp3", receiver, got, stop))
    ear.start()
    fake = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
    ]
    flags = ["--no-sandbox", "--disable-gpu", "--no-first-run", *fake]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        page = browser.new_context().new_page()
        page.add_init_script(TAP)
        sent, ended = _speak(page, base)
        browser.close()
    time.sleep(2.0)
    stop.set()
    ear.join()
    heard = _onsets(got)
    spoken = [at for at in _captured(sent) if at < ended - GAP_S]  # aired before the end
    return [min((h for h in heard if h > s), default=float("inf")) - s for s in spoken]


def _speak(page: Page, base: str) -> tuple[list[Any], float]:
    """Live for SPEAK_S: what the page sent, and when the speaker pressed the end."""
    page.goto(f"{base}/login?next=/live")
    page.get_by_label("Tên đăng nhập").fill("vanhanh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/live")
    page.get_by_role("button", name="● Bắt đầu phát trực tiếp").click()
    page.locator("#on-air:not(.off)").wait_for(timeout=15_000)
    time.sleep(SPEAK_S)
    ended = float(page.evaluate("performance.timeOrigin + performance.now()")) / 1000
    page.get_by_role("button", name="■ Kết thúc").click()
    page.locator("#on-air.off").wait_for(timeout=15_000)
    sent: list[Any] = page.evaluate("window.__sent")
    return sent, ended


def _captured(sent: list[Any]) -> list[float]:
    """When each tone reached the page: its first loud sample after a quiet message (a
    tone split by a quiet tenth, as at the start, counts once)."""
    onsets: list[float] = []
    quiet = True
    for at_ms, length, loud in sent:
        at = at_ms / 1000 - (length - loud) / SAMPLE_RATE
        if loud >= 0 and quiet and (not onsets or at - onsets[-1] > GAP_S / 2):
            onsets.append(at)
        quiet = loud < 0
    return onsets[1:]  # the first may be cut by the start


def report(figures: dict[str, object]) -> None:
    print(f"live speech from Chromium's microphone to a receiver, {figures['tones']} tones")
    print(f"median {figures['median_s']:.3f} s, best {figures['best_s']:.3f} s,")
    print(f"worst {figures['worst_s']:.3f} s")
