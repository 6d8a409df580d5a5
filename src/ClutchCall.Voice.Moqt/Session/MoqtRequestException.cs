namespace ClutchCall.Voice.Moqt.Session;

/// <summary>
/// The peer refused a request (SUBSCRIBE_ERROR, PUBLISH_ERROR, FETCH_ERROR, ...); <see cref="ErrorCode"/> is
/// the wire code of that message's error space (draft-ietf-moq-transport-14 §13.1).
/// </summary>
internal sealed class MoqtRequestException(Wire.MoqtMessageType response, ulong errorCode, string reason)
    : Exception($"{response} code 0x{errorCode:x}: {reason}")
{
    /// <summary>The error message type received.</summary>
    public Wire.MoqtMessageType Response { get; } = response;

    /// <summary>Error code from the error message.</summary>
    public ulong ErrorCode { get; } = errorCode;

    /// <summary>Reason phrase from the error message.</summary>
    public string Reason { get; } = reason;
}

/// <summary>The session ended before the request got an answer.</summary>
internal sealed class MoqtSessionClosedException(MoqtSessionCloseInfo info)
    : Exception($"MoQT session closed ({(info.IsLocal ? "local" : "remote")}, {info.Code}): {info.Reason}")
{
    /// <summary>How the session ended.</summary>
    public MoqtSessionCloseInfo CloseInfo { get; } = info;
}
