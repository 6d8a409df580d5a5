namespace ClutchCall.Voice.Media;

/// <summary>The PCM formats the engine runs Opus at.</summary>
internal static class OpusFormats
{
    /// <summary>Longest Opus packet duration (RFC 6716 §3.2.5: 120 ms).</summary>
    public const int MaxPacketMs = 120;

    /// <summary>8, 16, 24 or 48 kHz with 1 or 2 channels; anything else throws <see cref="NotSupportedException"/>.</summary>
    public static void EnsureSupported(AudioFormat format)
    {
        if (format.Channels is not (1 or 2) || format.SampleRate is not (8000 or 16000 or 24000 or 48000))
        {
            throw new NotSupportedException(
                $"Opus in this engine runs at 8000, 16000, 24000 or 48000 Hz with 1 or 2 channels; {format} is not supported. Resample first.");
        }
    }

    /// <summary>Rates libopus accepts for packet inspection (RFC 6716 §2: 8, 12, 16, 24, 48 kHz).</summary>
    public static bool IsOpusRate(int sampleRate) => sampleRate is 8000 or 12000 or 16000 or 24000 or 48000;
}
