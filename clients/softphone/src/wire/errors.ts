/** Thrown by readers when the input ends before the value does; callers wait for more bytes. */
export class ShortBuffer extends Error {
	constructor() {
		super("short buffer");
		this.name = "ShortBuffer";
	}
}

/** A protocol violation, carrying the wire error code of the layer that detected it. */
export class ProtocolError extends Error {
	constructor(
		readonly code: number,
		message: string,
	) {
		super(message);
		this.name = "ProtocolError";
	}
}
