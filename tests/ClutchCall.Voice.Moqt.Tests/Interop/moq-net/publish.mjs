// usage: node publish.mjs <relay ws url with ?jwt=> <broadcast path, e.g. voice/CA..> <track> <groups> <objects per group>
// Publishes the broadcast and, for each subscription to <track>, writes groups × objects deterministic
// payloads (see common.mjs), 20 ms apart, then keeps the session open until stdin closes.
import { Moq, connect, emit, fail, payload, hex } from "./common.mjs";

const [url, path, trackName, groupsArg, perGroupArg] = process.argv.slice(2);
const groups = Number(groupsArg);
const perGroup = Number(perGroupArg);

async function serve(track) {
	let index = 0;
	for (let g = 0; g < groups; g++) {
		const group = track.appendGroup();
		for (let o = 0; o < perGroup; o++, index++) {
			const bytes = payload("moqnet", index);
			group.writeFrame({ payload: bytes, timestamp: Moq.Time.Timestamp.fromMicros(1_000_000 + index * 20_000) });
			emit({ event: "sent", group: group.sequence, object: o, index, payload: hex(bytes) });
			await new Promise((r) => setTimeout(r, 20));
		}
		group.close();
	}
	emit({ event: "done", sent: index });
}

try {
	const connection = await connect(url);
	const broadcast = new Moq.Broadcast.Producer();
	connection.publish(Moq.Path.from(path), broadcast);
	emit({ event: "published", path });
	process.stdin.on("end", () => process.exit(0));
	process.stdin.resume();
	for (;;) {
		const request = await broadcast.requested();
		if (!request) break;
		emit({ event: "requested", track: request.name });
		if (request.name !== trackName) {
			request.reject(new Error("unknown track"));
			continue;
		}
		serve(request.accept()).catch(fail);
	}
} catch (e) {
	fail(e);
}
