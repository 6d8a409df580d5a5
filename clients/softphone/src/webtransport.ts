import { AsyncQueue, StreamResetError, TransportClosedError } from "./transport.js";
import type { BidiStream, CloseInfo, RecvStream, SendStream, Transport } from "./transport.js";

function sendStream(writable: WritableStream<Uint8Array>): SendStream {
	const writer = writable.getWriter();
	return {
		write: (data) => writer.write(data),
		finish: () => writer.close(),
		reset: (code) => void writer.abort(new WebTransportError("reset", { streamErrorCode: code })).catch(() => undefined),
	};
}

function recvStream(readable: ReadableStream<Uint8Array>): RecvStream {
	const reader = readable.getReader();
	return {
		async read() {
			try {
				const { value, done } = await reader.read();
				return done ? undefined : value;
			} catch (e) {
				const code = (e as { streamErrorCode?: number | null }).streamErrorCode;
				throw new StreamResetError(code ?? 0);
			}
		},
		stop: (code) => void reader.cancel(new WebTransportError("stop", { streamErrorCode: code })).catch(() => undefined),
	};
}

/** The browser's native WebTransport (draft-ietf-webtrans-http3) as a {@link Transport}. */
export class WebTransportSession implements Transport {
	readonly kind = "webtransport";
	readonly closed: Promise<CloseInfo>;
	#uni = new AsyncQueue<RecvStream>();
	#bidi = new AsyncQueue<BidiStream>();
	#closeInfo: CloseInfo | undefined;

	constructor(
		readonly wt: WebTransport,
		readonly protocol: string | undefined,
	) {
		this.closed = wt.closed.then(
			(i) => ({ code: i.closeCode ?? 0, reason: i.reason ?? "", transportError: false }),
			(e) => ({ code: 0, reason: String(e), transportError: true }),
		);
		void this.closed.then((info) => {
			this.#closeInfo = info;
			this.#uni.end();
			this.#bidi.end();
		});
		void this.#pump(wt.incomingUnidirectionalStreams, (s) => this.#uni.push(recvStream(s)));
		void this.#pump(wt.incomingBidirectionalStreams, (s) => this.#bidi.push({ send: sendStream(s.writable), recv: recvStream(s.readable) }));
	}

	static async connect(url: string, options: WebTransportOptions = {}): Promise<WebTransportSession> {
		const wt = new WebTransport(url, options);
		await wt.ready;
		return new WebTransportSession(wt, (wt as unknown as { protocol?: string }).protocol || undefined);
	}

	async #pump<T>(readable: ReadableStream<T>, push: (item: T) => void): Promise<void> {
		const reader = readable.getReader();
		try {
			for (;;) {
				const { value, done } = await reader.read();
				if (done) return;
				push(value);
			}
		} catch {
			// The session closed.
		}
	}

	async openBidi(): Promise<BidiStream> {
		if (this.#closeInfo) throw new TransportClosedError(this.#closeInfo);
		const s = await this.wt.createBidirectionalStream();
		return { send: sendStream(s.writable), recv: recvStream(s.readable) };
	}

	async openUni(): Promise<SendStream> {
		if (this.#closeInfo) throw new TransportClosedError(this.#closeInfo);
		return sendStream(await this.wt.createUnidirectionalStream());
	}

	acceptUni(): Promise<RecvStream | undefined> {
		return this.#uni.next();
	}

	acceptBidi(): Promise<BidiStream | undefined> {
		return this.#bidi.next();
	}

	close(code: number, reason: string): void {
		try {
			this.wt.close({ closeCode: code, reason });
		} catch {
			// already closed
		}
	}
}
