using ClutchCall.Voice.Speech.Tests.Support;

namespace ClutchCall.Voice.Speech.Tests.Vad;

/// <summary>
/// A labelled VAD test signal: the real speech clips separated by gaps at known offsets, with
/// per-20 ms-frame truth from an energy oracle on the clean clips, and noise added afterwards.
/// </summary>
internal sealed class LabelledSpeechSet
{
    public const int Rate = 16000;
    public const int FrameSamples = 320;

    private LabelledSpeechSet(short[] clean, bool[] truth)
    {
        Clean = clean;
        Truth = truth;
    }

    public short[] Clean { get; }

    public bool[] Truth { get; }

    /// <summary>Builds [1.0 s gap] 0870 [1.5 s] 0880 [1.5 s] 0890 [1.2 s].</summary>
    public static LabelledSpeechSet Build()
    {
        var parts = new List<short>();
        var truth = new List<bool>();
        AddGap(parts, truth, 1000);
        for (var i = 0; i < SpeechSamples.LibriVox.Length; i++)
        {
            var clip = SpeechSamples.Load(SpeechSamples.LibriVox[i]);
            var frames = clip.Length / FrameSamples;
            parts.AddRange(clip.AsSpan(0, frames * FrameSamples).ToArray());
            truth.AddRange(EnergyOracle(clip, frames));
            AddGap(parts, truth, i == SpeechSamples.LibriVox.Length - 1 ? 1200 : 1500);
        }

        return new LabelledSpeechSet([.. parts], [.. truth]);
    }

    /// <summary>
    /// Frame truth for a clean clip: frame energy above (peak − 35 dB), gaps under 300 ms filled,
    /// isolated blips under 60 ms removed.
    /// </summary>
    public static bool[] EnergyOracle(short[] clip, int frames)
    {
        var db = new double[frames];
        var peak = double.MinValue;
        for (var f = 0; f < frames; f++)
        {
            double sum = 0;
            for (var i = 0; i < FrameSamples; i++)
            {
                double s = clip[(f * FrameSamples) + i];
                sum += s * s;
            }

            db[f] = 10 * Math.Log10((sum / FrameSamples) + 1);
            peak = Math.Max(peak, db[f]);
        }

        var active = db.Select(d => d > peak - 35).ToArray();
        FillRuns(active, value: false, maxFrames: 15); // gaps < 300 ms are inside a region
        FillRuns(active, value: true, maxFrames: 3);   // blips < 60 ms are not regions
        return active;
    }

    private static void FillRuns(bool[] a, bool value, int maxFrames)
    {
        var i = 0;
        while (i < a.Length)
        {
            if (a[i] != value)
            {
                i++;
                continue;
            }

            var start = i;
            while (i < a.Length && a[i] == value)
            {
                i++;
            }

            var bounded = value ? true : start > 0 && i < a.Length;
            if (bounded && i - start < maxFrames)
            {
                for (var k = start; k < i; k++)
                {
                    a[k] = !value;
                }
            }
        }
    }

    private static void AddGap(List<short> parts, List<bool> truth, int ms)
    {
        var frames = ms / 20;
        parts.AddRange(new short[frames * FrameSamples]);
        truth.AddRange(new bool[frames]);
    }

    /// <summary>Mean power of the clean signal over its truth-speech frames.</summary>
    public double SpeechPower()
    {
        double sum = 0;
        long n = 0;
        for (var f = 0; f < Truth.Length; f++)
        {
            if (!Truth[f])
            {
                continue;
            }

            for (var i = 0; i < FrameSamples; i++)
            {
                double s = Clean[(f * FrameSamples) + i];
                sum += s * s;
            }

            n += FrameSamples;
        }

        return sum / n;
    }

    /// <summary>Adds white Gaussian noise at <paramref name="snrDb"/> relative to the speech power.</summary>
    public short[] WithWhiteNoise(double snrDb, int seed)
    {
        var rng = new Random(seed);
        var sigma = Math.Sqrt(SpeechPower() / Math.Pow(10, snrDb / 10));
        var output = new short[Clean.Length];
        for (var i = 0; i < output.Length; i++)
        {
            var g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            output[i] = Clip(Clean[i] + (sigma * g));
        }

        return output;
    }

    /// <summary>
    /// Adds babble at <paramref name="snrDb"/>: jfk.wav and the LibriVox clips, time-reversed and
    /// shifted, summed into a continuous multi-talker background.
    /// </summary>
    public short[] WithBabble(double snrDb, int seed)
    {
        var rng = new Random(seed);
        var sources = new List<short[]> { SpeechSamples.Load("jfk") };
        sources.AddRange(SpeechSamples.LibriVox.Select(SpeechSamples.Load));
        var babble = new double[Clean.Length];
        foreach (var src in sources)
        {
            var reversed = src.Reverse().ToArray();
            var offset = rng.Next(src.Length);
            for (var i = 0; i < babble.Length; i++)
            {
                babble[i] += reversed[(i + offset) % reversed.Length];
            }
        }

        var power = babble.Select(x => x * x).Average();
        var scale = Math.Sqrt(SpeechPower() / Math.Pow(10, snrDb / 10) / power);
        var output = new short[Clean.Length];
        for (var i = 0; i < output.Length; i++)
        {
            output[i] = Clip(Clean[i] + (babble[i] * scale));
        }

        return output;
    }

    /// <summary>A G.711-like telephone channel: 300–3400 Hz band-pass (4th-order Butterworth-ish cascade).</summary>
    public static short[] TelephoneBand(short[] input)
    {
        var hp1 = Biquad.HighPass(Rate, 300, 0.707);
        var hp2 = Biquad.HighPass(Rate, 300, 0.707);
        var lp1 = Biquad.LowPass(Rate, 3400, 0.707);
        var lp2 = Biquad.LowPass(Rate, 3400, 0.707);
        var output = new short[input.Length];
        for (var i = 0; i < input.Length; i++)
        {
            output[i] = Clip(lp2.Next(lp1.Next(hp2.Next(hp1.Next(input[i])))));
        }

        return output;
    }

    private static short Clip(double v) => (short)Math.Clamp(Math.Round(v), short.MinValue, short.MaxValue);

    private sealed class Biquad(double b0, double b1, double b2, double a1, double a2)
    {
        private double _x1;
        private double _x2;
        private double _y1;
        private double _y2;

        // RBJ audio EQ cookbook formulas.
        public static Biquad LowPass(double fs, double f0, double q)
        {
            var w = 2 * Math.PI * f0 / fs;
            var alpha = Math.Sin(w) / (2 * q);
            var a0 = 1 + alpha;
            return new Biquad((1 - Math.Cos(w)) / 2 / a0, (1 - Math.Cos(w)) / a0, (1 - Math.Cos(w)) / 2 / a0, -2 * Math.Cos(w) / a0, (1 - alpha) / a0);
        }

        public static Biquad HighPass(double fs, double f0, double q)
        {
            var w = 2 * Math.PI * f0 / fs;
            var alpha = Math.Sin(w) / (2 * q);
            var a0 = 1 + alpha;
            return new Biquad((1 + Math.Cos(w)) / 2 / a0, -(1 + Math.Cos(w)) / a0, (1 + Math.Cos(w)) / 2 / a0, -2 * Math.Cos(w) / a0, (1 - alpha) / a0);
        }

        public double Next(double x)
        {
            var y = (b0 * x) + (b1 * _x1) + (b2 * _x2) - (a1 * _y1) - (a2 * _y2);
            _x2 = _x1;
            _x1 = x;
            _y2 = _y1;
            _y1 = y;
            return y;
        }
    }
}
