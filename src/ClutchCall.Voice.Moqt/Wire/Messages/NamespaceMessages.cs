namespace ClutchCall.Voice.Moqt.Wire.Messages;

/// <summary>PUBLISH_NAMESPACE (draft-ietf-moq-transport-14 §9.23).</summary>
internal sealed record PublishNamespaceMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.PublishNamespace;

    public required ulong RequestId { get; init; }

    public required TrackNamespace Namespace { get; init; }

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>
/// PUBLISH_NAMESPACE_OK (draft-ietf-moq-transport-14 §9.24). The draft's layout is only the Request ID; the codec
/// vectors add a parameter list. Null <see cref="Parameters"/> (the default) writes the draft layout, a list (even
/// empty) writes the vector layout; the reader accepts both.
/// </summary>
internal sealed record PublishNamespaceOkMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.PublishNamespaceOk;

    public required ulong RequestId { get; init; }

    public MoqtParameters? Parameters { get; init; }
}

/// <summary>PUBLISH_NAMESPACE_ERROR (draft-ietf-moq-transport-14 §9.25).</summary>
internal sealed record PublishNamespaceErrorMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.PublishNamespaceError;

    public required ulong RequestId { get; init; }

    public required MoqtPublishNamespaceErrorCode ErrorCode { get; init; }

    public string ReasonPhrase { get; init; } = "";
}

/// <summary>PUBLISH_NAMESPACE_DONE (draft-ietf-moq-transport-14 §9.26).</summary>
internal sealed record PublishNamespaceDoneMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.PublishNamespaceDone;

    public required TrackNamespace Namespace { get; init; }
}

/// <summary>PUBLISH_NAMESPACE_CANCEL (draft-ietf-moq-transport-14 §9.27).</summary>
internal sealed record PublishNamespaceCancelMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.PublishNamespaceCancel;

    public required TrackNamespace Namespace { get; init; }

    public required MoqtPublishNamespaceErrorCode ErrorCode { get; init; }

    public string ReasonPhrase { get; init; } = "";
}

/// <summary>SUBSCRIBE_NAMESPACE (draft-ietf-moq-transport-14 §9.28).</summary>
internal sealed record SubscribeNamespaceMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.SubscribeNamespace;

    public required ulong RequestId { get; init; }

    public required TrackNamespace NamespacePrefix { get; init; }

    public MoqtParameters Parameters { get; init; } = MoqtParameters.Empty;
}

/// <summary>
/// SUBSCRIBE_NAMESPACE_OK (draft-ietf-moq-transport-14 §9.29). Like <see cref="PublishNamespaceOkMessage"/>, a null
/// <see cref="Parameters"/> writes the draft layout (Request ID only) and a list writes the vector layout.
/// </summary>
internal sealed record SubscribeNamespaceOkMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.SubscribeNamespaceOk;

    public required ulong RequestId { get; init; }

    public MoqtParameters? Parameters { get; init; }
}

/// <summary>SUBSCRIBE_NAMESPACE_ERROR (draft-ietf-moq-transport-14 §9.30).</summary>
internal sealed record SubscribeNamespaceErrorMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.SubscribeNamespaceError;

    public required ulong RequestId { get; init; }

    public required MoqtSubscribeNamespaceErrorCode ErrorCode { get; init; }

    public string ReasonPhrase { get; init; } = "";
}

/// <summary>UNSUBSCRIBE_NAMESPACE (draft-ietf-moq-transport-14 §9.31).</summary>
internal sealed record UnsubscribeNamespaceMessage : MoqtControlMessage
{
    public override MoqtMessageType Type => MoqtMessageType.UnsubscribeNamespace;

    public required TrackNamespace NamespacePrefix { get; init; }
}
