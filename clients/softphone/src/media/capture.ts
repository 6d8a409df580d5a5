import { downmix, FRAME_SAMPLES, Framer, SAMPLE_RATE } from "./framer.js";
import { loadWorklet } from "./worklet.js";

export interface EncodedFrame {
	data: Uint8Array;
	/** Capture time, µs since the Unix epoch. */
	captureUs: bigint;
}

export interface MicrophoneCapture {
	readonly stream: MediaStream;
	/** Frames handed to the encoder. */
	readonly captured: number;
	stop(): void;
}

export interface CaptureOptions {
	/** getUserMedia audio constraints, or a stream the caller already has. */
	microphone?: MediaTrackConstraints | boolean | MediaStream;
	/** Used for the AudioWorklet capture path when MediaStreamTrackProcessor is unavailable. */
	audioContext?: AudioContext;
	bitrate?: number;
}

/** Wall-clock microseconds since the Unix epoch, from the monotonic clock. */
export function nowMicros(): bigint {
	return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
}

type TrackProcessor = new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<AudioData> };

/**
 * Microphone → 48 kHz mono 20 ms frames → WebCodecs Opus. Reads the track with MediaStreamTrackProcessor where the
 * browser has it (Chromium), else through an AudioWorklet. AEC, AGC and noise suppression are asked of the browser.
 */
export async function captureMicrophone(onFrame: (frame: EncodedFrame) => void, options: CaptureOptions = {}): Promise<MicrophoneCapture> {
	const stream =
		options.microphone instanceof MediaStream
			? options.microphone
			: await navigator.mediaDevices.getUserMedia({
					audio:
						options.microphone === undefined || options.microphone === true
							? { channelCount: 1, echoCancellation: true, autoGainControl: true, noiseSuppression: true }
							: options.microphone,
				});
	const track = stream.getAudioTracks()[0];
	if (!track) throw new Error("the microphone stream has no audio track");

	let stopped = false;
	let captured = 0;
	const encoder = new AudioEncoder({
		output: (chunk) => {
			const data = new Uint8Array(chunk.byteLength);
			chunk.copyTo(data);
			onFrame({ data, captureUs: BigInt(chunk.timestamp) });
		},
		error: (e) => console.warn("softphone: Opus encoder error", e),
	});
	encoder.configure({
		codec: "opus",
		sampleRate: SAMPLE_RATE,
		numberOfChannels: 1,
		bitrate: options.bitrate ?? 32000,
		opus: { frameDuration: 20000 },
	} as AudioEncoderConfig);

	// Capture time of the frame being filled: the time its first sample reached us, minus nothing else.
	let frameStartUs: bigint | undefined;
	const framer = new Framer((pcm) => {
		if (stopped || encoder.state !== "configured") return;
		const captureUs = frameStartUs ?? nowMicros();
		frameStartUs = undefined;
		const data = new AudioData({
			format: "f32-planar",
			sampleRate: SAMPLE_RATE,
			numberOfFrames: FRAME_SAMPLES,
			numberOfChannels: 1,
			timestamp: Number(captureUs),
			data: pcm,
		});
		encoder.encode(data);
		data.close();
		captured++;
	});
	const feed = (mono: Float32Array, rate: number) => {
		frameStartUs ??= nowMicros();
		framer.push(mono, rate);
	};

	let stopCapture: () => void;
	const Processor = (globalThis as unknown as { MediaStreamTrackProcessor?: TrackProcessor }).MediaStreamTrackProcessor;
	if (Processor) {
		const reader = new Processor({ track }).readable.getReader();
		void (async () => {
			while (!stopped) {
				const { value, done } = await reader.read();
				if (done || !value) return;
				try {
					const planes: Float32Array[] = [];
					for (let c = 0; c < value.numberOfChannels; c++) {
						const plane = new Float32Array(value.numberOfFrames);
						value.copyTo(plane, { planeIndex: c, format: "f32-planar" });
						planes.push(plane);
					}
					feed(downmix(planes), value.sampleRate);
				} finally {
					value.close();
				}
			}
		})().catch((e) => console.warn("softphone: microphone read failed", e));
		stopCapture = () => void reader.cancel().catch(() => undefined);
	} else {
		const context = options.audioContext ?? new AudioContext({ sampleRate: SAMPLE_RATE });
		await loadWorklet(context);
		const source = context.createMediaStreamSource(stream);
		const node = new AudioWorkletNode(context, "cc-capture", { numberOfInputs: 1, numberOfOutputs: 0 });
		node.port.onmessage = (e: MessageEvent<Float32Array>) => feed(e.data, context.sampleRate);
		source.connect(node);
		stopCapture = () => {
			source.disconnect();
			node.port.onmessage = null;
			if (!options.audioContext) void context.close();
		};
	}

	return {
		stream,
		get captured() {
			return captured;
		},
		stop() {
			if (stopped) return;
			stopped = true;
			stopCapture();
			if (encoder.state !== "closed") encoder.close();
			if (!(options.microphone instanceof MediaStream)) for (const t of stream.getTracks()) t.stop();
		},
	};
}
