/** 48 kHz mono, 20 ms: the audio profile of every ClutchCall track (one Opus frame per MoQT object). */
export const SAMPLE_RATE = 48000;
export const FRAME_SAMPLES = 960;
export const FRAME_US = 20000;

/**
 * Turns mono PCM at any rate into 960-sample 48 kHz frames: linear resampling when the source rate differs,
 * then fixed-size framing. Pure, so it is unit-tested in Node.
 */
export class Framer {
	#frame: Float32Array<ArrayBuffer> = new Float32Array(FRAME_SAMPLES);
	#filled = 0;
	/** Fractional read position into the source stream, carried across pushes for the resampler. */
	#phase = 0;
	#last = 0;

	constructor(readonly onFrame: (frame: Float32Array<ArrayBuffer>) => void) {}

	push(samples: Float32Array, sampleRate: number): void {
		if (sampleRate === SAMPLE_RATE) {
			for (let i = 0; i < samples.length; i++) this.#put(samples[i]!);
			return;
		}
		const step = sampleRate / SAMPLE_RATE;
		// Positions are relative to this chunk; -1 stands for the last sample of the previous chunk.
		let pos = this.#phase;
		while (pos < samples.length - 1) {
			const i = Math.floor(pos);
			const frac = pos - i;
			const a = i < 0 ? this.#last : samples[i]!;
			const b = samples[i + 1]!;
			this.#put(a + (b - a) * frac);
			pos += step;
		}
		this.#phase = pos - samples.length;
		if (samples.length > 0) this.#last = samples[samples.length - 1]!;
	}

	#put(v: number): void {
		this.#frame[this.#filled++] = v;
		if (this.#filled === FRAME_SAMPLES) {
			this.onFrame(this.#frame);
			this.#frame = new Float32Array(FRAME_SAMPLES);
			this.#filled = 0;
		}
	}
}

/** RMS level of a frame in dBFS (-Infinity for digital silence). */
export function rmsDb(samples: Float32Array): number {
	let sum = 0;
	for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
	const rms = Math.sqrt(sum / Math.max(1, samples.length));
	return 20 * Math.log10(rms);
}

/** Mixes planar channels down to mono. */
export function downmix(planes: Float32Array[]): Float32Array {
	if (planes.length === 1) return planes[0]!;
	const out = new Float32Array(planes[0]!.length);
	for (const p of planes) for (let i = 0; i < out.length; i++) out[i]! += p[i]! / planes.length;
	return out;
}
