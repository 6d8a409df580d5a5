namespace ClutchCall.Voice.Media.Tests.Dsp;

/// <summary>Signal generation and least-squares tone measurement for frequency-response tests.</summary>
internal static class SineAnalysis
{
    public static short[] Sine(int rate, double frequencyHz, double amplitude, int samples)
    {
        var x = new short[samples];
        for (var i = 0; i < samples; i++)
        {
            x[i] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequencyHz * i / rate));
        }

        return x;
    }

    /// <summary>
    /// Amplitude of the component at <paramref name="frequencyHz"/>, fitted by least squares jointly with
    /// the <paramref name="alsoPresentHz"/> tones (so a strong tone elsewhere cannot leak into the estimate).
    /// </summary>
    public static double ToneAmplitude(ReadOnlySpan<short> y, int rate, double frequencyHz, params double[] alsoPresentHz)
    {
        var freqs = new List<double> { frequencyHz };
        foreach (var f in alsoPresentHz)
        {
            if (Math.Abs(f - frequencyHz) > 1)
            {
                freqs.Add(f);
            }
        }

        var k = freqs.Count * 2;
        var ata = new double[k, k];
        var aty = new double[k];
        var row = new double[k];
        for (var i = 0; i < y.Length; i++)
        {
            for (var j = 0; j < freqs.Count; j++)
            {
                var w = 2 * Math.PI * freqs[j] * i / rate;
                row[2 * j] = Math.Cos(w);
                row[(2 * j) + 1] = Math.Sin(w);
            }

            for (var a = 0; a < k; a++)
            {
                aty[a] += row[a] * y[i];
                for (var b = 0; b < k; b++)
                {
                    ata[a, b] += row[a] * row[b];
                }
            }
        }

        var x = Solve(ata, aty);
        return Math.Sqrt((x[0] * x[0]) + (x[1] * x[1]));
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }

            for (var c = 0; c < n; c++)
            {
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            }

            (b[col], b[pivot]) = (b[pivot], b[col]);
            for (var r = col + 1; r < n; r++)
            {
                var factor = a[r, col] / a[col, col];
                for (var c = col; c < n; c++)
                {
                    a[r, c] -= factor * a[col, c];
                }

                b[r] -= factor * b[col];
            }
        }

        var x = new double[n];
        for (var r = n - 1; r >= 0; r--)
        {
            var sum = b[r];
            for (var c = r + 1; c < n; c++)
            {
                sum -= a[r, c] * x[c];
            }

            x[r] = sum / a[r, r];
        }

        return x;
    }

    public static short[] Resample(int inRate, int outRate, short[] input)
    {
        var r = new Resampler(inRate, outRate);
        var output = new short[Resampler.MaxOutput(inRate, outRate, input.Length)];
        var n = r.Process(input, output);
        return output[..n];
    }
}
