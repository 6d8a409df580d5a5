/**
 * AudioWorklet processors, loaded from a Blob URL so the bundle is one file:
 * - `cc-capture` posts each 128-sample render quantum of its (mono-mixed) input to the main thread;
 * - `cc-playback` plays Float32 mono frames posted to it from a ring buffer, silence on underrun, and drops the
 *   oldest audio when more than `maxLatencyMs` is queued so playback never drifts behind the call.
 */
export const WORKLET_SOURCE = `
class CcCapture extends AudioWorkletProcessor {
  process(inputs) {
    const input = inputs[0];
    if (input && input.length > 0) {
      const out = new Float32Array(input[0].length);
      for (const channel of input) for (let i = 0; i < out.length; i++) out[i] += channel[i] / input.length;
      this.port.postMessage(out, [out.buffer]);
    }
    return true;
  }
}
class CcPlayback extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = (options && options.processorOptions) || {};
    this.ring = new Float32Array(sampleRate * 2);
    this.read = 0;
    this.size = 0;
    this.maxQueued = Math.round(sampleRate * (o.maxLatencyMs || 200) / 1000);
    this.underruns = 0;
    this.port.onmessage = (e) => this.push(e.data);
  }
  push(frame) {
    for (let i = 0; i < frame.length; i++) {
      this.ring[(this.read + this.size) % this.ring.length] = frame[i];
      if (this.size < this.ring.length) this.size++; else this.read = (this.read + 1) % this.ring.length;
    }
    if (this.size > this.maxQueued) {
      const drop = this.size - this.maxQueued;
      this.read = (this.read + drop) % this.ring.length;
      this.size -= drop;
    }
  }
  process(inputs, outputs) {
    const out = outputs[0];
    const n = out[0].length;
    for (let i = 0; i < n; i++) {
      let v = 0;
      if (this.size > 0) { v = this.ring[this.read]; this.read = (this.read + 1) % this.ring.length; this.size--; }
      for (const channel of out) channel[i] = v;
    }
    return true;
  }
}
registerProcessor("cc-capture", CcCapture);
registerProcessor("cc-playback", CcPlayback);
`;

const loaded = new WeakMap<BaseAudioContext, Promise<void>>();

/** Adds the processors to `context` once. */
export function loadWorklet(context: BaseAudioContext): Promise<void> {
	let p = loaded.get(context);
	if (!p) {
		const url = URL.createObjectURL(new Blob([WORKLET_SOURCE], { type: "text/javascript" }));
		p = context.audioWorklet.addModule(url).finally(() => URL.revokeObjectURL(url));
		loaded.set(context, p);
	}
	return p;
}
