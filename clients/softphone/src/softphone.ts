import { backoffMs, openTransport } from "./connect.js";
import type { TransportOptions } from "./connect.js";
import { captureMicrophone, nowMicros } from "./media/capture.js";
import type { CaptureOptions, EncodedFrame, MicrophoneCapture } from "./media/capture.js";
import { OpusPlayer } from "./media/playback.js";
import type { PlaybackStats } from "./media/playback.js";
import { AudioSequencer } from "./media/sequencer.js";
import { MoqtSession } from "./moqt/session.js";
import type { ReceivedObject, Subscription, TrackPublisher } from "./moqt/session.js";

export type SoftphoneRole = "caller" | "server";
export type SoftphoneState = "connecting" | "connected" | "reconnecting" | "closed";

export interface SoftphoneOptions extends TransportOptions {
	/** Control-plane origin; only used to resolve a relative `relayUrl`. */
	baseUrl?: string;
	/** A relay URL from `POST /v1/calls/{sid}/audio-token` (`relayUrls[0]`). */
	relayUrl: string;
	/** The relay token from the same response. */
	token: string;
	callSid: string;
	/**
	 * `caller` (default): publish the microphone on `uplink`, play `downlink`.
	 * `server`: the mirror (publish on `downlink`, play `uplink`), e.g. a browser agent console or a test line.
	 */
	role?: SoftphoneRole;
	/** Microphone constraints or stream; `false` publishes nothing. */
	microphone?: CaptureOptions["microphone"] | false;
	/** AudioContext for playback; `null` decodes (and meters) without playing. A new one is made when omitted. */
	audioContext?: AudioContext | null;
	/** Opus bitrate (default 32 kb/s). */
	bitrate?: number;
	/** Reconnect backoff (default 1 s doubling to 30 s, jittered). */
	initialBackoffMs?: number;
	maxBackoffMs?: number;
	onState?: (state: SoftphoneState, detail?: string) => void;
	/** Every received object, before decoding. */
	onFrame?: (frame: ReceivedObject) => void;
	/** Every encoded microphone frame, as it is published. */
	onEncoded?: (frame: EncodedFrame) => void;
}

export interface SoftphoneStats {
	state: SoftphoneState;
	transport: string | undefined;
	/** Sessions established (1 + reconnects). */
	connects: number;
	/** Frames the encoder produced. */
	encoded: number;
	/** Frames written to the relay. */
	sent: number;
	/** Frames dropped because no session was up or the link stalled. */
	dropped: number;
	/** Objects received on the played track. */
	received: number;
	/** Mean one-way latency of received frames from their capture timestamp (ms; same-host clocks only). */
	latencyMs: number | undefined;
	playback: PlaybackStats;
	lastError: string | undefined;
}

export interface Softphone {
	readonly stats: SoftphoneStats;
	/** Resolves once the first session is up. */
	readonly ready: Promise<void>;
	/** Drops the current session as a lost link would (diagnostics, tests); the softphone reconnects by itself. */
	dropConnection(): void;
	close(): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) =>
	new Promise<void>((resolve) => {
		const t = setTimeout(resolve, ms);
		signal.addEventListener("abort", () => {
			clearTimeout(t);
			resolve();
		});
	});

/**
 * Joins one call's audio through the relay: captures the microphone as 20 ms Opus frames and publishes them on
 * `voice/<sid>/uplink` (or `downlink` for role `server`), and plays the other track. The session reconnects by
 * itself and replays the publication and subscription, so audio resumes with no action from the page.
 */
export async function connect(options: SoftphoneOptions): Promise<Softphone> {
	const role = options.role ?? "caller";
	const namespace = ["voice", options.callSid];
	const publishTrack = role === "caller" ? "uplink" : "downlink";
	const playTrack = role === "caller" ? "downlink" : "uplink";
	const relayUrl = new URL(options.relayUrl, options.baseUrl ?? globalThis.location?.href).toString();
	const stop = new AbortController();
	const sequencer = new AudioSequencer();
	const player = await OpusPlayer.start(options.audioContext);
	const stats: SoftphoneStats = {
		state: "connecting",
		transport: undefined,
		connects: 0,
		encoded: 0,
		sent: 0,
		dropped: 0,
		received: 0,
		latencyMs: undefined,
		playback: player.stats,
		lastError: undefined,
	};
	let latencySum = 0;
	let publisher: TrackPublisher | undefined;
	let sentBefore = 0;
	Object.defineProperty(stats, "sent", { enumerable: true, get: () => sentBefore + (publisher?.sent ?? 0) });
	let session: MoqtSession | undefined;
	let resolveReady!: () => void;
	const ready = new Promise<void>((resolve) => (resolveReady = resolve));

	const setState = (state: SoftphoneState, detail?: string) => {
		stats.state = state;
		options.onState?.(state, detail);
	};

	const onObject = (o: ReceivedObject) => {
		stats.received++;
		if (o.captureUs !== undefined) {
			latencySum += Number(nowMicros() - o.captureUs) / 1000;
			stats.latencyMs = latencySum / stats.received;
		}
		options.onFrame?.(o);
		player.push(o.payload, Number(o.captureUs ?? nowMicros()));
	};

	const onEncoded = (frame: EncodedFrame) => {
		stats.encoded++;
		options.onEncoded?.(frame);
		const { group, object } = sequencer.next(frame.captureUs);
		const p = publisher;
		if (!p || p.ended) {
			stats.dropped++;
			return;
		}
		const before = p.dropped;
		p.write(group, object, frame.data, frame.captureUs);
		stats.dropped += p.dropped - before;
	};

	let mic: MicrophoneCapture | undefined;
	if (options.microphone !== false) {
		const captureOptions: CaptureOptions = {};
		if (options.microphone !== undefined) captureOptions.microphone = options.microphone;
		if (options.bitrate !== undefined) captureOptions.bitrate = options.bitrate;
		mic = await captureMicrophone(onEncoded, captureOptions);
	}

	/** Keeps the play-track subscription alive within one session: re-subscribes when the publisher ends it. */
	const keepSubscribed = async (s: MoqtSession) => {
		while (!s.isClosed && !stop.signal.aborted) {
			let sub: Subscription;
			try {
				sub = await s.subscribe(namespace, playTrack, onObject);
			} catch (e) {
				stats.lastError = `subscribe ${playTrack}: ${(e as Error).message}`;
				await sleep(1000, stop.signal);
				continue;
			}
			await sub.done;
			await sleep(200, stop.signal);
		}
	};

	const run = async () => {
		let attempt = 0;
		while (!stop.signal.aborted) {
			try {
				const transport = await openTransport(relayUrl, options.token, options);
				session = await MoqtSession.connect(transport);
				session.onGoAway(() => session?.close(0, "going away"));
				stats.transport = transport.kind;
				// A fresh session starts a fresh group so a new subscriber starts cleanly (draft-14 §10.4.2 streams).
				sequencer.breakGroup();
				if (mic) {
					publisher = await session.publish(namespace, publishTrack);
				}
				void keepSubscribed(session);
				stats.connects++;
				attempt = 0;
				setState("connected");
				resolveReady();
				const info = await session.closed;
				stats.lastError = `session closed: ${info.code} ${info.reason}`;
			} catch (e) {
				stats.lastError = (e as Error).message;
				session?.close(0, "setup failed");
			}
			sentBefore += publisher?.sent ?? 0;
			publisher = undefined;
			session = undefined;
			if (stop.signal.aborted) break;
			setState("reconnecting", stats.lastError);
			await sleep(backoffMs(attempt++, options.initialBackoffMs, options.maxBackoffMs), stop.signal);
		}
	};
	const loop = run();

	return {
		stats,
		ready,
		dropConnection() {
			session?.transport.close(0, "dropped by the page");
		},
		async close() {
			stop.abort();
			mic?.stop();
			if (publisher) await publisher.end().catch(() => undefined);
			session?.close(0, "softphone closed");
			await loop;
			player.close();
			setState("closed");
		},
	};
}
