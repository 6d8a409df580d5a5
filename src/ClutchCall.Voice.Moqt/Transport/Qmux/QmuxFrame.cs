namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>
/// One decoded QMux frame. Spans point into the received record (no copy); which fields are meaningful
/// depends on <see cref="Type"/>.
/// </summary>
internal ref struct QmuxFrame
{
    /// <summary>Frame type; STREAM frames are normalised to <see cref="QmuxFrameType.Stream"/>.</summary>
    public QmuxFrameType Type;

    /// <summary>Stream id (STREAM, RESET_STREAM(_AT), STOP_SENDING, MAX_STREAM_DATA, STREAM_DATA_BLOCKED).</summary>
    public long StreamId;

    /// <summary>STREAM offset.</summary>
    public long Offset;

    /// <summary>STREAM FIN bit.</summary>
    public bool Fin;

    /// <summary>STREAM or DATAGRAM payload, close reason, or transport parameters body.</summary>
    public ReadOnlySpan<byte> Data;

    /// <summary>Application/transport error code (RESET_STREAM, STOP_SENDING, CONNECTION_CLOSE, APPLICATION_CLOSE).</summary>
    public long ErrorCode;

    /// <summary>RESET_STREAM final size; the maximum of MAX_DATA / MAX_STREAM_DATA / MAX_STREAMS; the limit of *_BLOCKED; QX_PING sequence.</summary>
    public long Value;
}

/// <summary>Outcome of decoding one frame.</summary>
internal enum QmuxReadStatus
{
    Success,

    /// <summary>The record ended inside the frame.</summary>
    Truncated,

    /// <summary>A frame type QMux does not carry (RFC 9000 §12.4: FRAME_ENCODING_ERROR).</summary>
    UnknownType,

    /// <summary>A field out of range (stream id or offset past 2^62, RESET_STREAM_AT reliable size past final size).</summary>
    Invalid,
}
