import { ProtocolError } from "../wire/errors.js";
import { Writer } from "../wire/buffer.js";
import type { CloseInfo, RecvStream, SendStream, Transport } from "../transport.js";
import { DRAFT_14, FilterType, readMessage, SessionError, SetupParameter, writeMessage } from "./messages.js";
import type { Location, Message, Parameter } from "./messages.js";
import { readCaptureTimestamp, readSubgroupHeader, readSubgroupObject, writeCaptureTimestamp, writeSubgroupHeader, writeSubgroupObject } from "./objects.js";

/** draft-ietf-moq-transport-14 §9.8 SUBSCRIBE_ERROR codes this client sends. */
const TRACK_DOES_NOT_EXIST = 0x4n;
/** §9.12 PUBLISH_DONE status: the subscriber is gone / the track ended. */
const PUBLISH_DONE_TRACK_ENDED = 0x2n;
/** Request ids this client lets the relay use (§9.3.1.2 MAX_REQUEST_ID). */
const OUR_MAX_REQUEST_ID = 100n;
/** Audio objects use subgroup stream type 0x11: Subgroup ID 0, extension headers present (§10.4.2). */
const AUDIO_STREAM_TYPE = 0x11;
/** §7: lower is more urgent; audio is urgent. */
const AUDIO_PRIORITY = 64;
/** How long an object stream may wait for its SUBSCRIBE_OK/PUBLISH alias before it is dropped. */
const ALIAS_WAIT_MS = 5000;

export interface ReceivedObject {
	group: bigint;
	object: bigint;
	payload: Uint8Array;
	/** Capture time, µs since the Unix epoch, from the timestamp extension header, if present. */
	captureUs: bigint | undefined;
}

export type ObjectHandler = (object: ReceivedObject) => void;

export class MoqtRequestError extends Error {
	constructor(
		readonly code: bigint,
		reason: string,
	) {
		super(reason || `request refused with code ${code}`);
		this.name = "MoqtRequestError";
	}
}

export const trackKey = (namespace: string[], name: string) => [...namespace, name].join("/");

/** One control-stream request awaiting its answer. */
interface Pending {
	resolve(m: Message): void;
	reject(e: Error): void;
}

/** A track this session publishes with PUBLISH (§9.13): objects go out on one subgroup stream per group. */
export class TrackPublisher {
	#stream: SendStream | undefined;
	#group: bigint | undefined;
	#lastObject: bigint | undefined;
	#chain: Promise<void> = Promise.resolve();
	#queued = 0;
	forward = true;
	ended = false;
	sent = 0;
	dropped = 0;

	constructor(
		readonly session: MoqtSession,
		readonly requestId: bigint,
		readonly trackAlias: bigint,
		readonly namespace: string[],
		readonly name: string,
	) {}

	/**
	 * Queues one object. Never blocks; a backlog past a few frames (the transport stalled) drops the new frame
	 * rather than delivering audio late.
	 */
	write(group: bigint, object: bigint, payload: Uint8Array, captureUs: bigint): boolean {
		if (this.ended || this.session.isClosed) return false;
		if (!this.forward) return true;
		if (this.#queued >= 10) {
			this.dropped++;
			return true;
		}
		this.#queued++;
		this.#chain = this.#chain
			.then(() => this.#write(group, object, payload, captureUs))
			.catch(() => {
				this.dropped++;
				this.#stream = undefined;
			})
			.finally(() => this.#queued--);
		return true;
	}

	async #write(group: bigint, object: bigint, payload: Uint8Array, captureUs: bigint): Promise<void> {
		if (this.ended) return;
		const w = new Writer(payload.length + 32);
		if (this.#stream === undefined || this.#group !== group || (this.#lastObject !== undefined && object <= this.#lastObject)) {
			const previous = this.#stream;
			this.#stream = undefined;
			if (previous) await previous.finish().catch(() => undefined);
			this.#stream = await this.session.transport.openUni();
			this.#group = group;
			this.#lastObject = undefined;
			writeSubgroupHeader(w, { streamType: AUDIO_STREAM_TYPE, trackAlias: this.trackAlias, group, publisherPriority: AUDIO_PRIORITY });
		}
		writeSubgroupObject(w, AUDIO_STREAM_TYPE, this.#lastObject, { objectId: object, payload, extensions: writeCaptureTimestamp(captureUs) });
		this.#lastObject = object;
		await this.#stream.write(w.finish());
		this.sent++;
	}

	/** Ends the track: FIN on the open stream, then PUBLISH_DONE (§9.12). */
	async end(): Promise<void> {
		if (this.ended) return;
		this.ended = true;
		await this.#chain;
		await this.#stream?.finish().catch(() => undefined);
		this.session.endPublication(this);
	}
}

/** A SUBSCRIBE (§9.7) this session holds; objects arrive through the handler. */
export class Subscription {
	received = 0;
	/** Resolves when the publisher ends the subscription (PUBLISH_DONE) or the session closes. */
	readonly done: Promise<string>;
	#resolveDone!: (why: string) => void;

	constructor(
		readonly session: MoqtSession,
		readonly requestId: bigint,
		readonly namespace: string[],
		readonly name: string,
		readonly onObject: ObjectHandler,
	) {
		this.done = new Promise((resolve) => (this.#resolveDone = resolve));
	}

	trackAlias: bigint | undefined;

	ended(why: string): void {
		this.#resolveDone(why);
	}

	unsubscribe(): void {
		this.session.unsubscribe(this);
	}
}

/** A draft-14 MoQT client session over any {@link Transport}. */
export class MoqtSession {
	#control!: { send: SendStream; recv: RecvStream };
	#nextRequestId = 0n;
	#peerMaxRequestId = 0n;
	#requestIdWaiters: (() => void)[] = [];
	#pending = new Map<bigint, Pending>();
	#subscriptions = new Map<bigint, Subscription>();
	#byAlias = new Map<bigint, Subscription>();
	#aliasWaiters = new Map<bigint, (() => void)[]>();
	#publications = new Map<bigint, TrackPublisher>();
	#nextAlias = 1n;
	#closeInfo: CloseInfo | undefined;
	#goaway: ((uri: string) => void) | undefined;
	readonly closed: Promise<CloseInfo>;

	private constructor(readonly transport: Transport) {
		this.closed = transport.closed.then((info) => {
			this.#onClosed(info);
			return info;
		});
	}

	get isClosed(): boolean {
		return this.#closeInfo !== undefined;
	}

	/** Called when the relay sends GOAWAY (§9.4); the caller should reconnect. */
	onGoAway(handler: (uri: string) => void): void {
		this.#goaway = handler;
	}

	/** Opens the control stream and runs CLIENT_SETUP/SERVER_SETUP (§3.3, §9.3). */
	static async connect(transport: Transport, options: { path?: string; timeoutMs?: number } = {}): Promise<MoqtSession> {
		const session = new MoqtSession(transport);
		session.#control = await transport.openBidi();
		const parameters: Parameter[] = [{ key: SetupParameter.MaxRequestId, value: OUR_MAX_REQUEST_ID }];
		// §9.3.1.1: PATH only where the transport has no URL of its own (raw QUIC); never over WebTransport/WebSocket.
		if (options.path !== undefined) parameters.push({ key: SetupParameter.Path, value: new TextEncoder().encode(options.path) });
		await session.#control.send.write(writeMessage({ type: "client_setup", versions: [DRAFT_14], parameters }));
		const setup = new Promise<Message>((resolve, reject) => session.#pending.set(-1n, { resolve, reject }));
		void session.#readControl();
		void session.#acceptStreams();
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error("no SERVER_SETUP in time")), options.timeoutMs ?? 10000);
		});
		try {
			const reply = await Promise.race([setup, timeout]);
			if (reply.type !== "server_setup") throw new ProtocolError(SessionError.ProtocolViolation, "first message was not SERVER_SETUP");
			if (reply.version !== DRAFT_14) throw new ProtocolError(SessionError.ProtocolViolation, `server selected version 0x${reply.version.toString(16)}`);
			for (const p of reply.parameters) {
				if (p.key === SetupParameter.MaxRequestId && typeof p.value === "bigint") session.#peerMaxRequestId = p.value;
			}
			return session;
		} catch (e) {
			transport.close(e instanceof ProtocolError ? e.code : SessionError.InternalError, String((e as Error).message));
			throw e;
		} finally {
			clearTimeout(timer);
		}
	}

	/** PUBLISH (§9.13): offers a track to the relay; resolves on PUBLISH_OK. */
	async publish(namespace: string[], name: string, largest?: Location): Promise<TrackPublisher> {
		const requestId = await this.#allocateRequestId();
		const alias = this.#nextAlias++;
		const publisher = new TrackPublisher(this, requestId, alias, namespace, name);
		this.#publications.set(requestId, publisher);
		const message: Message = { type: "publish", requestId, namespace, name, trackAlias: alias, groupOrder: 1, forward: true, parameters: [] };
		if (largest) message.largest = largest;
		const reply = await this.#request(requestId, message).catch((e) => {
			this.#publications.delete(requestId);
			throw e;
		});
		if (reply.type === "publish_ok") {
			publisher.forward = reply.forward;
			return publisher;
		}
		this.#publications.delete(requestId);
		if (reply.type === "publish_error") throw new MoqtRequestError(reply.code, reply.reason);
		throw new ProtocolError(SessionError.ProtocolViolation, `${reply.type} answered PUBLISH`);
	}

	/** SUBSCRIBE (§9.7) from the largest object on: live audio starts at once. Resolves on SUBSCRIBE_OK. */
	async subscribe(namespace: string[], name: string, onObject: ObjectHandler): Promise<Subscription> {
		const requestId = await this.#allocateRequestId();
		const subscription = new Subscription(this, requestId, namespace, name, onObject);
		this.#subscriptions.set(requestId, subscription);
		const reply = await this.#request(requestId, {
			type: "subscribe",
			requestId,
			namespace,
			name,
			subscriberPriority: AUDIO_PRIORITY,
			groupOrder: 1,
			forward: true,
			filterType: FilterType.LargestObject,
			parameters: [],
		}).catch((e) => {
			this.#subscriptions.delete(requestId);
			throw e;
		});
		if (reply.type === "subscribe_ok") {
			subscription.trackAlias = reply.trackAlias;
			this.#byAlias.set(reply.trackAlias, subscription);
			for (const wake of this.#aliasWaiters.get(reply.trackAlias) ?? []) wake();
			this.#aliasWaiters.delete(reply.trackAlias);
			return subscription;
		}
		this.#subscriptions.delete(requestId);
		if (reply.type === "subscribe_error") throw new MoqtRequestError(reply.code, reply.reason);
		throw new ProtocolError(SessionError.ProtocolViolation, `${reply.type} answered SUBSCRIBE`);
	}

	unsubscribe(subscription: Subscription): void {
		if (!this.#subscriptions.delete(subscription.requestId)) return;
		if (subscription.trackAlias !== undefined) this.#byAlias.delete(subscription.trackAlias);
		subscription.ended("unsubscribed");
		void this.#send({ type: "unsubscribe", requestId: subscription.requestId }).catch(() => undefined);
	}

	endPublication(publisher: TrackPublisher): void {
		if (!this.#publications.delete(publisher.requestId)) return;
		void this.#send({ type: "publish_done", requestId: publisher.requestId, code: PUBLISH_DONE_TRACK_ENDED, streamCount: 0n, reason: "publisher ended the track" }).catch(
			() => undefined,
		);
	}

	close(code: number = SessionError.NoError, reason = ""): void {
		this.transport.close(code, reason);
	}

	async #send(message: Message): Promise<void> {
		await this.#control.send.write(writeMessage(message));
	}

	async #request(requestId: bigint, message: Message): Promise<Message> {
		const reply = new Promise<Message>((resolve, reject) => this.#pending.set(requestId, { resolve, reject }));
		await this.#send(message);
		return reply;
	}

	// §9.1: client request ids are even and rise by two; each must stay below the peer's MAX_REQUEST_ID.
	async #allocateRequestId(): Promise<bigint> {
		while (this.#nextRequestId >= this.#peerMaxRequestId) {
			if (this.#closeInfo) throw new Error("session closed");
			await this.#send({ type: "requests_blocked", maximumRequestId: this.#peerMaxRequestId }).catch(() => undefined);
			await new Promise<void>((resolve) => this.#requestIdWaiters.push(resolve));
		}
		const id = this.#nextRequestId;
		this.#nextRequestId += 2n;
		return id;
	}

	async #readControl(): Promise<void> {
		let buffer = new Uint8Array(0);
		try {
			for (;;) {
				const chunk = await this.#control.recv.read();
				if (!chunk) throw new ProtocolError(SessionError.ProtocolViolation, "the control stream ended");
				const joined = new Uint8Array(buffer.length + chunk.length);
				joined.set(buffer);
				joined.set(chunk, buffer.length);
				buffer = joined;
				for (;;) {
					const read = readMessage(buffer);
					if (!read) break;
					buffer = buffer.subarray(read.size);
					this.#onMessage(read.message);
				}
			}
		} catch (e) {
			if (this.#closeInfo) return;
			this.transport.close(e instanceof ProtocolError ? e.code : SessionError.ProtocolViolation, (e as Error).message);
		}
	}

	#answer(requestId: bigint, m: Message): void {
		const pending = this.#pending.get(requestId);
		if (!pending) throw new ProtocolError(SessionError.ProtocolViolation, `${m.type} for unknown request ${requestId}`);
		this.#pending.delete(requestId);
		pending.resolve(m);
	}

	#onMessage(m: Message): void {
		switch (m.type) {
			case "server_setup":
				this.#answer(-1n, m);
				return;
			case "subscribe_ok":
			case "subscribe_error":
			case "publish_ok":
			case "publish_error":
			case "publish_namespace_ok":
			case "publish_namespace_error":
				this.#answer(m.requestId, m);
				return;
			case "max_request_id":
				if (m.requestId > this.#peerMaxRequestId) this.#peerMaxRequestId = m.requestId;
				for (const wake of this.#requestIdWaiters.splice(0)) wake();
				return;
			case "publish_done": {
				// §9.12: the publisher ended our subscription.
				const s = this.#subscriptions.get(m.requestId);
				if (s) {
					this.#subscriptions.delete(m.requestId);
					if (s.trackAlias !== undefined) this.#byAlias.delete(s.trackAlias);
					s.ended(`publish done (${m.code}): ${m.reason}`);
				}
				return;
			}
			case "unsubscribe": {
				// The relay no longer wants the track we PUBLISHed: stop forwarding.
				const p = this.#publications.get(m.requestId);
				if (p) p.forward = false;
				return;
			}
			case "subscribe":
				// We announce no namespaces, so nothing of ours can be subscribed to this way.
				void this.#send({ type: "subscribe_error", requestId: m.requestId, code: TRACK_DOES_NOT_EXIST, reason: "this client serves no tracks by SUBSCRIBE" });
				return;
			case "publish":
				void this.#send({ type: "publish_error", requestId: m.requestId, code: 0x0n, reason: "this client accepts no PUBLISH" });
				return;
			case "goaway":
				this.#goaway?.(m.uri);
				return;
			case "client_setup":
				throw new ProtocolError(SessionError.ProtocolViolation, "CLIENT_SETUP from the server");
			default:
				return; // Known draft-14 messages this client has no part in.
		}
	}

	async #acceptStreams(): Promise<void> {
		for (;;) {
			const stream = await this.transport.acceptUni();
			if (!stream) return;
			void this.#readObjects(stream).catch(() => stream.stop(0));
		}
	}

	async #subscriptionFor(alias: bigint): Promise<Subscription | undefined> {
		const known = this.#byAlias.get(alias);
		if (known || this.#pendingSubscribes() === 0) return known;
		// Objects may overtake SUBSCRIBE_OK (different streams): wait a little for the alias.
		await new Promise<void>((resolve) => {
			const list = this.#aliasWaiters.get(alias) ?? [];
			list.push(resolve);
			this.#aliasWaiters.set(alias, list);
			setTimeout(resolve, ALIAS_WAIT_MS);
		});
		return this.#byAlias.get(alias);
	}

	#pendingSubscribes(): number {
		let n = 0;
		for (const s of this.#subscriptions.values()) if (s.trackAlias === undefined) n++;
		return n;
	}

	async #readObjects(stream: RecvStream): Promise<void> {
		let buffer = new Uint8Array(0);
		let header: ReturnType<typeof readSubgroupHeader>;
		let subscription: Subscription | undefined;
		let previous: bigint | undefined;
		let streamType = 0;
		let group = 0n;
		for (;;) {
			const chunk = await stream.read();
			if (!chunk) return;
			const joined = new Uint8Array(buffer.length + chunk.length);
			joined.set(buffer);
			joined.set(chunk, buffer.length);
			buffer = joined;
			if (!subscription) {
				header = readSubgroupHeader(buffer);
				if (!header) continue;
				buffer = buffer.subarray(header.size);
				streamType = header.header.streamType;
				group = header.header.group;
				subscription = await this.#subscriptionFor(header.header.trackAlias);
				if (!subscription) {
					stream.stop(0);
					return;
				}
			}
			for (;;) {
				const read = readSubgroupObject(buffer, streamType, previous);
				if (!read) break;
				buffer = buffer.subarray(read.size);
				previous = read.object.objectId;
				if (read.object.payload.length === 0) continue; // a status object (end of group/track)
				subscription.received++;
				subscription.onObject({
					group,
					object: read.object.objectId,
					payload: read.object.payload,
					captureUs: readCaptureTimestamp(read.object.extensions),
				});
			}
		}
	}

	#onClosed(info: CloseInfo): void {
		if (this.#closeInfo) return;
		this.#closeInfo = info;
		const error = new Error(`session closed (${info.code}: ${info.reason})`);
		for (const p of this.#pending.values()) p.reject(error);
		this.#pending.clear();
		for (const s of this.#subscriptions.values()) s.ended("session closed");
		this.#subscriptions.clear();
		for (const p of this.#publications.values()) p.ended = true;
		for (const wake of this.#requestIdWaiters.splice(0)) wake();
	}
}
