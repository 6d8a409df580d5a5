namespace ClutchCall.Voice.Media;

/// <summary>Decodes packets into interleaved PCM16 and conceals lost packets.</summary>
/// <remarks>Implementations keep codec state between packets and are not thread-safe: one call leg owns one decoder.</remarks>
internal interface IAudioDecoder : IDisposable
{
    AudioCodec Codec { get; }

    /// <summary>The PCM format the decoder produces.</summary>
    AudioFormat Format { get; }

    /// <summary>
    /// Decodes one packet. Returns samples per channel written to <paramref name="destination"/>.
    /// A corrupt packet throws <see cref="InvalidDataException"/>; callers on the frame path use
    /// <see cref="TryDecode"/> and conceal instead.
    /// </summary>
    int Decode(ReadOnlySpan<byte> packet, Span<short> destination);

    /// <summary>Decodes one packet, or returns false (and writes nothing) when the packet is corrupt.</summary>
    bool TryDecode(ReadOnlySpan<byte> packet, Span<short> destination, out int samplesPerChannel);

    /// <summary>
    /// Produces <paramref name="samplesPerChannel"/> samples standing in for a lost packet (packet-loss
    /// concealment). Returns samples per channel written.
    /// </summary>
    int Conceal(Span<short> destination, int samplesPerChannel);

    /// <summary>
    /// Recovers a lost packet from redundancy carried in the packet that followed it (Opus in-band FEC).
    /// Codecs without FEC conceal. Returns samples per channel written.
    /// </summary>
    int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> destination, int samplesPerChannel);
}
