// Round trips against the moqtap draft-14 codec vectors in ../shared/testdata/moqt/draft14 (hex ↔ decoded fields).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fromHex, Reader, toHex, Writer } from "../src/wire/buffer.js";
import { ProtocolError } from "../src/wire/errors.js";
import { readMessage, writeMessage } from "../src/moqt/messages.js";
import { readSubgroupHeader, readSubgroupObject, writeSubgroupHeader, writeSubgroupObject } from "../src/moqt/objects.js";
import type { SubgroupObject } from "../src/moqt/objects.js";

interface Vector {
	id: string;
	hex: string;
	decoded?: Record<string, unknown>;
	error?: string;
	canonical?: boolean;
}

const root = process.env.CLUTCHCALL_TESTDATA
	? join(process.env.CLUTCHCALL_TESTDATA, "moqt", "draft14", "codec")
	: resolve(process.cwd(), "..", "..", "..", "shared", "testdata", "moqt", "draft14", "codec");
const present = existsSync(root);
const skip = present ? false : `SKIPPED: draft-14 vectors not found at ${root} (set CLUTCHCALL_TESTDATA)`;

function load(file: string): Vector[] {
	return (JSON.parse(readFileSync(join(root, file), "utf8")) as { vectors: Vector[] }).vectors;
}

test("varint vectors decode, and canonical ones re-encode byte-identically", { skip }, () => {
	for (const v of load("varint.json")) {
		const r = new Reader(fromHex(v.hex));
		if (v.error === "incomplete") {
			assert.throws(() => r.varint(), /short buffer/, v.id);
			continue;
		}
		const value = r.varint();
		assert.equal(value.toString(), v.decoded!.value, v.id);
		assert.ok(r.done, v.id);
		if (v.canonical !== false) assert.equal(toHex(new Writer().varint(value).finish()), v.hex, v.id);
	}
});

test("every control-message vector round-trips, and invalid ones are protocol errors", { skip }, () => {
	let roundTrips = 0;
	for (const file of readdirSync(join(root, "messages"))) {
		for (const v of load(join("messages", file))) {
			const bytes = fromHex(v.hex);
			const label = `${file}/${v.id}`;
			if (v.error === "incomplete") {
				// Either "need more bytes" or, when the 16-bit length frames a short payload, a length mismatch.
				// Messages the softphone never acts on (FETCH family, TRACK_STATUS, ...) are kept as raw payloads.
				try {
					const read = readMessage(bytes);
					assert.ok(read === undefined || read.message.type === "other", label);
				} catch (e) {
					assert.ok(e instanceof ProtocolError, `${label}: ${String(e)}`);
				}
				continue;
			}
			if (v.error) {
				assert.throws(() => readMessage(bytes), ProtocolError, label);
				continue;
			}
			const read = readMessage(bytes);
			assert.ok(read, label);
			assert.equal(read.size, bytes.length, label);
			if (v.canonical !== false) {
				assert.equal(toHex(writeMessage(read.message)), v.hex, label);
				roundTrips++;
			}
		}
	}
	assert.ok(roundTrips >= 60, `only ${roundTrips} round trips`);
});

test("decoded fields match the vectors for the messages the softphone sends and reads", { skip }, () => {
	const byId = (file: string, id: string) => {
		const v = load(join("messages", file)).find((x) => x.id === id);
		assert.ok(v, `${file}/${id}`);
		return v;
	};
	const setup = readMessage(fromHex(byId("client-setup.json", "path-param").hex))!.message;
	assert.equal(setup.type, "client_setup");
	if (setup.type === "client_setup") {
		assert.deepEqual(setup.versions, [0xff00000en]);
		assert.equal(new TextDecoder().decode(setup.parameters[0]!.value as Uint8Array), "/moq");
	}
	for (const v of load(join("messages", "subscribe.json")).filter((x) => !x.error)) {
		const m = readMessage(fromHex(v.hex))!.message;
		assert.equal(m.type, "subscribe");
		if (m.type !== "subscribe") continue;
		const d = v.decoded!;
		assert.equal(m.requestId.toString(), d.request_id, v.id);
		assert.deepEqual(m.namespace, d.track_namespace, v.id);
		assert.equal(m.name, d.track_name, v.id);
		assert.equal(String(m.filterType), d.filter_type, v.id);
		assert.equal(String(m.subscriberPriority), d.subscriber_priority, v.id);
	}
	for (const v of load(join("messages", "publish.json")).filter((x) => !x.error)) {
		const m = readMessage(fromHex(v.hex))!.message;
		assert.equal(m.type, "publish", v.id);
		if (m.type === "publish") assert.equal(m.trackAlias.toString(), v.decoded!.track_alias, v.id);
	}
});

test("subgroup stream vectors decode and re-encode byte-identically", { skip }, () => {
	for (const v of load(join("data-streams", "subgroup.json"))) {
		const bytes = fromHex(v.hex);
		const header = readSubgroupHeader(bytes);
		if (v.error === "incomplete") {
			assert.equal(header, undefined, v.id);
			continue;
		}
		assert.ok(header, v.id);
		const d = v.decoded!;
		assert.equal(header.header.trackAlias.toString(), d.track_alias, v.id);
		assert.equal(header.header.group.toString(), d.group_id, v.id);
		const objects: SubgroupObject[] = [];
		let at = header.size;
		let previous: bigint | undefined;
		while (at < bytes.length) {
			const read = readSubgroupObject(bytes.subarray(at), header.header.streamType, previous);
			assert.ok(read, `${v.id} object ${objects.length}`);
			objects.push(read.object);
			previous = read.object.objectId;
			at += read.size;
		}
		const expected = d.objects as { object_id: string; payload_hex?: string }[];
		assert.deepEqual(
			objects.map((o) => [o.objectId.toString(), toHex(o.payload)]),
			expected.map((o) => [o.object_id, o.payload_hex ?? ""]),
			v.id,
		);
		const w = new Writer();
		writeSubgroupHeader(w, header.header);
		previous = undefined;
		for (const o of objects) {
			writeSubgroupObject(w, header.header.streamType, previous, o);
			previous = o.objectId;
		}
		if (v.canonical !== false) assert.equal(toHex(w.finish()), v.hex, v.id);
	}
});
