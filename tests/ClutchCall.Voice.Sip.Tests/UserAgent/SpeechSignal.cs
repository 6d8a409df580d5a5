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
        var (rate, channels, pcm) = ReadWav(TestData.Require("speech/jfk.wav"));
        Assert.Equal(16000, rate);
        Assert.Equal(1, channels);
        return pcm.AsSpan(0, Math.Min(pcm.Length, (int)(16000 * seconds))).ToArray();
    }

    /// <summary>Reads a PCM16 (format 1) or float32 (format 3) RIFF/WAVE file; multi-channel audio keeps channel 0.</summary>
    public static (int Rate, int Channels, short[] Pcm) ReadWav(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int rate = 0, channels = 1, format = 1, bits = 16;
        var pos = 12;
        while (pos + 8 <= bytes.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(bytes, pos, 4);
            var size = BitConverter.ToInt32(bytes, pos + 4);
            if (id == "fmt ")
            {
                format = BitConverter.ToUInt16(bytes, pos + 8);
                channels = BitConverter.ToUInt16(bytes, pos + 10);
                rate = BitConverter.ToInt32(bytes, pos + 12);
                bits = BitConverter.ToUInt16(bytes, pos + 22);
            }

            if (id == "data")
            {
                if (size <= 0 || pos + 8 + size > bytes.Length)
                {
                    size = bytes.Length - pos - 8;
                }

                var frameBytes = bits / 8 * channels;
                var frames = size / frameBytes;
                var pcm = new short[frames];
                for (var i = 0; i < frames; i++)
                {
                    var at = pos + 8 + (i * frameBytes);
                    pcm[i] = format == 3 && bits == 32
                        ? (short)Math.Clamp(BitConverter.ToSingle(bytes, at) * 32767f, -32768f, 32767f)
                        : BitConverter.ToInt16(bytes, at);
                }

                return (rate, channels, pcm);
            }

            pos += 8 + size + (size & 1);
        }

        throw new InvalidDataException($"{path} has no data chunk");
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
