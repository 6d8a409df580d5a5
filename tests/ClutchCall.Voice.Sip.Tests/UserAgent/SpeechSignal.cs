using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>Real speech for media tests and the cross-correlation that checks it came back.</summary>
internal static class SpeechSignal
{
    /// <summary>
    /// jfk.wav (16 kHz mono PCM16) cut to <paramref name="seconds"/>. Sent through a leg whose PCM rate is
    /// 16 kHz, the media core's resampler decimates it to 8 kHz for G.711 (and back on receive).
    /// </summary>
    public static short[] Jfk16k(double seconds)
    {
        var bytes = File.ReadAllBytes(TestData.Require("speech/jfk.wav"));
        // RIFF/WAVE: walk chunks to "data" (the fmt chunk says 16 kHz mono 16-bit for this file).
        var pos = 12;
        while (pos + 8 <= bytes.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(bytes, pos, 4);
            var size = BitConverter.ToInt32(bytes, pos + 4);
            if (id == "fmt ")
            {
                Assert.Equal(16000, BitConverter.ToInt32(bytes, pos + 12));
            }

            if (id == "data")
            {
                var count = Math.Min(size / 2, (int)(16000 * seconds));
                var pcm = new short[count];
                Buffer.BlockCopy(bytes, pos + 8, pcm, 0, count * 2);
                return pcm;
            }

            pos += 8 + size + (size & 1);
        }

        throw new InvalidDataException("jfk.wav has no data chunk");
    }

    public static double Rms(ReadOnlySpan<short> pcm)
    {
        if (pcm.IsEmpty)
        {
            return 0;
        }

        double sum = 0;
        foreach (var s in pcm)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / pcm.Length);
    }

    /// <summary>
    /// Peak of the normalized cross-correlation of <paramref name="sent"/> against <paramref name="received"/>
    /// over lags 0..<paramref name="maxLag"/> samples (received delayed relative to sent). 1 means identical shape.
    /// </summary>
    public static (double Peak, int Lag) CrossCorrelate(ReadOnlySpan<short> sent, ReadOnlySpan<short> received, int maxLag)
    {
        var best = 0.0;
        var bestLag = -1;
        for (var lag = 0; lag <= maxLag && lag < received.Length; lag++)
        {
            var n = Math.Min(sent.Length, received.Length - lag);
            if (n < sent.Length / 2)
            {
                break;
            }

            double xy = 0, xx = 0, yy = 0;
            for (var i = 0; i < n; i++)
            {
                double x = sent[i];
                double y = received[i + lag];
                xy += x * y;
                xx += x * x;
                yy += y * y;
            }

            var c = xx > 0 && yy > 0 ? xy / Math.Sqrt(xx * yy) : 0;
            if (c > best)
            {
                best = c;
                bestLag = lag;
            }
        }

        return (best, bestLag);
    }

    /// <summary>
    /// Median over voiced windows of <paramref name="sent"/> of the best normalized correlation with
    /// <paramref name="received"/> within ±<paramref name="slack"/> samples of <paramref name="lag"/>: robust to the
    /// jitter buffer inserting or dropping a frame, which a single global lag is not.
    /// </summary>
    public static double WindowedCorrelation(ReadOnlySpan<short> sent, ReadOnlySpan<short> received, int lag, int window, int slack)
    {
        var scores = new List<double>();
        for (var start = 0; start + window <= sent.Length; start += window)
        {
            var w = sent.Slice(start, window);
            if (Rms(w) < 500)
            {
                continue;
            }

            var best = 0.0;
            for (var l = Math.Max(0, lag - slack); l <= lag + slack; l++)
            {
                if (start + l + window > received.Length)
                {
                    break;
                }

                var r = received.Slice(start + l, window);
                double xy = 0, xx = 0, yy = 0;
                for (var i = 0; i < window; i++)
                {
                    xy += (double)w[i] * r[i];
                    xx += (double)w[i] * w[i];
                    yy += (double)r[i] * r[i];
                }

                var c = xx > 0 && yy > 0 ? xy / Math.Sqrt(xx * yy) : 0;
                best = Math.Max(best, c);
            }

            scores.Add(best);
        }

        scores.Sort();
        return scores.Count == 0 ? 0 : scores[scores.Count / 2];
    }
}
