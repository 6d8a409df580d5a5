import { ProtocolError, ShortBuffer } from "../wire/errors.js";
import { Reader, Writer } from "../wire/buffer.js";
import { SessionError } from "./messages.js";

/** The extension header carrying an object's capture time, µs since the Unix epoch (ClutchCall's audio profile). */
export const CAPTURE_TIMESTAMP_EXTENSION = 0x4356n;
/** Largest extension block and object payload this client accepts (an Opus frame is ≤ 1275 bytes). */
const MAX_EXTENSIONS = 16 * 1024;
const MAX_PAYLOAD = 64 * 1024;

/** draft-ietf-moq-transport-14 §10.4.2 SUBGROUP_HEADER. */
export interface SubgroupHeader {
	/** Stream type 0x10-0x1D: bit 0 extensions present, bits 1-2 subgroup id mode, bit 3 end of group. */
	streamType: number;
	trackAlias: bigint;
	group: bigint;
	/** Present on the wire only for the explicit modes (0x14-0x15, 0x1C-0x1D). */
	subgroup?: bigint;
	publisherPriority: number;
}

/** One object of a subgroup stream (§10.4.2 Subgroup Object Fields). */
export interface SubgroupObject {
	objectId: bigint;
	extensions?: Uint8Array;
	payload: Uint8Array;
	/** §10.2.1.1 Object Status, only when the payload is empty. */
	status?: bigint;
}

const violation = (message: string) => new ProtocolError(SessionError.ProtocolViolation, message);

/** §10.4.2: 0x10-0x15 and 0x18-0x1D are subgroup streams (0x16/0x17 are undefined). */
export function isSubgroupType(type: bigint): boolean {
	return type >= 0x10n && type <= 0x1dn && type !== 0x16n && type !== 0x17n;
}

export function subgroupHasExtensions(streamType: number): boolean {
	return (streamType & 0x01) !== 0;
}

/** §10.4.2 explicit Subgroup ID field present (0x14, 0x15, 0x1C, 0x1D). */
function hasSubgroupField(streamType: number): boolean {
	return ((streamType >> 1) & 0x3) === 2;
}

/** Reads a subgroup header; undefined while incomplete. Throws {@link ProtocolError} for a non-subgroup type. */
export function readSubgroupHeader(data: Uint8Array): { header: SubgroupHeader; size: number } | undefined {
	const r = new Reader(data);
	try {
		const type = r.varint();
		if (!isSubgroupType(type)) throw violation(`stream type 0x${type.toString(16)} is not a subgroup`);
		const streamType = Number(type);
		const trackAlias = r.varint();
		const group = r.varint();
		const header: SubgroupHeader = { streamType, trackAlias, group, publisherPriority: 0 };
		if (hasSubgroupField(streamType)) header.subgroup = r.varint();
		header.publisherPriority = r.u8();
		return { header, size: r.position };
	} catch (e) {
		if (e instanceof ShortBuffer) return undefined;
		throw e;
	}
}

export function writeSubgroupHeader(w: Writer, h: SubgroupHeader): void {
	w.varint(h.streamType).varint(h.trackAlias).varint(h.group);
	if (hasSubgroupField(h.streamType)) w.varint(h.subgroup ?? 0n);
	w.u8(h.publisherPriority);
}

/**
 * Reads one object after `previousId` (undefined for the first object of the stream); undefined while incomplete.
 * §10.4.2: "The Object ID Delta + 1 is added to the previous Object ID ... The Object ID is the Object ID Delta if
 * it's the first Object in the Subgroup stream."
 */
export function readSubgroupObject(
	data: Uint8Array,
	streamType: number,
	previousId: bigint | undefined,
): { object: SubgroupObject; size: number } | undefined {
	const r = new Reader(data);
	try {
		const delta = r.varint();
		const objectId = previousId === undefined ? delta : previousId + delta + 1n;
		const object: SubgroupObject = { objectId, payload: new Uint8Array(0) };
		if (subgroupHasExtensions(streamType)) object.extensions = r.lengthPrefixed(MAX_EXTENSIONS, SessionError.ProtocolViolation);
		const length = r.varint();
		if (length > BigInt(MAX_PAYLOAD)) throw violation(`object payload of ${length} bytes`);
		if (length === 0n) {
			// §10.4.2: "The Object Status field is only sent if the Object Payload Length is zero."
			object.status = r.varint();
		} else {
			object.payload = r.bytes(Number(length));
		}
		return { object, size: r.position };
	} catch (e) {
		if (e instanceof ShortBuffer) return undefined;
		throw e;
	}
}

export function writeSubgroupObject(w: Writer, streamType: number, previousId: bigint | undefined, o: SubgroupObject): void {
	const delta = previousId === undefined ? o.objectId : o.objectId - previousId - 1n;
	if (delta < 0n) throw new RangeError("object ids rise within a subgroup");
	w.varint(delta);
	if (subgroupHasExtensions(streamType)) w.lengthPrefixed(o.extensions ?? new Uint8Array(0));
	w.varint(o.payload.length);
	if (o.payload.length === 0) w.varint(o.status ?? 0n);
	else w.bytes(o.payload);
}

/** §1.4.2 extension headers: key-value pairs with no count, filling the block. Returns the capture timestamp if any. */
export function readCaptureTimestamp(block: Uint8Array | undefined): bigint | undefined {
	if (!block || block.length === 0) return undefined;
	const r = new Reader(block);
	try {
		while (!r.done) {
			const key = r.varint();
			if (key % 2n === 0n) {
				const value = r.varint();
				if (key === CAPTURE_TIMESTAMP_EXTENSION) return value;
			} else {
				r.lengthPrefixed(MAX_EXTENSIONS, SessionError.ProtocolViolation);
			}
		}
	} catch (e) {
		if (e instanceof ShortBuffer) throw violation("extension block ends inside a header");
		throw e;
	}
	return undefined;
}

export function writeCaptureTimestamp(micros: bigint): Uint8Array {
	return new Writer(16).varint(CAPTURE_TIMESTAMP_EXTENSION).varint(micros).finish();
}
