namespace ClutchCall.Voice.Moqt.Wire.Messages;

/// <summary>
/// FETCH (draft-ietf-moq-transport-14 §9.16). Standalone fetches carry <see cref="Track"/>, <see cref="StartLocation"/>
/// and <see cref="EndLocation"/>; joining fetches carry <see cref="JoiningRequestId"/> and <see cref="JoiningStart"/>.
/// </summary>
internal sealed record FetchMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.Fetch;

    public required ulong RequestId { get; init; }

    public byte SubscriberPriority { get; init; } = 128;

    public MoqtGroupOrder GroupOrder { get; init; } = MoqtGroupOrder.Publisher;

    public required MoqtFetchType FetchType { get; init; }

    /// <summary>Standalone only.</summary>
    public FullTrackName? Track { get; init; }

    /// <summary>Standalone only.</summary>
    public Location StartLocation { get; init; }

    /// <summary>Standalone only: end location plus one object; Object 0 = the whole group.</summary>
    public Location EndLocation { get; init; }

    /// <summary>Joining only.</summary>
    public ulong JoiningRequestId { get; init; }

    /// <summary>Joining only: groups back (relative) or a group id (absolute).</summary>
    public ulong JoiningStart { get; init; }

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>FETCH_OK (draft-ietf-moq-transport-14 §9.17).</summary>
internal sealed record FetchOkMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.FetchOk;

    public required ulong RequestId { get; init; }

    public MoqtGroupOrder GroupOrder { get; init; } = MoqtGroupOrder.Ascending;

    public bool EndOfTrack { get; init; }

    public Location EndLocation { get; init; }

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>FETCH_ERROR (draft-ietf-moq-transport-14 §9.18).</summary>
internal sealed record FetchErrorMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.FetchError;

    public required ulong RequestId { get; init; }

    public required MoqtFetchErrorCode ErrorCode { get; init; }

    public string ReasonPhrase { get; init; } = "";
}

/// <summary>FETCH_CANCEL (draft-ietf-moq-transport-14 §9.19).</summary>
internal sealed record FetchCancelMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.FetchCancel;

    public required ulong RequestId { get; init; }
}
