import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeFrame, integerParameter, readRecord, TransportParameterId } from "../src/qmux/frames.js";
import type { Frame } from "../src/qmux/frames.js";
import { ProtocolError } from "../src/wire/errors.js";
import { offerSubprotocols, parseSubprotocol } from "../src/qmux/subprotocol.js";
import { fromHex, toHex } from "../src/wire/buffer.js";

test("QMux frames round-trip (RFC 9000 §19 layouts)", () => {
	const frames: Frame[] = [
		{ type: "stream", id: 2n, offset: 1234n, fin: true, data: new Uint8Array([1, 2, 3]) },
		{ type: "reset_stream", id: 6n, code: 9n, finalSize: 100n },
		{ type: "stop_sending", id: 3n, code: 0n },
		{ type: "max_data", max: 1n << 40n },
		{ type: "max_stream_data", id: 4n, max: 65536n },
		{ type: "max_streams", bidi: false, max: 1000n },
		{ type: "connection_close", application: true, code: 2n, reason: "bye" },
		{ type: "connection_close", application: false, code: 10n, frameType: 8n, reason: "bad" },
		{ type: "qx_ping", response: true, sequence: 77n },
		{ type: "transport_parameters", parameters: new Map([[TransportParameterId.InitialMaxData, integerParameter(1048576)]]) },
	];
	for (const f of frames) assert.deepEqual(readRecord(encodeFrame(f)), [f]);
	// A record may hold several frames (qmux-01/-02).
	const record = new Uint8Array([...encodeFrame(frames[3]!), ...encodeFrame(frames[4]!)]);
	assert.deepEqual(readRecord(record), [frames[3], frames[4]]);
});

test("QX_TRANSPORT_PARAMETERS uses the 8-byte QMux frame type and RFC 9000 §18 id/length/value", () => {
	const bytes = encodeFrame({ type: "transport_parameters", parameters: new Map([[0x04n, integerParameter(16)]]) });
	assert.equal(toHex(bytes), "ff5153300d0a0d0a" + "03" + "040110");
});

test("STREAM without LEN runs to the end of the record; truncated frames are FRAME_ENCODING_ERROR", () => {
	assert.deepEqual(readRecord(fromHex("0804aabb")), [{ type: "stream", id: 4n, offset: 0n, fin: false, data: fromHex("aabb") }]);
	assert.throws(() => readRecord(fromHex("0e0400ff")), (e: unknown) => e instanceof ProtocolError && e.code === 0x07);
	assert.throws(() => readRecord(fromHex("21")), (e: unknown) => e instanceof ProtocolError && e.code === 0x07);
});

test("subprotocol offer and parse", () => {
	assert.deepEqual(offerSubprotocols(["moq-00"]), ["qmux-02.moq-00", "qmux-01.moq-00", "qmux-00.moq-00", "qmux-02", "qmux-01", "qmux-00"]);
	assert.deepEqual(parseSubprotocol("qmux-01.moq-00"), { version: "qmux-01", protocol: "moq-00" });
	assert.deepEqual(parseSubprotocol("qmux-00"), { version: "qmux-00", protocol: undefined });
	assert.equal(parseSubprotocol("webtransport"), undefined);
});

test("fuzz: random and mutated records never throw anything but ProtocolError", () => {
	let seed = 0x5eed;
	const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
	const seeds = [
		encodeFrame({ type: "stream", id: 2n, offset: 5n, fin: false, data: new Uint8Array(20) }),
		encodeFrame({ type: "transport_parameters", parameters: new Map([[0x04n, integerParameter(99)]]) }),
		encodeFrame({ type: "connection_close", application: true, code: 1n, reason: "x" }),
	];
	for (let i = 0; i < 5000; i++) {
		let bytes: Uint8Array;
		if (i % 2 === 0) {
			bytes = new Uint8Array(Math.floor(rand() * 40));
			for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
		} else {
			bytes = seeds[i % seeds.length]!.slice();
			const flips = 1 + Math.floor(rand() * 3);
			for (let k = 0; k < flips && bytes.length > 0; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
			if (rand() < 0.3) bytes = bytes.subarray(0, Math.floor(rand() * bytes.length));
		}
		try {
			readRecord(bytes);
		} catch (e) {
			assert.ok(e instanceof ProtocolError, `iteration ${i} (${toHex(bytes)}): ${String(e)}`);
		}
	}
});
