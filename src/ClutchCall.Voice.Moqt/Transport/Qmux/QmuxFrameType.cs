namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>
/// QMux frame types: QUIC version 1 frame types (RFC 9000 §19, RFC 9221 §4) plus QMux's own
/// (draft-ietf-quic-qmux-00/-01 "QX_TRANSPORT_PARAMETERS", "QX_PING"). STREAM is the range 0x08–0x0f whose
/// low three bits are the OFF, LEN and FIN flags (RFC 9000 §19.8).
/// </summary>
internal enum QmuxFrameType : ulong
{
    Padding = 0x00,
    Ping = 0x01,
    ResetStream = 0x04,
    StopSending = 0x05,
    Stream = 0x08,
    MaxData = 0x10,
    MaxStreamData = 0x11,
    MaxStreamsBidi = 0x12,
    MaxStreamsUni = 0x13,
    DataBlocked = 0x14,
    StreamDataBlocked = 0x15,
    StreamsBlockedBidi = 0x16,
    StreamsBlockedUni = 0x17,
    ConnectionClose = 0x1c,
    ApplicationClose = 0x1d,

    /// <summary>draft-ietf-quic-reliable-stream-reset; allowed by QMux draft-02, treated as RESET_STREAM.</summary>
    ResetStreamAt = 0x24,
    Datagram = 0x30,
    DatagramWithLength = 0x31,
    TransportParameters = 0x3f5153300d0a0d0a,
    PingRequest = 0x348c67529ef8c7bd,
    PingResponse = 0x348c67529ef8c7be,
}

/// <summary>QUIC transport error codes used when closing a QMux connection (RFC 9000 §20.1).</summary>
internal static class QmuxErrorCode
{
    public const long NoError = 0x00;
    public const long InternalError = 0x01;
    public const long FlowControlError = 0x03;
    public const long StreamLimitError = 0x04;
    public const long StreamStateError = 0x05;
    public const long FinalSizeError = 0x06;
    public const long FrameEncodingError = 0x07;
    public const long TransportParameterError = 0x08;
    public const long ProtocolViolation = 0x0a;
}

/// <summary>Wire-format versions negotiated through the WebSocket subprotocol.</summary>
internal enum QmuxVersion
{
    /// <summary>draft-ietf-quic-qmux-00: one frame per WebSocket message, at most 16384 bytes.</summary>
    Draft00,

    /// <summary>draft-ietf-quic-qmux-01: each message is a record of one or more frames; QX_PING; max_record_size.</summary>
    Draft01,

    /// <summary>draft-ietf-quic-qmux-02: as -01, QX_TRANSPORT_PARAMETERS must be the first frame; RESET_STREAM_AT.</summary>
    Draft02,
}
