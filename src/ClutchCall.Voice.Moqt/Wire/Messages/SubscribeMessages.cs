namespace ClutchCall.Voice.Moqt.Wire.Messages;

/// <summary>SUBSCRIBE (draft-ietf-moq-transport-14 §9.7).</summary>
internal sealed record SubscribeMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.Subscribe;

    public required ulong RequestId { get; init; }

    public required FullTrackName Track { get; init; }

    /// <summary>Lower is more important (§7).</summary>
    public byte SubscriberPriority { get; init; } = 128;

    public MoqtGroupOrder GroupOrder { get; init; } = MoqtGroupOrder.Publisher;

    public bool Forward { get; init; } = true;

    public MoqtSubscriptionFilter Filter { get; init; } = MoqtSubscriptionFilter.LargestObject;

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>SUBSCRIBE_OK (draft-ietf-moq-transport-14 §9.8).</summary>
internal sealed record SubscribeOkMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.SubscribeOk;

    public required ulong RequestId { get; init; }

    public required ulong TrackAlias { get; init; }

    /// <summary>Milliseconds; 0 = does not expire.</summary>
    public ulong Expires { get; init; }

    public MoqtGroupOrder GroupOrder { get; init; } = MoqtGroupOrder.Ascending;

    /// <summary>Null when Content Exists is 0.</summary>
    public Location? LargestLocation { get; init; }

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>SUBSCRIBE_ERROR (draft-ietf-moq-transport-14 §9.9).</summary>
internal sealed record SubscribeErrorMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.SubscribeError;

    public required ulong RequestId { get; init; }

    public required MoqtSubscribeErrorCode ErrorCode { get; init; }

    public string ReasonPhrase { get; init; } = "";
}

/// <summary>SUBSCRIBE_UPDATE (draft-ietf-moq-transport-14 §9.10).</summary>
internal sealed record SubscribeUpdateMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.SubscribeUpdate;

    public required ulong RequestId { get; init; }

    public required ulong SubscriptionRequestId { get; init; }

    public Location StartLocation { get; init; }

    /// <summary>End Group plus one; 0 = open-ended.</summary>
    public ulong EndGroup { get; init; }

    public byte SubscriberPriority { get; init; } = 128;

    public bool Forward { get; init; } = true;

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>UNSUBSCRIBE (draft-ietf-moq-transport-14 §9.11).</summary>
internal sealed record UnsubscribeMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.Unsubscribe;

    public required ulong RequestId { get; init; }
}

/// <summary>PUBLISH_DONE (draft-ietf-moq-transport-14 §9.12).</summary>
internal sealed record PublishDoneMessage : MoqtControlMessage
{
    /// <summary>§9.12: Stream Count when the publisher cannot count exactly.</summary>
    public const ulong UnknownStreamCount = QuicVarint.MaxValue;

    public override MoqtMessageType Type => MoqtMessageType.PublishDone;

    public required ulong RequestId { get; init; }

    public required MoqtPublishDoneCode StatusCode { get; init; }

    public ulong StreamCount { get; init; }

    public string ReasonPhrase { get; init; } = "";
}
