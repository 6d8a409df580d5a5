/** QMux wire versions, negotiated in Sec-WebSocket-Protocol as `qmux-VV` or `qmux-VV.{alpn}`. */
export type QmuxVersion = "qmux-00" | "qmux-01" | "qmux-02";

export const QMUX_VERSIONS: readonly QmuxVersion[] = ["qmux-02", "qmux-01", "qmux-00"];

/** Tokens to offer: each application protocol with every QMux version (newest first), then the bare versions. */
export function offerSubprotocols(applicationProtocols: readonly string[]): string[] {
	const out: string[] = [];
	for (const alpn of applicationProtocols) for (const v of QMUX_VERSIONS) out.push(`${v}.${alpn}`);
	out.push(...QMUX_VERSIONS);
	return out;
}

/** Splits the server's selected token; undefined when it is not a QMux one. */
export function parseSubprotocol(token: string): { version: QmuxVersion; protocol: string | undefined } | undefined {
	for (const v of QMUX_VERSIONS) {
		if (token === v) return { version: v, protocol: undefined };
		if (token.startsWith(v + ".") && token.length > v.length + 1) return { version: v, protocol: token.slice(v.length + 1) };
	}
	return undefined;
}
