namespace ClutchCall.Voice.Media;

/// <summary>
/// Audio read from a WAV file: its real sample rate and channel count (any rate, not only the engine's four)
/// and interleaved PCM16 samples (float files are converted).
/// </summary>
internal sealed record WavAudio(AudioFormat Format, short[] Samples)
{
    /// <summary>Samples per channel.</summary>
    public int SamplesPerChannel => Format.Channels == 0 ? 0 : Samples.Length / Format.Channels;

    /// <summary>Duration of the audio.</summary>
    public TimeSpan Duration => Format.SampleRate == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)SamplesPerChannel / Format.SampleRate);
}
