namespace ClutchCall.Voice.Sip.Parsing;

/// <summary>Limits applied before anything is buffered or parsed.</summary>
internal sealed record SipParserOptions
{
    public static SipParserOptions Default { get; } = new();

    /// <summary>Largest whole message accepted (a UDP datagram cannot exceed 65,535 bytes).</summary>
    public int MaxMessageSize { get; init; } = 65_535;

    /// <summary>Largest number of header lines (continuations excluded).</summary>
    public int MaxHeaderCount { get; init; } = 256;
}
