import { test } from "node:test";
import assert from "node:assert/strict";
import { readMessage, writeMessage } from "../src/moqt/messages.js";
import type { Message } from "../src/moqt/messages.js";
import { readCaptureTimestamp, writeCaptureTimestamp } from "../src/moqt/objects.js";
import { ProtocolError } from "../src/wire/errors.js";
import { AudioSequencer } from "../src/media/sequencer.js";
import { Framer, FRAME_SAMPLES } from "../src/media/framer.js";
import { backoffMs } from "../src/connect.js";

test("the messages the softphone sends round-trip", () => {
	const messages: Message[] = [
		{ type: "client_setup", versions: [0xff00000en], parameters: [{ key: 2n, value: 100n }] },
		{ type: "publish", requestId: 2n, namespace: ["voice", "CA1"], name: "uplink", trackAlias: 1n, groupOrder: 1, forward: true, parameters: [] },
		{ type: "subscribe", requestId: 4n, namespace: ["voice", "CA1"], name: "downlink", subscriberPriority: 64, groupOrder: 1, forward: true, filterType: 2, parameters: [] },
		{ type: "publish_done", requestId: 2n, code: 2n, streamCount: 0n, reason: "bye" },
		{ type: "unsubscribe", requestId: 4n },
	];
	for (const m of messages) {
		const bytes = writeMessage(m);
		assert.deepEqual(readMessage(bytes), { message: m, size: bytes.length });
		// Every strict prefix is "need more bytes" or a length mismatch, never anything else.
		for (let n = 0; n < bytes.length; n++) {
			try {
				assert.equal(readMessage(bytes.subarray(0, n)), undefined);
			} catch (e) {
				assert.ok(e instanceof ProtocolError);
			}
		}
	}
});

test("fuzz: mutated control messages only ever fail with ProtocolError", () => {
	let seed = 42;
	const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
	const base = writeMessage({ type: "subscribe", requestId: 4n, namespace: ["voice", "CA1"], name: "downlink", subscriberPriority: 64, groupOrder: 1, forward: true, filterType: 4, start: { group: 1n, object: 2n }, endGroup: 9n, parameters: [{ key: 3n, value: new Uint8Array([1, 2]) }] });
	for (let i = 0; i < 5000; i++) {
		const bytes = base.slice();
		for (let k = 0; k < 1 + (i % 4); k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
		try {
			readMessage(bytes);
		} catch (e) {
			assert.ok(e instanceof ProtocolError, String(e));
		}
	}
});

test("capture timestamp extension round-trips", () => {
	assert.equal(readCaptureTimestamp(writeCaptureTimestamp(1_795_318_710_522_000n)), 1_795_318_710_522_000n);
	assert.equal(readCaptureTimestamp(new Uint8Array(0)), undefined);
});

test("sequencer: 50 objects per group, group ids rise across a reconnect", () => {
	const s = new AudioSequencer();
	const t0 = 1_700_000_000_000_000n;
	const first = s.next(t0);
	assert.deepEqual(first, { group: 1_700_000_000n, object: 0n });
	let last = first;
	for (let i = 1; i < 50; i++) last = s.next(t0 + BigInt(i) * 20_000n);
	assert.deepEqual(last, { group: 1_700_000_000n, object: 49n });
	assert.deepEqual(s.next(t0 + 1_000_000n), { group: 1_700_000_001n, object: 0n });
	s.breakGroup();
	assert.deepEqual(s.next(t0 + 1_020_000n), { group: 1_700_000_002n, object: 0n });
});

test("framer: 48 kHz passes through in 960-sample frames; 44.1 kHz is resampled to the same rate", () => {
	const frames: Float32Array[] = [];
	const f = new Framer((x) => frames.push(x));
	f.push(new Float32Array(2000).fill(0.5), 48000);
	assert.equal(frames.length, 2);
	assert.equal(frames[0]!.length, FRAME_SAMPLES);
	const resampled: Float32Array[] = [];
	const g = new Framer((x) => resampled.push(x));
	for (let i = 0; i < 100; i++) g.push(new Float32Array(441).fill(0.25), 44100); // 1 s of audio
	assert.ok(resampled.length >= 49 && resampled.length <= 50, `${resampled.length} frames for 1 s`);
	assert.ok(resampled.every((fr) => fr.every((v) => Math.abs(v - 0.25) < 1e-6)));
});

test("backoff: 1 s doubling to 30 s with ±20 % jitter", () => {
	assert.equal(backoffMs(0, 1000, 30000, () => 0.5), 1000);
	assert.equal(backoffMs(3, 1000, 30000, () => 0.5), 8000);
	assert.equal(backoffMs(10, 1000, 30000, () => 0.5), 30000);
	assert.equal(backoffMs(0, 1000, 30000, () => 0), 800);
	assert.equal(backoffMs(0, 1000, 30000, () => 1), 1200);
});
