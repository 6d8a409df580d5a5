import { rmsDb, SAMPLE_RATE } from "./framer.js";
import { loadWorklet } from "./worklet.js";

/** Frames quieter than this are counted as silence. */
const ENERGY_FLOOR_DB = -50;

export interface PlaybackStats {
	/** Opus frames handed to the decoder. */
	received: number;
	/** Frames the decoder produced. */
	decoded: number;
	/** Decoded frames louder than -50 dBFS. */
	decodedWithEnergy: number;
	/** Loudest decoded frame so far, dBFS. */
	peakDb: number;
	/** Latest decoded frame, dBFS. */
	lastDb: number;
	decodeErrors: number;
}

/**
 * Encoded Opus → WebCodecs AudioDecoder → an AudioWorklet ring buffer (silence-padded on underrun). Decoding and
 * its statistics run even while the AudioContext is suspended (no user gesture yet); sound starts once it resumes.
 */
export class OpusPlayer {
	readonly stats: PlaybackStats = { received: 0, decoded: 0, decodedWithEnergy: 0, peakDb: -Infinity, lastDb: -Infinity, decodeErrors: 0 };
	#decoder: AudioDecoder;
	#node: AudioWorkletNode | undefined;
	#ownsContext = false;

	private constructor(readonly context: AudioContext | undefined) {
		this.#decoder = this.#createDecoder();
	}

	/** Starts a player; pass `null` as the context to decode without sound (tests, metering). */
	static async start(context?: AudioContext | null, maxLatencyMs = 200): Promise<OpusPlayer> {
		let ctx: AudioContext | undefined = context ?? undefined;
		let owns = false;
		if (context === undefined) {
			ctx = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: "interactive" });
			owns = true;
		}
		const player = new OpusPlayer(ctx);
		player.#ownsContext = owns;
		if (ctx) {
			await loadWorklet(ctx);
			player.#node = new AudioWorkletNode(ctx, "cc-playback", { numberOfInputs: 0, outputChannelCount: [1], processorOptions: { maxLatencyMs } });
			player.#node.connect(ctx.destination);
			void ctx.resume().catch(() => undefined);
		}
		return player;
	}

	#createDecoder(): AudioDecoder {
		const decoder = new AudioDecoder({
			output: (data) => this.#onDecoded(data),
			error: () => {
				this.stats.decodeErrors++;
				// A decoder error closes it; start over so one bad packet does not end playback.
				this.#decoder = this.#createDecoder();
			},
		});
		decoder.configure({ codec: "opus", sampleRate: SAMPLE_RATE, numberOfChannels: 1 });
		return decoder;
	}

	/** Queues one encoded frame (one MoQT object). */
	push(frame: Uint8Array, timestampUs: number): void {
		if (this.#decoder.state !== "configured") return;
		this.stats.received++;
		this.#decoder.decode(new EncodedAudioChunk({ type: "key", timestamp: timestampUs, data: frame }));
	}

	#onDecoded(data: AudioData): void {
		try {
			const pcm = new Float32Array(data.numberOfFrames);
			data.copyTo(pcm, { planeIndex: 0, format: "f32-planar" });
			const db = rmsDb(pcm);
			this.stats.decoded++;
			this.stats.lastDb = db;
			if (db > this.stats.peakDb) this.stats.peakDb = db;
			if (db > ENERGY_FLOOR_DB) this.stats.decodedWithEnergy++;
			this.#node?.port.postMessage(pcm, [pcm.buffer]);
		} finally {
			data.close();
		}
	}

	close(): void {
		if (this.#decoder.state !== "closed") this.#decoder.close();
		this.#node?.disconnect();
		if (this.#ownsContext) void this.context?.close();
	}
}
