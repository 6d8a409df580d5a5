// usage: node subscribe.mjs <relay ws url with ?jwt=> <broadcast path> <track> <objects to receive>
// Subscribes and prints every received frame as {"event":"frame", group, object, payload(hex)};
// exits 0 after <objects> frames.
import { Moq, connect, emit, fail, hex } from "./common.mjs";

const [url, path, trackName, countArg] = process.argv.slice(2);
const want = Number(countArg);

try {
	const connection = await connect(url);
	const broadcast = connection.consume(Moq.Path.from(path));
	const track = broadcast.subscribe(trackName);
	emit({ event: "subscribed", path, track: trackName });
	let received = 0;
	while (received < want) {
		const frame = await track.readFrameSequence();
		if (!frame) {
			emit({ event: "ended", received });
			process.exit(2);
		}
		emit({ event: "frame", group: frame.group, object: frame.frame, payload: hex(frame.payload) });
		received++;
	}
	emit({ event: "done", received });
	process.exit(0);
} catch (e) {
	fail(e);
}
