namespace ClutchCall.Voice.Media.Tests.Dsp;

/// <summary>
/// Sine-sweep measurements of the resampler against the figures stated in docs/media-resampler.md:
/// passband (to 0.9 × the lower Nyquist) flat within <see cref="MaxPassbandDeviationDb"/>, aliases and
/// images of anything beyond the lower Nyquist at least <see cref="MinRejectionDb"/> below the input.
/// </summary>
public class ResamplerFrequencyResponseTests
{
    /// <summary>Stated passband flatness (measured through PCM16 rounding).</summary>
    private const double MaxPassbandDeviationDb = 0.01;

    /// <summary>Stated alias / image rejection, measured on PCM16 output.</summary>
    private const double MinRejectionDb = 90.0;

    /// <summary>Stated stopband attenuation of the designed filter itself.</summary>
    private const double MinDesignedAttenuationDb = 90.0;

    private const double Amplitude = 30000;

    public static TheoryData<int, int> RatePairs()
    {
        var data = new TheoryData<int, int>();
        int[] rates = [8000, 16000, 24000, 48000];
        foreach (var a in rates)
        {
            foreach (var b in rates)
            {
                if (a != b)
                {
                    data.Add(a, b);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void Sweep_Passband_FlatWithinStatedRipple(int inRate, int outRate)
    {
        var nyquistLow = Math.Min(inRate, outRate) / 2.0;
        var worst = 0.0;
        for (var f = 50.0; f <= 0.9 * nyquistLow; f += nyquistLow / 23)
        {
            var gain = MeasureGainDb(inRate, outRate, f, f);
            worst = Math.Max(worst, Math.Abs(gain));
        }

        var edge = MeasureGainDb(inRate, outRate, 0.9 * nyquistLow, 0.9 * nyquistLow);
        worst = Math.Max(worst, Math.Abs(edge));
        TestContext.Current.TestOutputHelper?.WriteLine($"{inRate}->{outRate}: worst passband deviation {worst:F5} dB");
        Assert.True(worst <= MaxPassbandDeviationDb, $"{inRate}->{outRate}: passband deviates {worst:F4} dB (> {MaxPassbandDeviationDb} dB)");
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void Sweep_BeyondLowerNyquist_AliasesAndImagesRejected(int inRate, int outRate)
    {
        var worst = double.MaxValue;
        if (inRate > outRate)
        {
            // Downsampling: tones between the output Nyquist and the input Nyquist must not fold back.
            var outNyquist = outRate / 2.0;
            var stepHz = ((inRate / 2.0) - outNyquist) / 17;
            for (var f = outNyquist + (stepHz / 2); f < inRate / 2.0; f += stepHz)
            {
                var alias = Fold(f, outRate);
                worst = Math.Min(worst, -MeasureGainDb(inRate, outRate, f, alias));
            }
        }
        else
        {
            // Upsampling: a passband tone f must not leave images at inRate - f, inRate + f, ...
            var inNyquist = inRate / 2.0;
            for (var f = 100.0; f < inNyquist; f += inNyquist / 13)
            {
                // Images sit at k·inRate ± f for every k ≥ 1 below the output Nyquist frequency.
                for (var k = 1; (k * inRate) - f < outRate / 2.0; k++)
                {
                    worst = Math.Min(worst, -MeasureGainDb(inRate, outRate, f, (k * inRate) - f));
                    if ((k * inRate) + f < outRate / 2.0)
                    {
                        worst = Math.Min(worst, -MeasureGainDb(inRate, outRate, f, (k * inRate) + f));
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{inRate}->{outRate}: worst alias/image rejection {worst:F1} dB");
        Assert.True(worst >= MinRejectionDb, $"{inRate}->{outRate}: rejection only {worst:F1} dB (< {MinRejectionDb} dB)");
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void DesignedFilter_MeetsStatedRippleAndAttenuation(int inRate, int outRate)
    {
        var filter = ResamplerFilter.For(inRate, outRate);
        var nyquistLow = Math.Min(inRate, outRate) / 2.0;
        var ripple = 0.0;
        for (var f = 0.0; f <= 0.9 * nyquistLow; f += nyquistLow / 200)
        {
            ripple = Math.Max(ripple, Math.Abs(filter.ResponseDb(f)));
        }

        var stop = double.MinValue;
        var prototypeNyquist = (double)inRate * filter.Phases / 2;
        for (var f = nyquistLow; f <= prototypeNyquist; f += nyquistLow / 50)
        {
            stop = Math.Max(stop, filter.ResponseDb(f));
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{inRate}->{outRate}: L={filter.Phases} M={filter.Step} taps/phase={filter.TapsPerPhase} prototype={filter.PrototypeLength} ripple={ripple:E2} dB stopband={stop:F1} dB delay={filter.DelayOutputSamples}");
        Assert.True(ripple <= 0.001, $"designed passband ripple {ripple} dB");
        Assert.True(stop <= -MinDesignedAttenuationDb, $"designed stopband peak {stop:F1} dB");
    }

    private static double MeasureGainDb(int inRate, int outRate, double inputHz, double measureHz)
    {
        var input = SineAnalysis.Sine(inRate, inputHz, Amplitude, inRate / 2);
        var output = SineAnalysis.Resample(inRate, outRate, input);

        // Skip the start-up transient (filter delay plus margin) and the tail.
        var skip = (outRate / 20) + new Resampler(inRate, outRate).DelaySamples;
        var steady = output.AsSpan(skip, output.Length - (2 * skip));

        // When upsampling the input tone is still present in the output; fit it jointly so its
        // leakage does not masquerade as an image. When downsampling it is the alias itself.
        var amplitude = outRate > inRate
            ? SineAnalysis.ToneAmplitude(steady, outRate, measureHz, inputHz)
            : SineAnalysis.ToneAmplitude(steady, outRate, measureHz);
        return 20 * Math.Log10(Math.Max(amplitude, 1e-9) / Amplitude);
    }

    private static double Fold(double f, int rate)
    {
        var m = f % rate;
        return m > rate / 2.0 ? rate - m : m;
    }
}
