namespace ClutchCall.Voice.Media.Tests.Codecs;

/// <summary>Test-local signal measurements: delay by cross-correlation, SNR, segmental SNR, error energy.</summary>
internal static class SignalMetrics
{
    /// <summary>
    /// The lag (in samples, 0..maxLag) at which <paramref name="decoded"/> best matches <paramref name="original"/>,
    /// i.e. decoded[n + lag] ≈ original[n], by normalised cross-correlation.
    /// </summary>
    public static int FindLag(ReadOnlySpan<short> original, ReadOnlySpan<short> decoded, int maxLag)
    {
        var bestLag = 0;
        var best = double.NegativeInfinity;
        // Three seconds of 16 kHz audio are plenty to find the lag and keep the search fast.
        var length = Math.Min(Math.Min(original.Length, decoded.Length) - maxLag, 48000);
        for (var lag = 0; lag <= maxLag; lag++)
        {
            double dot = 0, energy = 0;
            for (var n = 0; n < length; n++)
            {
                double d = decoded[n + lag];
                dot += original[n] * d;
                energy += d * d;
            }

            var score = energy == 0 ? 0 : dot / Math.Sqrt(energy);
            if (score > best)
            {
                best = score;
                bestLag = lag;
            }
        }

        return bestLag;
    }

    /// <summary>Signal-to-noise ratio in dB of decoded (shifted by lag) against original.</summary>
    public static double Snr(ReadOnlySpan<short> original, ReadOnlySpan<short> decoded, int lag)
    {
        double signal = 0, noise = 0;
        var length = Math.Min(original.Length, decoded.Length - lag);
        for (var n = 0; n < length; n++)
        {
            double s = original[n];
            var e = s - decoded[n + lag];
            signal += s * s;
            noise += e * e;
        }

        return 10 * Math.Log10(signal / Math.Max(noise, 1e-9));
    }

    /// <summary>
    /// Segmental SNR in dB: the mean of per-segment SNRs (each clamped to [-10, 35] dB) over segments whose
    /// energy is within 40 dB of the loudest, so silence does not dominate.
    /// </summary>
    public static double SegmentalSnr(ReadOnlySpan<short> original, ReadOnlySpan<short> decoded, int lag, int segment)
    {
        var length = Math.Min(original.Length, decoded.Length - lag);
        var count = length / segment;
        var energies = new double[count];
        var noises = new double[count];
        double peak = 0;
        for (var k = 0; k < count; k++)
        {
            for (var n = k * segment; n < (k + 1) * segment; n++)
            {
                double s = original[n];
                var e = s - decoded[n + lag];
                energies[k] += s * s;
                noises[k] += e * e;
            }

            peak = Math.Max(peak, energies[k]);
        }

        double sum = 0;
        var used = 0;
        for (var k = 0; k < count; k++)
        {
            if (energies[k] < peak * 1e-4)
            {
                continue;
            }

            sum += Math.Clamp(10 * Math.Log10(energies[k] / Math.Max(noises[k], 1e-9)), -10, 35);
            used++;
        }

        return used == 0 ? double.NaN : sum / used;
    }

    /// <summary>Sum of squared differences between two equal-length spans.</summary>
    public static double ErrorEnergy(ReadOnlySpan<short> expected, ReadOnlySpan<short> actual)
    {
        double sum = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            double e = expected[i] - actual[i];
            sum += e * e;
        }

        return sum;
    }

    public static double Energy(ReadOnlySpan<short> x)
    {
        double sum = 0;
        foreach (var s in x)
        {
            sum += (double)s * s;
        }

        return sum;
    }
}
