namespace ClutchCall.Voice.Media;

/// <summary>Sample rate and channel count of interleaved PCM audio.</summary>
internal readonly record struct AudioFormat(int SampleRate, int Channels)
{
    /// <summary>The rates the engine supports end to end.</summary>
    public static ReadOnlySpan<int> SupportedRates => [8000, 16000, 24000, 48000];

    public static AudioFormat Telephony => new(8000, 1);
    public static AudioFormat Wideband => new(16000, 1);
    public static AudioFormat Opus48Mono => new(48000, 1);

    /// <summary>Samples per channel in a frame of <paramref name="frameMs"/> milliseconds.</summary>
    public int SamplesPerChannel(int frameMs) => SampleRate / 1000 * frameMs;

    /// <summary>Interleaved samples (all channels) in a frame of <paramref name="frameMs"/> milliseconds.</summary>
    public int InterleavedSamples(int frameMs) => SamplesPerChannel(frameMs) * Channels;

    public bool IsSupported => Channels is 1 or 2 && SupportedRates.Contains(SampleRate);

    /// <summary>Throws a clear error for a rate or channel count the engine does not handle.</summary>
    public void EnsureSupported()
    {
        if (!IsSupported)
        {
            throw new NotSupportedException(
                $"Audio format {SampleRate} Hz x {Channels} ch is not supported; use 8000, 16000, 24000 or 48000 Hz with 1 or 2 channels.");
        }
    }

    public override string ToString() => $"{SampleRate} Hz x {Channels} ch";
}
