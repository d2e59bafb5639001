// The live page's microphone tap: the context runs at the broadcast rate (22,050 Hz);
// every tenth of a second of it goes to the page as 16-bit PCM, with its level (RMS).
"use strict";

class PcmChunks extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.round(sampleRate / 10);
    this.chunk = new Int16Array(this.size);
    this.at = 0;
    this.power = 0;
  }

  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (!input) return true;
    for (const sample of input) {
      const clipped = Math.max(-1, Math.min(1, sample));
      this.chunk[this.at++] = clipped * 32767;
      this.power += clipped * clipped;
      if (this.at === this.chunk.length) {
        const rms = Math.sqrt(this.power / this.at);
        this.port.postMessage({ pcm: this.chunk.buffer, rms }, [this.chunk.buffer]);
        this.chunk = new Int16Array(this.size); // the last one went to the page, emptied
        this.at = 0;
        this.power = 0;
      }
    }
    return true;
  }
}

registerProcessor("pcm-chunks", PcmChunks);
