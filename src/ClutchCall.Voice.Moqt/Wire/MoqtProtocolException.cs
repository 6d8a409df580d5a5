namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// A peer broke the protocol; the session closes with <see cref="Code"/> (draft-ietf-moq-transport-14 §3.4).
/// The only exception type the wire readers throw on bad input.
/// </summary>
internal sealed class MoqtProtocolException(MoqtSessionErrorCode code, string message) : Exception(message)
{
    public MoqtSessionErrorCode Code { get; } = code;

    public static MoqtProtocolException Violation(string message) => new(MoqtSessionErrorCode.ProtocolViolation, message);

    public static MoqtProtocolException KeyValueFormatting(string message) => new(MoqtSessionErrorCode.KeyValueFormattingError, message);
}
