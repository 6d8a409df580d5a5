namespace ClutchCall.Voice.Moqt.Wire.Messages;

/// <summary>TRACK_STATUS (draft-ietf-moq-transport-14 §9.20): laid out exactly like SUBSCRIBE.</summary>
internal sealed record TrackStatusMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.TrackStatus;

    public required ulong RequestId { get; init; }

    public required FullTrackName Track { get; init; }

    public byte SubscriberPriority { get; init; } = 128;

    public MoqtGroupOrder GroupOrder { get; init; } = MoqtGroupOrder.Publisher;

    public bool Forward { get; init; }

    public MoqtSubscriptionFilter Filter { get; init; } = MoqtSubscriptionFilter.LargestObject;

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>TRACK_STATUS_OK (draft-ietf-moq-transport-14 §9.21): laid out exactly like SUBSCRIBE_OK, Track Alias 0.</summary>
internal sealed record TrackStatusOkMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.TrackStatusOk;

    public required ulong RequestId { get; init; }

    public ulong TrackAlias { get; init; }

    public ulong Expires { get; init; }

    public MoqtGroupOrder GroupOrder { get; init; } = MoqtGroupOrder.Ascending;

    /// <summary>Null when Content Exists is 0.</summary>
    public Location? LargestLocation { get; init; }

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>TRACK_STATUS_ERROR (draft-ietf-moq-transport-14 §9.22): laid out like SUBSCRIBE_ERROR.</summary>
internal sealed record TrackStatusErrorMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.TrackStatusError;

    public required ulong RequestId { get; init; }

    public required MoqtSubscribeErrorCode ErrorCode { get; init; }

    public string ReasonPhrase { get; init; } = "";
}
