import { ProtocolError } from "../wire/errors.js";
import { AsyncQueue, StreamResetError, TransportClosedError } from "../transport.js";
import type { BidiStream, CloseInfo, RecvStream, SendStream, Transport } from "../transport.js";
import { encodeFrame, integerParameter, parameterInteger, QuicError, readRecord, TransportParameterId } from "./frames.js";
import type { Frame } from "./frames.js";
import type { QmuxVersion } from "./subprotocol.js";

/** What the QMux connection needs from a WebSocket (the browser's, or `ws` in Node). */
export interface SocketLike {
	binaryType: string;
	send(data: Uint8Array): void;
	close(code?: number, reason?: string): void;
	onmessage: ((event: { data: unknown }) => void) | null;
	onclose: ((event: { code: number; reason: string }) => void) | null;
	onerror: ((event: unknown) => void) | null;
}

/** Receive windows we grant (RFC 9000 §4); credit is returned as the application reads. */
const CONNECTION_WINDOW = 4 * 1024 * 1024;
const STREAM_WINDOW = 1024 * 1024;
const MAX_PEER_BIDI = 100;
const MAX_PEER_UNI = 1000;
/** We send one frame per WebSocket message and keep each ≤ 16382 bytes (valid for qmux-00, -01 and -02). */
const MAX_STREAM_CHUNK = 16000;
/** draft-ietf-quic-qmux-01: max_record_size has a floor of 16382. */
const MIN_RECORD_SIZE = 16382;

interface PeerLimits {
	maxData: bigint;
	bidiLocal: bigint;
	bidiRemote: bigint;
	uni: bigint;
	maxBidi: bigint;
	maxUni: bigint;
}

/** RFC 9000 §2.1: bit 0 = initiator (0 client), bit 1 = direction (0 bidi). We are always the client. */
const isUni = (id: bigint) => (id & 0x2n) !== 0n;
const isLocal = (id: bigint) => (id & 0x1n) === 0n;

class QmuxSendStream implements SendStream {
	offset = 0n;
	credit: bigint;
	finished = false;
	stopped: number | undefined;

	constructor(
		readonly conn: QmuxConnection,
		readonly id: bigint,
		credit: bigint,
	) {
		this.credit = credit;
	}

	async write(data: Uint8Array): Promise<void> {
		let at = 0;
		while (at < data.length) {
			this.conn.throwIfClosed();
			if (this.stopped !== undefined) throw new StreamResetError(this.stopped);
			if (this.finished) throw new Error("write after finish");
			const room = this.conn.sendRoom(this);
			if (room <= 0) {
				await this.conn.creditChanged();
				continue;
			}
			const n = Math.min(data.length - at, MAX_STREAM_CHUNK, room);
			const chunk = data.subarray(at, at + n);
			this.conn.send({ type: "stream", id: this.id, offset: this.offset, fin: false, data: chunk });
			this.offset += BigInt(n);
			this.conn.sent += BigInt(n);
			at += n;
		}
	}

	async finish(): Promise<void> {
		this.conn.throwIfClosed();
		if (this.finished || this.stopped !== undefined) return;
		this.finished = true;
		this.conn.send({ type: "stream", id: this.id, offset: this.offset, fin: true, data: new Uint8Array(0) });
	}

	reset(code: number): void {
		if (this.finished || this.stopped !== undefined || this.conn.isClosed) return;
		this.stopped = code;
		this.conn.send({ type: "reset_stream", id: this.id, code: BigInt(code), finalSize: this.offset });
	}
}

class QmuxRecvStream implements RecvStream {
	received = 0n;
	consumed = 0n;
	advertised = BigInt(STREAM_WINDOW);
	finalSize: bigint | undefined;
	done = false;
	readonly chunks = new AsyncQueue<Uint8Array | StreamResetError>();

	constructor(
		readonly conn: QmuxConnection,
		readonly id: bigint,
	) {}

	async read(): Promise<Uint8Array | undefined> {
		const item = await this.chunks.next();
		if (item === undefined) {
			this.conn.throwIfClosed();
			return undefined;
		}
		if (item instanceof StreamResetError) throw item;
		this.conn.consumed(this, item.length);
		return item;
	}

	stop(code: number): void {
		if (this.done || this.conn.isClosed) return;
		this.done = true;
		this.chunks.end();
		this.conn.send({ type: "stop_sending", id: this.id, code: BigInt(code) });
		this.conn.peerStreamDone(this.id);
	}
}

/**
 * QMux (draft-ietf-quic-qmux-00/-01/-02): QUIC v1's stream and flow-control frames carried in binary WebSocket
 * messages, giving MoQT the same bidi/uni streams it has over WebTransport. One frame per message is sent.
 */
export class QmuxConnection implements Transport {
	readonly kind = "websocket";
	sent = 0n;

	#socket: SocketLike;
	#peer: PeerLimits | undefined;
	#peerReady: Promise<void>;
	#resolvePeer!: () => void;
	#creditWaiters: (() => void)[] = [];
	#send = new Map<bigint, QmuxSendStream>();
	#recv = new Map<bigint, QmuxRecvStream>();
	#nextBidi = 0n;
	#nextUni = 2n;
	#peerBidiSeen = -1n;
	#peerUniSeen = -1n;
	#maxPeerBidi = BigInt(MAX_PEER_BIDI);
	#maxPeerUni = BigInt(MAX_PEER_UNI);
	#received = 0n;
	#consumed = 0n;
	#advertisedData = BigInt(CONNECTION_WINDOW);
	#incomingUni = new AsyncQueue<RecvStream>();
	#incomingBidi = new AsyncQueue<BidiStream>();
	#closeInfo: CloseInfo | undefined;
	#resolveClosed!: (info: CloseInfo) => void;
	readonly closed: Promise<CloseInfo>;

	constructor(
		socket: SocketLike,
		readonly version: QmuxVersion,
		readonly protocol: string | undefined,
	) {
		this.#socket = socket;
		this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
		this.#peerReady = new Promise((resolve) => (this.#resolvePeer = resolve));
		socket.binaryType = "arraybuffer";
		socket.onmessage = (event) => this.#onMessage(event.data);
		socket.onclose = (event) => this.#finish({ code: event.code, reason: event.reason || "websocket closed", transportError: true });
		socket.onerror = () => this.#finish({ code: QuicError.InternalError, reason: "websocket error", transportError: true });
		// draft-ietf-quic-qmux: QX_TRANSPORT_PARAMETERS is the first frame each side sends.
		const parameters = new Map<bigint, Uint8Array>([
			[TransportParameterId.MaxIdleTimeout, integerParameter(0)],
			[TransportParameterId.InitialMaxData, integerParameter(CONNECTION_WINDOW)],
			[TransportParameterId.InitialMaxStreamDataBidiLocal, integerParameter(STREAM_WINDOW)],
			[TransportParameterId.InitialMaxStreamDataBidiRemote, integerParameter(STREAM_WINDOW)],
			[TransportParameterId.InitialMaxStreamDataUni, integerParameter(STREAM_WINDOW)],
			[TransportParameterId.InitialMaxStreamsBidi, integerParameter(MAX_PEER_BIDI)],
			[TransportParameterId.InitialMaxStreamsUni, integerParameter(MAX_PEER_UNI)],
		]);
		if (version !== "qmux-00") parameters.set(TransportParameterId.MaxRecordSize, integerParameter(MIN_RECORD_SIZE));
		this.send({ type: "transport_parameters", parameters });
	}

	get isClosed(): boolean {
		return this.#closeInfo !== undefined;
	}

	throwIfClosed(): void {
		if (this.#closeInfo) throw new TransportClosedError(this.#closeInfo);
	}

	send(frame: Frame): void {
		if (this.#closeInfo) return;
		try {
			this.#socket.send(encodeFrame(frame));
		} catch (e) {
			this.#finish({ code: QuicError.InternalError, reason: `send failed: ${String(e)}`, transportError: true });
		}
	}

	async openBidi(): Promise<BidiStream> {
		const id = await this.#allocate(true);
		const send = new QmuxSendStream(this, id, this.#peer!.bidiRemote);
		const recv = new QmuxRecvStream(this, id);
		this.#send.set(id, send);
		this.#recv.set(id, recv);
		return { send, recv };
	}

	async openUni(): Promise<SendStream> {
		const id = await this.#allocate(false);
		const send = new QmuxSendStream(this, id, this.#peer!.uni);
		this.#send.set(id, send);
		return send;
	}

	acceptUni(): Promise<RecvStream | undefined> {
		return this.#incomingUni.next();
	}

	acceptBidi(): Promise<BidiStream | undefined> {
		return this.#incomingBidi.next();
	}

	close(code: number, reason: string): void {
		if (this.#closeInfo) return;
		this.send({ type: "connection_close", application: true, code: BigInt(code), reason });
		this.#finish({ code, reason, transportError: false });
		try {
			this.#socket.close(1000, "");
		} catch {
			// already closing
		}
	}

	/** Bytes the stream may send now: the lesser of its own and the connection's remaining credit (RFC 9000 §4.1). */
	sendRoom(stream: QmuxSendStream): number {
		if (!this.#peer) return 0;
		const room = Math.min(Number(stream.credit - stream.offset), Number(this.#peer.maxData - this.sent));
		return room;
	}

	creditChanged(): Promise<void> {
		if (this.#closeInfo) return Promise.resolve();
		return new Promise((resolve) => this.#creditWaiters.push(resolve));
	}

	/** The application consumed `n` bytes: return credit once half a window is used (RFC 9000 §4.2). */
	consumed(stream: QmuxRecvStream, n: number): void {
		stream.consumed += BigInt(n);
		this.#consumed += BigInt(n);
		if (stream.finalSize === undefined && stream.advertised - stream.consumed < BigInt(STREAM_WINDOW / 2)) {
			stream.advertised = stream.consumed + BigInt(STREAM_WINDOW);
			this.send({ type: "max_stream_data", id: stream.id, max: stream.advertised });
		}
		if (this.#advertisedData - this.#consumed < BigInt(CONNECTION_WINDOW / 2)) {
			this.#advertisedData = this.#consumed + BigInt(CONNECTION_WINDOW);
			this.send({ type: "max_data", max: this.#advertisedData });
		}
		if (stream.finalSize !== undefined && stream.consumed >= stream.finalSize) this.peerStreamDone(stream.id);
	}

	/** A peer-initiated stream is finished with: give its slot back (MAX_STREAMS), RFC 9000 §4.6. */
	peerStreamDone(id: bigint): void {
		if (!this.#recv.delete(id) || isLocal(id)) return;
		if (isUni(id)) {
			this.#maxPeerUni++;
			this.send({ type: "max_streams", bidi: false, max: this.#maxPeerUni });
		} else {
			this.#send.delete(id);
			this.#maxPeerBidi++;
			this.send({ type: "max_streams", bidi: true, max: this.#maxPeerBidi });
		}
	}

	async #allocate(bidi: boolean): Promise<bigint> {
		for (;;) {
			this.throwIfClosed();
			await Promise.race([this.#peerReady, this.closed]);
			this.throwIfClosed();
			const peer = this.#peer!;
			const index = (bidi ? this.#nextBidi : this.#nextUni) >> 2n;
			if (index < (bidi ? peer.maxBidi : peer.maxUni)) {
				const id = bidi ? this.#nextBidi : this.#nextUni;
				if (bidi) this.#nextBidi += 4n;
				else this.#nextUni += 4n;
				return id;
			}
			await this.creditChanged();
		}
	}

	#wake(): void {
		for (const w of this.#creditWaiters.splice(0)) w();
	}

	#onMessage(data: unknown): void {
		if (this.#closeInfo) return;
		if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
			// Only binary messages carry QMux; a text message is a protocol violation.
			this.#fail(QuicError.ProtocolViolation, "text message on a QMux WebSocket");
			return;
		}
		const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
		try {
			for (const frame of readRecord(bytes)) this.#onFrame(frame);
		} catch (e) {
			if (e instanceof ProtocolError) this.#fail(e.code, e.message);
			else this.#fail(QuicError.InternalError, String(e));
		}
	}

	#onFrame(f: Frame): void {
		if (!this.#peer && f.type !== "transport_parameters") {
			throw new ProtocolError(QuicError.ProtocolViolation, `${f.type} before QX_TRANSPORT_PARAMETERS`);
		}
		switch (f.type) {
			case "padding":
			case "ping":
			case "blocked":
				return;
			case "transport_parameters":
				this.#onParameters(f.parameters);
				return;
			case "qx_ping":
				if (!f.response) this.send({ type: "qx_ping", response: true, sequence: f.sequence });
				return;
			case "max_data":
				if (f.max > this.#peer!.maxData) this.#peer!.maxData = f.max;
				this.#wake();
				return;
			case "max_stream_data": {
				const s = this.#send.get(f.id);
				if (s && f.max > s.credit) s.credit = f.max;
				this.#wake();
				return;
			}
			case "max_streams":
				if (f.bidi && f.max > this.#peer!.maxBidi) this.#peer!.maxBidi = f.max;
				if (!f.bidi && f.max > this.#peer!.maxUni) this.#peer!.maxUni = f.max;
				this.#wake();
				return;
			case "stop_sending": {
				const s = this.#send.get(f.id);
				if (s && !s.finished && s.stopped === undefined) {
					// RFC 9000 §3.5: answer STOP_SENDING with RESET_STREAM carrying the same code.
					s.reset(Number(f.code));
				}
				this.#wake();
				return;
			}
			case "reset_stream": {
				const r = this.#recvFor(f.id);
				if (!r || r.done) return;
				r.done = true;
				r.chunks.push(new StreamResetError(Number(f.code)));
				r.chunks.end();
				this.#recv.delete(f.id);
				if (!isLocal(f.id)) {
					this.#recv.set(f.id, r);
					this.peerStreamDone(f.id);
				}
				return;
			}
			case "stream":
				this.#onStream(f.id, f.offset, f.fin, f.data);
				return;
			case "connection_close":
				this.#finish({ code: Number(f.code), reason: f.reason, transportError: !f.application });
				try {
					this.#socket.close(1000, "");
				} catch {
					// closing anyway
				}
				return;
		}
	}

	#onParameters(p: Map<bigint, Uint8Array>): void {
		if (this.#peer) throw new ProtocolError(QuicError.ProtocolViolation, "second QX_TRANSPORT_PARAMETERS");
		const int = (id: bigint) => (p.has(id) ? parameterInteger(p.get(id)!) : 0n);
		// RFC 9000 §18.2: parameters only a QUIC handshake can carry are an error here.
		for (const forbidden of [0x00n, 0x02n, 0x03n, 0x0an, 0x0bn, 0x0cn, 0x0dn, 0x0en, 0x0fn, 0x10n]) {
			if (p.has(forbidden)) throw new ProtocolError(QuicError.TransportParameterError, `transport parameter ${forbidden} is not allowed in QMux`);
		}
		this.#peer = {
			maxData: int(TransportParameterId.InitialMaxData),
			bidiLocal: int(TransportParameterId.InitialMaxStreamDataBidiLocal),
			bidiRemote: int(TransportParameterId.InitialMaxStreamDataBidiRemote),
			uni: int(TransportParameterId.InitialMaxStreamDataUni),
			maxBidi: int(TransportParameterId.InitialMaxStreamsBidi),
			maxUni: int(TransportParameterId.InitialMaxStreamsUni),
		};
		this.#resolvePeer();
		this.#wake();
	}

	#recvFor(id: bigint): QmuxRecvStream | undefined {
		const existing = this.#recv.get(id);
		if (existing) return existing;
		if (isLocal(id)) return undefined; // our own stream, already finished with
		// RFC 9000 §3.2: a peer stream opens implicitly with every lower-numbered one of the same type.
		const uni = isUni(id);
		const index = id >> 2n;
		const seen = uni ? this.#peerUniSeen : this.#peerBidiSeen;
		if (index <= seen) return undefined; // already opened and finished
		if (index >= (uni ? this.#maxPeerUni : this.#maxPeerBidi)) {
			throw new ProtocolError(QuicError.StreamLimitError, `peer opened stream ${id} past its limit`);
		}
		let created: QmuxRecvStream | undefined;
		for (let i = seen + 1n; i <= index; i++) {
			const sid = (i << 2n) | (uni ? 0x3n : 0x1n);
			const recv = new QmuxRecvStream(this, sid);
			this.#recv.set(sid, recv);
			if (uni) {
				this.#incomingUni.push(recv);
			} else {
				const send = new QmuxSendStream(this, sid, this.#peer!.bidiLocal);
				this.#send.set(sid, send);
				this.#incomingBidi.push({ send, recv });
			}
			created = recv;
		}
		if (uni) this.#peerUniSeen = index;
		else this.#peerBidiSeen = index;
		return created;
	}

	#onStream(id: bigint, offset: bigint, fin: boolean, data: Uint8Array): void {
		if (isUni(id) && isLocal(id)) throw new ProtocolError(QuicError.StreamStateError, `STREAM on our send-only stream ${id}`);
		const r = this.#recvFor(id);
		if (!r || r.done) return;
		const end = offset + BigInt(data.length);
		// RFC 9000 §4.5: data past a known final size, or a changed final size, is FINAL_SIZE_ERROR.
		if (r.finalSize !== undefined && (end > r.finalSize || (fin && end !== r.finalSize))) {
			throw new ProtocolError(QuicError.FinalSizeError, `stream ${id} changed its final size`);
		}
		if (end > r.advertised) throw new ProtocolError(QuicError.FlowControlError, `stream ${id} exceeded its window`);
		// The WebSocket is ordered, so offsets are contiguous; a gap is a violation, an overlap is trimmed.
		if (offset > r.received) throw new ProtocolError(QuicError.ProtocolViolation, `stream ${id} skipped bytes`);
		const fresh = end > r.received ? data.subarray(Number(r.received - offset)) : new Uint8Array(0);
		this.#received += BigInt(fresh.length);
		if (this.#received > this.#advertisedData) throw new ProtocolError(QuicError.FlowControlError, "connection window exceeded");
		r.received += BigInt(fresh.length);
		if (fresh.length > 0) r.chunks.push(fresh.slice());
		if (fin) {
			r.finalSize = end;
			r.done = true;
			r.chunks.end();
			if (r.consumed >= end) this.peerStreamDone(id);
		}
	}

	#fail(code: number, reason: string): void {
		if (this.#closeInfo) return;
		this.send({ type: "connection_close", application: false, code: BigInt(code), frameType: 0n, reason });
		this.#finish({ code, reason, transportError: true });
		try {
			this.#socket.close(1002, "");
		} catch {
			// closing anyway
		}
	}

	#finish(info: CloseInfo): void {
		if (this.#closeInfo) return;
		this.#closeInfo = info;
		for (const r of this.#recv.values()) {
			r.done = true;
			r.chunks.end();
		}
		this.#incomingUni.end();
		this.#incomingBidi.end();
		this.#wake();
		this.#resolveClosed(info);
	}
}

/** Opens a WebSocket offering QMux subprotocols and wraps it once open. */
export function connectWebSocket(
	url: string,
	subprotocols: string[],
	create: (url: string, protocols: string[]) => SocketLike & { protocol: string; onopen: (() => void) | null },
	parse: (token: string) => { version: QmuxVersion; protocol: string | undefined } | undefined,
	signal?: AbortSignal,
): Promise<QmuxConnection> {
	return new Promise((resolve, reject) => {
		const socket = create(url, subprotocols);
		socket.binaryType = "arraybuffer";
		const onAbort = () => {
			socket.close();
			reject(signal?.reason ?? new Error("aborted"));
		};
		signal?.addEventListener("abort", onAbort, { once: true });
		socket.onerror = () => {
			signal?.removeEventListener("abort", onAbort);
			reject(new Error(`WebSocket to ${url.replace(/([?&](jwt|token)=)[^&]*/, "$1…")} failed`));
		};
		socket.onclose = (e) => {
			signal?.removeEventListener("abort", onAbort);
			reject(new Error(`WebSocket closed before opening (${e.code})`));
		};
		socket.onopen = () => {
			signal?.removeEventListener("abort", onAbort);
			const selected = parse(socket.protocol);
			if (!selected) {
				socket.close(1002, "no QMux subprotocol");
				reject(new Error(`server selected '${socket.protocol}', not a QMux subprotocol`));
				return;
			}
			resolve(new QmuxConnection(socket, selected.version, selected.protocol));
		};
	});
}
