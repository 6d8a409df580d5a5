/**
 * Object locations for outgoing audio, matching the relay's audio profile: one object per 20 ms frame and a new
 * group every 50 frames (1 s). A new group id is never below the previous plus one nor below the capture second,
 * so ids keep rising across reconnects and page reloads (subscribers filter by location, draft-14 §9.7).
 */
export class AudioSequencer {
	#group = 0n;
	#object = 0n;
	#started = false;

	constructor(readonly framesPerGroup = 50) {}

	next(captureUs: bigint): { group: bigint; object: bigint } {
		const second = captureUs > 0n ? captureUs / 1_000_000n : 0n;
		if (!this.#started) {
			this.#started = true;
			this.#group = second;
			this.#object = 0n;
		} else if (this.#object + 1n >= BigInt(this.framesPerGroup)) {
			this.#group = this.#group + 1n > second ? this.#group + 1n : second;
			this.#object = 0n;
		} else {
			this.#object++;
		}
		return { group: this.#group, object: this.#object };
	}

	/** The next frame opens a new group (after a reconnect, so a fresh subscriber starts on a clean stream). */
	breakGroup(): void {
		if (this.#started) this.#object = BigInt(this.framesPerGroup);
	}
}
