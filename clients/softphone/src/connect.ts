import { connectWebSocket } from "./qmux/connection.js";
import type { SocketLike } from "./qmux/connection.js";
import { offerSubprotocols, parseSubprotocol } from "./qmux/subprotocol.js";
import type { Transport } from "./transport.js";
import { WebTransportSession } from "./webtransport.js";

/** MoQT protocols this client speaks: `moq-00` is draft-ietf-moq-transport-14 (the relay's ALPN / QMux suffix). */
export const APPLICATION_PROTOCOLS = ["moq-00"] as const;

export interface TransportOptions {
	/** `auto` (default): WebTransport for https:// URLs when the browser has it, racing a WebSocket fallback. */
	transport?: "auto" | "webtransport" | "websocket";
	/** Head start WebTransport gets before the WebSocket fallback is tried (ms, default 500). */
	webTransportHeadStartMs?: number;
	/** Certificate pins for a self-signed relay (WebTransport `serverCertificateHashes`). */
	serverCertificateHashes?: WebTransportHash[];
	/** WebSocket factory (Node tests pass `ws`); defaults to the global WebSocket. */
	createWebSocket?: (url: string, protocols: string[]) => SocketLike & { protocol: string; onopen: (() => void) | null };
}

/** Appends the relay token as `?jwt=` (how browsers authenticate: they cannot set headers on either transport). */
export function withToken(url: string, token: string): string {
	const u = new URL(url);
	u.searchParams.set("jwt", token);
	return u.toString();
}

function toWebSocketUrl(url: string): string {
	const u = new URL(url);
	if (u.protocol === "https:") u.protocol = "wss:";
	else if (u.protocol === "http:") u.protocol = "ws:";
	return u.toString();
}

function openWebSocket(url: string, options: TransportOptions, signal?: AbortSignal): Promise<Transport> {
	const create =
		options.createWebSocket ??
		((u: string, p: string[]) => new WebSocket(u, p) as unknown as SocketLike & { protocol: string; onopen: (() => void) | null });
	return connectWebSocket(toWebSocketUrl(url), offerSubprotocols(APPLICATION_PROTOCOLS), create, parseSubprotocol, signal);
}

/**
 * Opens a transport to the relay. ws:// and wss:// URLs use WebSocket/QMux; https:// URLs use WebTransport when
 * the browser has it, with the WebSocket started after a head start and the first to open winning.
 */
export async function openTransport(relayUrl: string, token: string, options: TransportOptions = {}): Promise<Transport> {
	const url = withToken(relayUrl, token);
	const scheme = new URL(url).protocol;
	const mode = options.transport ?? "auto";
	const hasWebTransport = typeof (globalThis as { WebTransport?: unknown }).WebTransport === "function";
	const canWebTransport = scheme === "https:" && hasWebTransport;
	if (mode === "websocket" || (mode === "auto" && !canWebTransport)) return openWebSocket(url, options);
	const wtOptions: WebTransportOptions = { requireUnreliable: false };
	if (options.serverCertificateHashes) wtOptions.serverCertificateHashes = options.serverCertificateHashes;
	if (mode === "webtransport") return WebTransportSession.connect(url, wtOptions);

	const abort = new AbortController();
	const wt = WebTransportSession.connect(url, wtOptions);
	const ws = new Promise<Transport>((resolve, reject) => {
		const timer = setTimeout(() => openWebSocket(url, options, abort.signal).then(resolve, reject), options.webTransportHeadStartMs ?? 500);
		abort.signal.addEventListener("abort", () => {
			clearTimeout(timer);
			reject(new Error("WebTransport won"));
		});
	});
	try {
		const winner = await Promise.any([wt.then((t) => ({ t, which: "wt" as const })), ws.then((t) => ({ t, which: "ws" as const }))]);
		if (winner.which === "wt") abort.abort();
		else void wt.then((t) => t.close(0, "WebSocket won the race")).catch(() => undefined);
		return winner.t;
	} catch (e) {
		throw new Error(`neither WebTransport nor WebSocket reached ${relayUrl}: ${String((e as AggregateError).errors ?? e)}`);
	}
}

/** Reconnect delay: 1 s doubling to 30 s, ±20 % jitter (issue 3's client profile). */
export function backoffMs(attempt: number, initialMs = 1000, maxMs = 30000, random: () => number = Math.random): number {
	const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
	return Math.round(base * (0.8 + 0.4 * random()));
}
