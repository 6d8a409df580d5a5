namespace ClutchCall.Voice.Moqt.Wire.Messages;

/// <summary>PUBLISH (draft-ietf-moq-transport-14 §9.13): the publisher starts a subscription.</summary>
internal sealed record PublishMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.Publish;

    public required ulong RequestId { get; init; }

    public required FullTrackName Track { get; init; }

    public required ulong TrackAlias { get; init; }

    public MoqtGroupOrder GroupOrder { get; init; } = MoqtGroupOrder.Ascending;

    /// <summary>Null when Content Exists is 0.</summary>
    public Location? LargestLocation { get; init; }

    public bool Forward { get; init; } = true;

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>PUBLISH_OK (draft-ietf-moq-transport-14 §9.14).</summary>
internal sealed record PublishOkMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.PublishOk;

    public required ulong RequestId { get; init; }

    public bool Forward { get; init; } = true;

    public byte SubscriberPriority { get; init; } = 128;

    public MoqtGroupOrder GroupOrder { get; init; } = MoqtGroupOrder.Ascending;

    public MoqtSubscriptionFilter Filter { get; init; } = MoqtSubscriptionFilter.LargestObject;

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>PUBLISH_ERROR (draft-ietf-moq-transport-14 §9.15).</summary>
internal sealed record PublishErrorMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.PublishError;

    public required ulong RequestId { get; init; }

    public required MoqtPublishErrorCode ErrorCode { get; init; }

    public string ReasonPhrase { get; init; } = "";
}
