namespace ClutchCall.Voice.Media;

/// <summary>Encodes fixed-size frames of interleaved PCM16 into one packet each.</summary>
/// <remarks>Implementations keep codec state between frames and are not thread-safe: one call leg owns one encoder.</remarks>
internal interface IAudioEncoder : IDisposable
{
    AudioCodec Codec { get; }

    /// <summary>The PCM format the encoder takes.</summary>
    AudioFormat Format { get; }

    /// <summary>Frame duration in milliseconds (normally 20).</summary>
    int FrameMs { get; }

    /// <summary>
    /// Encodes exactly one frame (<c>Format.InterleavedSamples(FrameMs)</c> samples) into <paramref name="destination"/>.
    /// Returns the packet length in bytes. Throws <see cref="ArgumentException"/> for a wrong frame size.
    /// </summary>
    int Encode(ReadOnlySpan<short> pcm, Span<byte> destination);
}
