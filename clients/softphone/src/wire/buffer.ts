import { ProtocolError, ShortBuffer } from "./errors.js";

/** RFC 9000 §16: the largest value a variable-length integer holds (2^62 - 1). */
export const VARINT_MAX = (1n << 62n) - 1n;

/** Bytes an RFC 9000 §16 varint of `value` takes. */
export function varintLength(value: bigint | number): number {
	const v = BigInt(value);
	if (v < 0n || v > VARINT_MAX) throw new RangeError(`varint out of range: ${v}`);
	if (v < 0x40n) return 1;
	if (v < 0x4000n) return 2;
	if (v < 0x4000_0000n) return 4;
	return 8;
}

/** A growable byte writer. RFC 9000 §16 varints are always written in their shortest form. */
export class Writer {
	#buf: Uint8Array;
	#len = 0;

	constructor(capacity = 64) {
		this.#buf = new Uint8Array(capacity);
	}

	get length(): number {
		return this.#len;
	}

	#reserve(n: number): void {
		if (this.#len + n <= this.#buf.length) return;
		let cap = this.#buf.length * 2;
		while (cap < this.#len + n) cap *= 2;
		const next = new Uint8Array(cap);
		next.set(this.#buf.subarray(0, this.#len));
		this.#buf = next;
	}

	u8(value: number): this {
		if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`u8 out of range: ${value}`);
		this.#reserve(1);
		this.#buf[this.#len++] = value;
		return this;
	}

	u16(value: number): this {
		if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`u16 out of range: ${value}`);
		this.#reserve(2);
		this.#buf[this.#len++] = value >> 8;
		this.#buf[this.#len++] = value & 0xff;
		return this;
	}

	/** RFC 9000 §16: two high bits give the length (1, 2, 4 or 8 bytes), the rest is big-endian. */
	varint(value: bigint | number): this {
		const v = BigInt(value);
		const n = varintLength(v);
		this.#reserve(n);
		const prefix = n === 1 ? 0n : n === 2 ? 1n : n === 4 ? 2n : 3n;
		let x = v | (prefix << BigInt(n * 8 - 2));
		for (let i = n - 1; i >= 0; i--) {
			this.#buf[this.#len + i] = Number(x & 0xffn);
			x >>= 8n;
		}
		this.#len += n;
		return this;
	}

	bytes(data: Uint8Array): this {
		this.#reserve(data.length);
		this.#buf.set(data, this.#len);
		this.#len += data.length;
		return this;
	}

	/** A varint length followed by the bytes. */
	lengthPrefixed(data: Uint8Array): this {
		return this.varint(data.length).bytes(data);
	}

	string(value: string): this {
		return this.lengthPrefixed(new TextEncoder().encode(value));
	}

	/** The written bytes (a copy, safe to keep). */
	finish(): Uint8Array {
		return this.#buf.slice(0, this.#len);
	}
}

/** A cursor over bytes. Reads past the end throw {@link ShortBuffer}; callers treat that as "need more". */
export class Reader {
	#pos = 0;

	constructor(readonly data: Uint8Array) {}

	get position(): number {
		return this.#pos;
	}

	get remaining(): number {
		return this.data.length - this.#pos;
	}

	get done(): boolean {
		return this.#pos >= this.data.length;
	}

	u8(): number {
		if (this.remaining < 1) throw new ShortBuffer();
		return this.data[this.#pos++]!;
	}

	u16(): number {
		if (this.remaining < 2) throw new ShortBuffer();
		const v = (this.data[this.#pos]! << 8) | this.data[this.#pos + 1]!;
		this.#pos += 2;
		return v;
	}

	/** RFC 9000 §16 varint as a bigint. */
	varint(): bigint {
		if (this.remaining < 1) throw new ShortBuffer();
		const first = this.data[this.#pos]!;
		const n = 1 << (first >> 6);
		if (this.remaining < n) throw new ShortBuffer();
		let v = BigInt(first & 0x3f);
		for (let i = 1; i < n; i++) v = (v << 8n) | BigInt(this.data[this.#pos + i]!);
		this.#pos += n;
		return v;
	}

	/** A varint that must fit a JavaScript number (≤ 2^53 - 1); larger values are a protocol error with `code`. */
	varintNumber(code = 0x3): number {
		const v = this.varint();
		if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtocolError(code, `value ${v} is too large`);
		return Number(v);
	}

	bytes(n: number): Uint8Array {
		if (n < 0 || this.remaining < n) throw new ShortBuffer();
		const out = this.data.subarray(this.#pos, this.#pos + n);
		this.#pos += n;
		return out;
	}

	/** A varint length, checked against `max` before anything is sliced, then that many bytes. */
	lengthPrefixed(max: number, code = 0x3): Uint8Array {
		const n = this.varint();
		if (n > BigInt(max)) throw new ProtocolError(code, `length ${n} exceeds ${max}`);
		return this.bytes(Number(n));
	}

	string(max: number, code = 0x3): string {
		const bytes = this.lengthPrefixed(max, code);
		try {
			return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
		} catch {
			throw new ProtocolError(code, "string is not UTF-8");
		}
	}

	rest(): Uint8Array {
		return this.bytes(this.remaining);
	}
}

export function toHex(bytes: Uint8Array): string {
	let s = "";
	for (const b of bytes) s += b.toString(16).padStart(2, "0");
	return s;
}

export function fromHex(hex: string): Uint8Array {
	if (hex.length % 2 !== 0) throw new Error("odd hex length");
	const out = new Uint8Array(hex.length / 2);
	for (let i = 0; i < out.length; i++) {
		const byte = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
		if (Number.isNaN(byte)) throw new Error("bad hex");
		out[i] = byte;
	}
	return out;
}
