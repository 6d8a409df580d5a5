import { ProtocolError, ShortBuffer } from "../wire/errors.js";
import { Reader, Writer } from "../wire/buffer.js";

/** QUIC transport error codes (RFC 9000 §20.1) a QMux endpoint closes with. */
export const QuicError = {
	NoError: 0x00,
	InternalError: 0x01,
	FlowControlError: 0x03,
	StreamLimitError: 0x04,
	StreamStateError: 0x05,
	FinalSizeError: 0x06,
	FrameEncodingError: 0x07,
	TransportParameterError: 0x08,
	ProtocolViolation: 0x0a,
} as const;

/** QUIC v1 frame types (RFC 9000 §19) plus QMux's own (draft-ietf-quic-qmux). */
export const FrameType = {
	Padding: 0x00n,
	Ping: 0x01n,
	ResetStream: 0x04n,
	StopSending: 0x05n,
	/** RFC 9000 §19.8: 0x08-0x0f, low bits OFF 0x04, LEN 0x02, FIN 0x01. */
	Stream: 0x08n,
	MaxData: 0x10n,
	MaxStreamData: 0x11n,
	MaxStreamsBidi: 0x12n,
	MaxStreamsUni: 0x13n,
	DataBlocked: 0x14n,
	StreamDataBlocked: 0x15n,
	StreamsBlockedBidi: 0x16n,
	StreamsBlockedUni: 0x17n,
	ConnectionClose: 0x1cn,
	ApplicationClose: 0x1dn,
	/** draft-ietf-quic-reliable-stream-reset RESET_STREAM_AT. */
	ResetStreamAt: 0x24n,
	TransportParameters: 0x3f5153300d0a0d0an,
	PingRequest: 0x348c67529ef8c7bdn,
	PingResponse: 0x348c67529ef8c7ben,
} as const;

/** RFC 9000 §18.2 transport parameter ids, plus QMux draft-01's max_record_size. */
export const TransportParameterId = {
	MaxIdleTimeout: 0x01n,
	InitialMaxData: 0x04n,
	InitialMaxStreamDataBidiLocal: 0x05n,
	InitialMaxStreamDataBidiRemote: 0x06n,
	InitialMaxStreamDataUni: 0x07n,
	InitialMaxStreamsBidi: 0x08n,
	InitialMaxStreamsUni: 0x09n,
	MaxRecordSize: 0x0571c59429cd0845n,
} as const;

export type Frame =
	| { type: "padding" }
	| { type: "ping" }
	| { type: "reset_stream"; id: bigint; code: bigint; finalSize: bigint; reliableSize?: bigint }
	| { type: "stop_sending"; id: bigint; code: bigint }
	| { type: "stream"; id: bigint; offset: bigint; fin: boolean; data: Uint8Array }
	| { type: "max_data"; max: bigint }
	| { type: "max_stream_data"; id: bigint; max: bigint }
	| { type: "max_streams"; bidi: boolean; max: bigint }
	| { type: "blocked" }
	| { type: "connection_close"; application: boolean; code: bigint; frameType?: bigint; reason: string }
	| { type: "transport_parameters"; parameters: Map<bigint, Uint8Array> }
	| { type: "qx_ping"; response: boolean; sequence: bigint };

const encodingError = (message: string) => new ProtocolError(QuicError.FrameEncodingError, message);

/** RFC 9000 §19.11: a stream count above 2^60 is a FRAME_ENCODING_ERROR. */
const MAX_STREAMS_LIMIT = 1n << 60n;
/** Reason phrases longer than this are refused (a sane bound; RFC 9000 leaves it to the frame). */
const MAX_REASON = 16 * 1024;

/**
 * Reads one frame from the front of a record. A QMux record (or, in qmux-00, a WebSocket message) always holds
 * whole frames, so running short is a FRAME_ENCODING_ERROR (RFC 9000 §12.4), not "wait for more".
 */
export function readFrame(r: Reader): Frame {
	try {
		const type = r.varint();
		if (type >= 0x08n && type <= 0x0fn) {
			// RFC 9000 §19.8 STREAM: Stream ID, [Offset], [Length], Stream Data.
			const id = r.varint();
			const offset = (type & 0x04n) !== 0n ? r.varint() : 0n;
			const data = (type & 0x02n) !== 0n ? r.bytes(r.varintNumber(QuicError.FrameEncodingError)) : r.rest();
			return { type: "stream", id, offset, fin: (type & 0x01n) !== 0n, data };
		}
		switch (type) {
			case FrameType.Padding:
				return { type: "padding" };
			case FrameType.Ping:
				return { type: "ping" };
			case FrameType.ResetStream:
				return { type: "reset_stream", id: r.varint(), code: r.varint(), finalSize: r.varint() };
			case FrameType.ResetStreamAt: {
				const id = r.varint();
				const code = r.varint();
				const finalSize = r.varint();
				const reliableSize = r.varint();
				if (reliableSize > finalSize) throw encodingError("RESET_STREAM_AT reliable size past its final size");
				return { type: "reset_stream", id, code, finalSize, reliableSize };
			}
			case FrameType.StopSending:
				return { type: "stop_sending", id: r.varint(), code: r.varint() };
			case FrameType.MaxData:
				return { type: "max_data", max: r.varint() };
			case FrameType.MaxStreamData:
				return { type: "max_stream_data", id: r.varint(), max: r.varint() };
			case FrameType.MaxStreamsBidi:
			case FrameType.MaxStreamsUni: {
				const max = r.varint();
				if (max > MAX_STREAMS_LIMIT) throw encodingError("MAX_STREAMS above 2^60");
				return { type: "max_streams", bidi: type === FrameType.MaxStreamsBidi, max };
			}
			case FrameType.DataBlocked:
				r.varint();
				return { type: "blocked" };
			case FrameType.StreamDataBlocked:
				r.varint();
				r.varint();
				return { type: "blocked" };
			case FrameType.StreamsBlockedBidi:
			case FrameType.StreamsBlockedUni:
				r.varint();
				return { type: "blocked" };
			case FrameType.ConnectionClose: {
				const code = r.varint();
				const frameType = r.varint();
				const reason = new TextDecoder().decode(r.lengthPrefixed(MAX_REASON, QuicError.FrameEncodingError));
				return { type: "connection_close", application: false, code, frameType, reason };
			}
			case FrameType.ApplicationClose: {
				const code = r.varint();
				const reason = new TextDecoder().decode(r.lengthPrefixed(MAX_REASON, QuicError.FrameEncodingError));
				return { type: "connection_close", application: true, code, reason };
			}
			case FrameType.TransportParameters: {
				const body = new Reader(r.lengthPrefixed(r.remaining, QuicError.FrameEncodingError));
				const parameters = new Map<bigint, Uint8Array>();
				while (!body.done) {
					const id = body.varint();
					const value = body.lengthPrefixed(body.remaining, QuicError.TransportParameterError);
					// RFC 9000 §7.4: a parameter appears at most once.
					if (parameters.has(id)) throw new ProtocolError(QuicError.TransportParameterError, `transport parameter ${id} repeated`);
					parameters.set(id, value);
				}
				return { type: "transport_parameters", parameters };
			}
			case FrameType.PingRequest:
			case FrameType.PingResponse:
				return { type: "qx_ping", response: type === FrameType.PingResponse, sequence: r.varint() };
			default:
				// RFC 9000 §12.4: an unknown frame type is a FRAME_ENCODING_ERROR.
				throw encodingError(`unknown frame type 0x${type.toString(16)}`);
		}
	} catch (e) {
		if (e instanceof ShortBuffer) throw encodingError("frame truncated inside its record");
		throw e;
	}
}

/** Reads every frame of one record. */
export function readRecord(record: Uint8Array): Frame[] {
	const r = new Reader(record);
	const frames: Frame[] = [];
	while (!r.done) frames.push(readFrame(r));
	return frames;
}

export function writeFrame(w: Writer, f: Frame): void {
	switch (f.type) {
		case "padding":
			w.varint(FrameType.Padding);
			return;
		case "ping":
			w.varint(FrameType.Ping);
			return;
		case "reset_stream":
			if (f.reliableSize !== undefined) w.varint(FrameType.ResetStreamAt).varint(f.id).varint(f.code).varint(f.finalSize).varint(f.reliableSize);
			else w.varint(FrameType.ResetStream).varint(f.id).varint(f.code).varint(f.finalSize);
			return;
		case "stop_sending":
			w.varint(FrameType.StopSending).varint(f.id).varint(f.code);
			return;
		case "stream":
			// Always with OFF and LEN (0x0e/0x0f) so several frames can share a record.
			w.varint(0x0e | (f.fin ? 1 : 0)).varint(f.id).varint(f.offset).lengthPrefixed(f.data);
			return;
		case "max_data":
			w.varint(FrameType.MaxData).varint(f.max);
			return;
		case "max_stream_data":
			w.varint(FrameType.MaxStreamData).varint(f.id).varint(f.max);
			return;
		case "max_streams":
			w.varint(f.bidi ? FrameType.MaxStreamsBidi : FrameType.MaxStreamsUni).varint(f.max);
			return;
		case "blocked":
			w.varint(FrameType.DataBlocked).varint(0);
			return;
		case "connection_close": {
			const reason = new TextEncoder().encode(f.reason);
			if (f.application) w.varint(FrameType.ApplicationClose).varint(f.code).lengthPrefixed(reason);
			else w.varint(FrameType.ConnectionClose).varint(f.code).varint(f.frameType ?? 0n).lengthPrefixed(reason);
			return;
		}
		case "transport_parameters": {
			const body = new Writer();
			for (const [id, value] of f.parameters) body.varint(id).lengthPrefixed(value);
			w.varint(FrameType.TransportParameters).lengthPrefixed(body.finish());
			return;
		}
		case "qx_ping":
			w.varint(f.response ? FrameType.PingResponse : FrameType.PingRequest).varint(f.sequence);
			return;
	}
}

export function encodeFrame(f: Frame): Uint8Array {
	const w = new Writer(f.type === "stream" ? f.data.length + 24 : 32);
	writeFrame(w, f);
	return w.finish();
}

/** A transport parameter value is itself a varint (RFC 9000 §18.2 integer parameters). */
export function parameterInteger(value: Uint8Array): bigint {
	const r = new Reader(value);
	try {
		const v = r.varint();
		if (!r.done) throw new Error();
		return v;
	} catch {
		throw new ProtocolError(QuicError.TransportParameterError, "malformed integer transport parameter");
	}
}

export function integerParameter(value: bigint | number): Uint8Array {
	return new Writer(8).varint(value).finish();
}
