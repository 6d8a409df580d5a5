namespace ClutchCall.Voice.Moqt.Wire.Messages;

/// <summary>GOAWAY (draft-ietf-moq-transport-14 §9.4): the sender will close soon; optional new session URI.</summary>
internal sealed record GoAwayMessage : MoqtControlMessage
{
    /// <summary>§9.4: the New Session URI is at most 8,192 bytes.</summary>
    public const int MaxUriLength = 8192;

    public override MoqtMessageType Type => MoqtMessageType.GoAway;

    /// <summary>Empty means "reuse the current URI".</summary>
    public string NewSessionUri { get; init; } = "";
}

/// <summary>MAX_REQUEST_ID (draft-ietf-moq-transport-14 §9.5): the new Maximum Request ID plus one.</summary>
internal sealed record MaxRequestIdMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.MaxRequestId;

    public required ulong RequestId { get; init; }
}

/// <summary>REQUESTS_BLOCKED (draft-ietf-moq-transport-14 §9.6): the sender is blocked at this Maximum Request ID.</summary>
internal sealed record RequestsBlockedMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.RequestsBlocked;

    public required ulong MaximumRequestId { get; init; }
}
