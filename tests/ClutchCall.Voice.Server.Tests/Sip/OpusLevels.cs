using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>Loudness of audio that crossed the bridge, for "is this speech or a tone, not silence" checks.</summary>
internal static class OpusLevels
{
    /// <summary>Decodes 48 kHz mono Opus frames and returns the loudest frame's RMS.</summary>
    public static double LoudestRms(IEnumerable<byte[]> opusFrames)
    {
        using var decoder = new OpusDecoder(AudioFormat.Opus48Mono);
        var pcm = new short[960 * 6];
        var loudest = 0.0;
        foreach (var frame in opusFrames)
        {
            if (decoder.TryDecode(frame, pcm, out var samples))
            {
                loudest = Math.Max(loudest, Rms(pcm.AsSpan(0, samples)));
            }
        }

        return loudest;
    }

    public static double Rms(ReadOnlySpan<short> pcm)
    {
        double sum = 0;
        foreach (var s in pcm)
        {
            sum += (double)s * s;
        }

        return pcm.Length == 0 ? 0 : Math.Sqrt(sum / pcm.Length);
    }
}
