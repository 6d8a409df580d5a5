// Shared set-up for the @moq/net interop scripts: Node 20 has no global WebSocket, so the `ws`
// package supplies one before @moq/net loads. Every line on stdout is one JSON event for the C# test.
import WebSocket from "ws";

globalThis.WebSocket = WebSocket;
// @moq/net calls Promise.withResolvers (ES2024, Node 22+); Node 20 lacks it.
if (!Promise.withResolvers) {
	Promise.withResolvers = () => {
		let resolve;
		let reject;
		const promise = new Promise((res, rej) => {
			resolve = res;
			reject = rej;
		});
		return { promise, resolve, reject };
	};
}
// ... and Set.prototype.difference (ES2025, Node 22+).
if (!Set.prototype.difference) {
	Object.defineProperty(Set.prototype, "difference", {
		configurable: true,
		writable: true,
		value(other) {
			const out = new Set();
			for (const v of this) if (!other.has(v)) out.add(v);
			return out;
		},
	});
}

export const Moq = await import("@moq/net");

export function emit(event) {
	process.stdout.write(JSON.stringify(event) + "\n");
}

export function fail(error) {
	emit({ event: "error", message: String(error?.stack ?? error) });
	process.exit(1);
}

/** Deterministic payload for object `index`: the text "moqnet-<index>-" then (index % 251) filler bytes. */
export function payload(prefix, index) {
	const head = new TextEncoder().encode(`${prefix}-${index}-`);
	const bytes = new Uint8Array(head.length + (index % 251));
	bytes.set(head);
	for (let i = head.length; i < bytes.length; i++) bytes[i] = (index * 31 + i) & 0xff;
	return bytes;
}

export function hex(bytes) {
	return Buffer.from(bytes).toString("hex");
}

export async function connect(url) {
	// No WebTransport in Node: the WebSocket (QMux) fallback is the only path, so start it at once.
	const connection = await Moq.Connection.connect(new URL(url), {
		websocket: { delay: 0 },
		signal: AbortSignal.timeout(30000),
	});
	emit({ event: "connected", version: connection.version, transport: String(connection.transport?.kind ?? connection.transport ?? "") });
	return connection;
}
