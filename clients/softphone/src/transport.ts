/** The session abstraction MoQT runs on: WebTransport natively, or QMux over a WebSocket. */

export interface CloseInfo {
	code: number;
	reason: string;
	/** True when the transport itself failed (protocol violation, dropped socket) rather than an application close. */
	transportError: boolean;
}

export class StreamResetError extends Error {
	constructor(readonly code: number) {
		super(`stream reset with code ${code}`);
		this.name = "StreamResetError";
	}
}

export class TransportClosedError extends Error {
	constructor(readonly info: CloseInfo) {
		super(`transport closed (${info.code}: ${info.reason})`);
		this.name = "TransportClosedError";
	}
}

export interface SendStream {
	/** Resolves once the bytes are handed to the transport (waits for flow-control credit). */
	write(data: Uint8Array): Promise<void>;
	/** Ends the stream (FIN). */
	finish(): Promise<void>;
	/** Abandons the stream (RESET_STREAM). */
	reset(code: number): void;
}

export interface RecvStream {
	/** The next chunk, or undefined at FIN. Rejects with {@link StreamResetError} on a reset. */
	read(): Promise<Uint8Array | undefined>;
	/** Asks the peer to stop (STOP_SENDING). */
	stop(code: number): void;
}

export interface BidiStream {
	send: SendStream;
	recv: RecvStream;
}

export interface Transport {
	readonly kind: "websocket" | "webtransport";
	/** The negotiated application protocol (`moq-00` = draft-14) when the transport carried one. */
	readonly protocol: string | undefined;
	openBidi(): Promise<BidiStream>;
	openUni(): Promise<SendStream>;
	/** The peer's next unidirectional stream; undefined once closed. */
	acceptUni(): Promise<RecvStream | undefined>;
	/** The peer's next bidirectional stream; undefined once closed. */
	acceptBidi(): Promise<BidiStream | undefined>;
	readonly closed: Promise<CloseInfo>;
	close(code: number, reason: string): void;
}

/** An unbounded async queue whose consumers wait; `end` wakes them with undefined. */
export class AsyncQueue<T> {
	#items: T[] = [];
	#waiters: ((v: T | undefined) => void)[] = [];
	#ended = false;

	push(item: T): void {
		if (this.#ended) return;
		const waiter = this.#waiters.shift();
		if (waiter) waiter(item);
		else this.#items.push(item);
	}

	next(): Promise<T | undefined> {
		if (this.#items.length > 0) return Promise.resolve(this.#items.shift());
		if (this.#ended) return Promise.resolve(undefined);
		return new Promise((resolve) => this.#waiters.push(resolve));
	}

	end(): void {
		this.#ended = true;
		for (const w of this.#waiters.splice(0)) w(undefined);
	}
}
