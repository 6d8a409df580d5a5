namespace ClutchCall.Voice.Moqt.Wire.Messages;

/// <summary>
/// A control message in the version-neutral model: one sealed record per message of
/// draft-ietf-moq-transport-14 §9. The wire layout lives in an <see cref="IMoqtWireCodec"/>.
/// </summary>
internal abstract record MoqtControlMessage
{
    /// <summary>The message's kind; its numeric value is the draft-14 wire code.</summary>
    public abstract MoqtMessageType Type { get; }
}
