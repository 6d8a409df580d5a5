import { ProtocolError } from "../wire/errors.js";
import { Reader, Writer } from "../wire/buffer.js";

/** draft-ietf-moq-transport-14 (0xff000000 + draft number). */
export const DRAFT_14 = 0xff00000en;

/** draft-ietf-moq-transport-14 §3.4 session termination error codes used here. */
export const SessionError = {
	NoError: 0x0,
	InternalError: 0x1,
	Unauthorized: 0x2,
	ProtocolViolation: 0x3,
	InvalidRequestId: 0x4,
	GoawayTimeout: 0x10,
} as const;

/** draft-ietf-moq-transport-14 §9 message type table (the subset this client speaks or must recognise). */
export const MessageType = {
	SubscribeUpdate: 0x02,
	Subscribe: 0x03,
	SubscribeOk: 0x04,
	SubscribeError: 0x05,
	PublishNamespace: 0x06,
	PublishNamespaceOk: 0x07,
	PublishNamespaceError: 0x08,
	PublishNamespaceDone: 0x09,
	Unsubscribe: 0x0a,
	PublishDone: 0x0b,
	GoAway: 0x10,
	MaxRequestId: 0x15,
	RequestsBlocked: 0x1a,
	Publish: 0x1d,
	PublishOk: 0x1e,
	PublishError: 0x1f,
	ClientSetup: 0x20,
	ServerSetup: 0x21,
} as const;

/** draft-ietf-moq-transport-14 §9.3.1 setup parameters. */
export const SetupParameter = { Path: 0x01n, MaxRequestId: 0x02n, AuthorizationToken: 0x03n, Authority: 0x05n } as const;

/** draft-ietf-moq-transport-14 §9.7 filter types. */
export const FilterType = { NextGroupStart: 1, LargestObject: 2, AbsoluteStart: 3, AbsoluteRange: 4 } as const;

/** draft-ietf-moq-transport-14 §9.2: a namespace has 1..32 fields; the full name is at most 4096 bytes. */
const MAX_NAMESPACE_FIELDS = 32;
const MAX_FULL_NAME = 4096;
/** §9.2: a reason phrase is at most 1024 bytes. */
const MAX_REASON = 1024;
/** §9.4: a GOAWAY URI is at most 8192 bytes. */
const MAX_GOAWAY_URI = 8192;
/** §9: the control message length is 16 bits. */
const MAX_PAYLOAD = 0xffff;

/** One Key-Value-Pair (§1.4.2): an even key has a varint value, an odd key a byte string. */
export interface Parameter {
	key: bigint;
	value: bigint | Uint8Array;
}

export interface Location {
	group: bigint;
	object: bigint;
}

export type Message =
	| { type: "client_setup"; versions: bigint[]; parameters: Parameter[] }
	| { type: "server_setup"; version: bigint; parameters: Parameter[] }
	| { type: "goaway"; uri: string }
	| { type: "max_request_id"; requestId: bigint }
	| { type: "requests_blocked"; maximumRequestId: bigint }
	| {
			type: "subscribe";
			requestId: bigint;
			namespace: string[];
			name: string;
			subscriberPriority: number;
			groupOrder: number;
			forward: boolean;
			filterType: number;
			start?: Location;
			endGroup?: bigint;
			parameters: Parameter[];
	  }
	| {
			type: "subscribe_ok";
			requestId: bigint;
			trackAlias: bigint;
			expires: bigint;
			groupOrder: number;
			largest?: Location;
			parameters: Parameter[];
	  }
	| { type: "subscribe_error"; requestId: bigint; code: bigint; reason: string }
	| { type: "unsubscribe"; requestId: bigint }
	| { type: "publish_done"; requestId: bigint; code: bigint; streamCount: bigint; reason: string }
	| {
			type: "publish";
			requestId: bigint;
			namespace: string[];
			name: string;
			trackAlias: bigint;
			groupOrder: number;
			largest?: Location;
			forward: boolean;
			parameters: Parameter[];
	  }
	| {
			type: "publish_ok";
			requestId: bigint;
			forward: boolean;
			subscriberPriority: number;
			groupOrder: number;
			filterType: number;
			start?: Location;
			endGroup?: bigint;
			parameters: Parameter[];
	  }
	| { type: "publish_error"; requestId: bigint; code: bigint; reason: string }
	| { type: "publish_namespace"; requestId: bigint; namespace: string[]; parameters: Parameter[] }
	/** Draft-14 text gives only the Request ID; the moqtap vectors add a parameter block, so it is optional both ways. */
	| { type: "publish_namespace_ok"; requestId: bigint; parameters?: Parameter[] }
	| { type: "publish_namespace_error"; requestId: bigint; code: bigint; reason: string }
	| { type: "publish_namespace_done"; namespace: string[] }
	/** A known draft-14 message this client does not act on; its payload is kept as bytes. */
	| { type: "other"; typeId: number; payload: Uint8Array };

const violation = (message: string) => new ProtocolError(SessionError.ProtocolViolation, message);

function readParameters(r: Reader): Parameter[] {
	const count = r.varint();
	// Each parameter takes at least two bytes, so a count past that cannot be honest (checked before looping).
	if (count > BigInt(r.remaining)) throw violation(`parameter count ${count} exceeds the message`);
	const out: Parameter[] = [];
	for (let i = 0n; i < count; i++) {
		const key = r.varint();
		// §1.4.2: odd keys carry a length-prefixed byte value, even keys a single varint.
		out.push({ key, value: key % 2n === 0n ? r.varint() : r.lengthPrefixed(MAX_PAYLOAD) });
	}
	return out;
}

function writeParameters(w: Writer, parameters: Parameter[]): void {
	w.varint(parameters.length);
	for (const p of parameters) {
		w.varint(p.key);
		if (p.key % 2n === 0n) {
			if (typeof p.value !== "bigint") throw new TypeError(`parameter ${p.key} is even and takes a varint`);
			w.varint(p.value);
		} else {
			if (typeof p.value === "bigint") throw new TypeError(`parameter ${p.key} is odd and takes bytes`);
			w.lengthPrefixed(p.value);
		}
	}
}

// §9.2 Track Namespace: a count of fields, each a length-prefixed byte string.
function readNamespace(r: Reader): string[] {
	const count = r.varint();
	if (count < 1n || count > BigInt(MAX_NAMESPACE_FIELDS)) throw violation(`namespace has ${count} fields`);
	const out: string[] = [];
	for (let i = 0n; i < count; i++) out.push(r.string(MAX_FULL_NAME, SessionError.ProtocolViolation));
	return out;
}

function writeNamespace(w: Writer, namespace: string[]): void {
	if (namespace.length < 1 || namespace.length > MAX_NAMESPACE_FIELDS) throw new RangeError("a namespace has 1..32 fields");
	w.varint(namespace.length);
	for (const field of namespace) w.string(field);
}

function readLocation(r: Reader): Location {
	return { group: r.varint(), object: r.varint() };
}

function writeLocation(w: Writer, l: Location): void {
	w.varint(l.group).varint(l.object);
}

function readFlag(r: Reader, name: string): boolean {
	const v = r.u8();
	if (v > 1) throw violation(`${name} must be 0 or 1, got ${v}`);
	return v === 1;
}

// §9.7: Group Order 0 (original publisher's), 1 ascending, 2 descending; anything else is a violation.
function readGroupOrder(r: Reader): number {
	const v = r.u8();
	if (v > 2) throw violation(`group order ${v}`);
	return v;
}

function readFilter(r: Reader): { filterType: number; start?: Location; endGroup?: bigint } {
	const filterType = r.varintNumber(SessionError.ProtocolViolation);
	switch (filterType) {
		case FilterType.NextGroupStart:
		case FilterType.LargestObject:
			return { filterType };
		case FilterType.AbsoluteStart:
			return { filterType, start: readLocation(r) };
		case FilterType.AbsoluteRange:
			return { filterType, start: readLocation(r), endGroup: r.varint() };
		default:
			throw violation(`filter type ${filterType}`);
	}
}

function writeFilter(w: Writer, m: { filterType: number; start?: Location; endGroup?: bigint }): void {
	w.varint(m.filterType);
	if (m.filterType === FilterType.AbsoluteStart || m.filterType === FilterType.AbsoluteRange) {
		if (!m.start) throw new TypeError("absolute filters need a start location");
		writeLocation(w, m.start);
	}
	if (m.filterType === FilterType.AbsoluteRange) w.varint(m.endGroup ?? 0n);
}

// §9.8/§9.13: Content Exists (0/1) then Largest Location when 1.
function readContent(r: Reader): Location | undefined {
	return readFlag(r, "content exists") ? readLocation(r) : undefined;
}

function writeContent(w: Writer, largest: Location | undefined): void {
	if (largest) {
		w.u8(1);
		writeLocation(w, largest);
	} else {
		w.u8(0);
	}
}

function readRequestError(r: Reader): { requestId: bigint; code: bigint; reason: string } {
	return { requestId: r.varint(), code: r.varint(), reason: r.string(MAX_REASON, SessionError.ProtocolViolation) };
}

function readPayload(typeId: number, r: Reader): Message {
	switch (typeId) {
		case MessageType.ClientSetup: {
			const count = r.varint();
			if (count < 1n || count > BigInt(r.remaining)) throw violation(`CLIENT_SETUP offers ${count} versions`);
			const versions: bigint[] = [];
			for (let i = 0n; i < count; i++) versions.push(r.varint());
			return { type: "client_setup", versions, parameters: readParameters(r) };
		}
		case MessageType.ServerSetup:
			return { type: "server_setup", version: r.varint(), parameters: readParameters(r) };
		case MessageType.GoAway: {
			const bytes = r.lengthPrefixed(MAX_GOAWAY_URI, SessionError.ProtocolViolation);
			return { type: "goaway", uri: new TextDecoder().decode(bytes) };
		}
		case MessageType.MaxRequestId:
			return { type: "max_request_id", requestId: r.varint() };
		case MessageType.RequestsBlocked:
			return { type: "requests_blocked", maximumRequestId: r.varint() };
		case MessageType.Subscribe: {
			const requestId = r.varint();
			const namespace = readNamespace(r);
			const name = r.string(MAX_FULL_NAME, SessionError.ProtocolViolation);
			const subscriberPriority = r.u8();
			const groupOrder = readGroupOrder(r);
			const forward = readFlag(r, "forward");
			const filter = readFilter(r);
			return { type: "subscribe", requestId, namespace, name, subscriberPriority, groupOrder, forward, ...filter, parameters: readParameters(r) };
		}
		case MessageType.SubscribeOk: {
			const requestId = r.varint();
			const trackAlias = r.varint();
			const expires = r.varint();
			const groupOrder = readGroupOrder(r);
			const largest = readContent(r);
			const m: Message = { type: "subscribe_ok", requestId, trackAlias, expires, groupOrder, parameters: [] };
			if (largest) m.largest = largest;
			m.parameters = readParameters(r);
			return m;
		}
		case MessageType.SubscribeError:
			return { type: "subscribe_error", ...readRequestError(r) };
		case MessageType.Unsubscribe:
			return { type: "unsubscribe", requestId: r.varint() };
		case MessageType.PublishDone:
			return {
				type: "publish_done",
				requestId: r.varint(),
				code: r.varint(),
				streamCount: r.varint(),
				reason: r.string(MAX_REASON, SessionError.ProtocolViolation),
			};
		case MessageType.Publish: {
			const requestId = r.varint();
			const namespace = readNamespace(r);
			const name = r.string(MAX_FULL_NAME, SessionError.ProtocolViolation);
			const trackAlias = r.varint();
			const groupOrder = readGroupOrder(r);
			const largest = readContent(r);
			const forward = readFlag(r, "forward");
			const m: Message = { type: "publish", requestId, namespace, name, trackAlias, groupOrder, forward, parameters: [] };
			if (largest) m.largest = largest;
			m.parameters = readParameters(r);
			return m;
		}
		case MessageType.PublishOk: {
			const requestId = r.varint();
			const forward = readFlag(r, "forward");
			const subscriberPriority = r.u8();
			const groupOrder = readGroupOrder(r);
			const filter = readFilter(r);
			return { type: "publish_ok", requestId, forward, subscriberPriority, groupOrder, ...filter, parameters: readParameters(r) };
		}
		case MessageType.PublishError:
			return { type: "publish_error", ...readRequestError(r) };
		case MessageType.PublishNamespace:
			return { type: "publish_namespace", requestId: r.varint(), namespace: readNamespace(r), parameters: readParameters(r) };
		case MessageType.PublishNamespaceOk: {
			const m: Message = { type: "publish_namespace_ok", requestId: r.varint() };
			if (!r.done) m.parameters = readParameters(r);
			return m;
		}
		case MessageType.PublishNamespaceError:
			return { type: "publish_namespace_error", ...readRequestError(r) };
		case MessageType.PublishNamespaceDone:
			return { type: "publish_namespace_done", namespace: readNamespace(r) };
		default:
			// §9: "An endpoint that receives an unknown message type MUST close the session."
			if ((typeId >= 0x02 && typeId <= 0x1a) || (typeId >= 0x1d && typeId <= 0x21)) {
				return { type: "other", typeId, payload: r.rest() };
			}
			throw violation(`unknown control message type 0x${typeId.toString(16)}`);
	}
}

/**
 * Reads one control message (§9: Message Type varint, 16-bit Message Length, payload) from the front of `data`.
 * Returns undefined when `data` holds less than a whole message; throws {@link ProtocolError} on a bad one.
 */
export function readMessage(data: Uint8Array): { message: Message; size: number } | undefined {
	const r = new Reader(data);
	let typeId: number;
	let length: number;
	try {
		const t = r.varint();
		if (t > 0xffffn) throw violation(`unknown control message type 0x${t.toString(16)}`);
		typeId = Number(t);
		length = r.u16();
	} catch (e) {
		if (e instanceof ProtocolError) throw e;
		return undefined;
	}
	if (r.remaining < length) return undefined;
	const payload = new Reader(r.bytes(length));
	let message: Message;
	try {
		message = readPayload(typeId, payload);
	} catch (e) {
		if (e instanceof ProtocolError) throw e;
		// §9: running short inside a complete Message Length is a length mismatch.
		throw violation(`control message 0x${typeId.toString(16)} is shorter than its fields`);
	}
	// §9: "If the length does not match the length of the Message Payload, the receiver MUST close the session."
	if (!payload.done) throw violation(`control message 0x${typeId.toString(16)} has ${payload.remaining} bytes past its fields`);
	return { message, size: r.position };
}

const typeIds: Record<Exclude<Message["type"], "other">, number> = {
	client_setup: MessageType.ClientSetup,
	server_setup: MessageType.ServerSetup,
	goaway: MessageType.GoAway,
	max_request_id: MessageType.MaxRequestId,
	requests_blocked: MessageType.RequestsBlocked,
	subscribe: MessageType.Subscribe,
	subscribe_ok: MessageType.SubscribeOk,
	subscribe_error: MessageType.SubscribeError,
	unsubscribe: MessageType.Unsubscribe,
	publish_done: MessageType.PublishDone,
	publish: MessageType.Publish,
	publish_ok: MessageType.PublishOk,
	publish_error: MessageType.PublishError,
	publish_namespace: MessageType.PublishNamespace,
	publish_namespace_ok: MessageType.PublishNamespaceOk,
	publish_namespace_error: MessageType.PublishNamespaceError,
	publish_namespace_done: MessageType.PublishNamespaceDone,
};

function writePayload(w: Writer, m: Message): void {
	switch (m.type) {
		case "client_setup":
			w.varint(m.versions.length);
			for (const v of m.versions) w.varint(v);
			writeParameters(w, m.parameters);
			return;
		case "server_setup":
			w.varint(m.version);
			writeParameters(w, m.parameters);
			return;
		case "goaway":
			w.string(m.uri);
			return;
		case "max_request_id":
			w.varint(m.requestId);
			return;
		case "requests_blocked":
			w.varint(m.maximumRequestId);
			return;
		case "subscribe":
			w.varint(m.requestId);
			writeNamespace(w, m.namespace);
			w.string(m.name).u8(m.subscriberPriority).u8(m.groupOrder).u8(m.forward ? 1 : 0);
			writeFilter(w, m);
			writeParameters(w, m.parameters);
			return;
		case "subscribe_ok":
			w.varint(m.requestId).varint(m.trackAlias).varint(m.expires).u8(m.groupOrder);
			writeContent(w, m.largest);
			writeParameters(w, m.parameters);
			return;
		case "subscribe_error":
		case "publish_error":
		case "publish_namespace_error":
			w.varint(m.requestId).varint(m.code).string(m.reason);
			return;
		case "unsubscribe":
			w.varint(m.requestId);
			return;
		case "publish_done":
			w.varint(m.requestId).varint(m.code).varint(m.streamCount).string(m.reason);
			return;
		case "publish":
			w.varint(m.requestId);
			writeNamespace(w, m.namespace);
			w.string(m.name).varint(m.trackAlias).u8(m.groupOrder);
			writeContent(w, m.largest);
			w.u8(m.forward ? 1 : 0);
			writeParameters(w, m.parameters);
			return;
		case "publish_ok":
			w.varint(m.requestId).u8(m.forward ? 1 : 0).u8(m.subscriberPriority).u8(m.groupOrder);
			writeFilter(w, m);
			writeParameters(w, m.parameters);
			return;
		case "publish_namespace":
			w.varint(m.requestId);
			writeNamespace(w, m.namespace);
			writeParameters(w, m.parameters);
			return;
		case "publish_namespace_ok":
			w.varint(m.requestId);
			if (m.parameters) writeParameters(w, m.parameters);
			return;
		case "publish_namespace_done":
			writeNamespace(w, m.namespace);
			return;
		case "other":
			w.bytes(m.payload);
			return;
	}
}

/** Encodes one control message with its §9 framing (type, 16-bit length, payload). */
export function writeMessage(m: Message): Uint8Array {
	const payload = new Writer();
	writePayload(payload, m);
	if (payload.length > MAX_PAYLOAD) throw new RangeError("control message longer than 65535 bytes");
	const typeId = m.type === "other" ? m.typeId : typeIds[m.type];
	return new Writer(payload.length + 8).varint(typeId).u16(payload.length).bytes(payload.finish()).finish();
}
