using System.Collections.Concurrent;
using System.Numerics;

namespace ClutchCall.Voice.Media;

/// <summary>
/// The precomputed polyphase coefficient table for one rational conversion <c>L/M</c>: a Kaiser-windowed
/// sinc low-pass designed at the upsampled rate <c>inputRate × L</c> and split into <c>L</c> phases.
/// Tables are immutable and shared by every <see cref="Resampler"/> with the same rate pair.
/// </summary>
/// <remarks>
/// Design rule (telephony and ASR quality): passband edge at 0.9 × the Nyquist frequency of the lower
/// rate, stopband edge at exactly that Nyquist frequency (so nothing aliases into the output band at all),
/// <see cref="DesignAttenuationDb"/> of stopband attenuation. The prototype has odd length 2·M·d + 1 so
/// its group delay is exactly <c>d</c> output samples.
/// </remarks>
internal sealed class ResamplerFilter
{
    /// <summary>Stopband attenuation the Kaiser design targets.</summary>
    public const double DesignAttenuationDb = 90.0;

    /// <summary>Passband edge as a fraction of the lower rate's Nyquist frequency.</summary>
    public const double PassbandEdge = 0.9;

    /// <summary>Stopband edge as a fraction of the lower rate's Nyquist frequency.</summary>
    public const double StopbandEdge = 1.0;

    /// <summary>Largest interpolation factor accepted (22050 → 48000 needs 320).</summary>
    private const int MaxPhases = 1024;

    private static readonly ConcurrentDictionary<(int In, int Out), ResamplerFilter> Cache = new();

    private ResamplerFilter(int inputRate, int outputRate)
    {
        var g = Gcd(inputRate, outputRate);
        InputRate = inputRate;
        OutputRate = outputRate;
        Phases = outputRate / g;
        Step = inputRate / g;
        if (Phases > MaxPhases)
        {
            throw new NotSupportedException($"Resampling {inputRate} Hz to {outputRate} Hz needs {Phases} filter phases; at most {MaxPhases} are supported.");
        }

        var prototypeRate = (double)inputRate * Phases;
        var nyquistLow = Math.Min(inputRate, outputRate) / 2.0;
        var transitionHz = (StopbandEdge - PassbandEdge) * nyquistLow;
        var cutoffHz = (StopbandEdge + PassbandEdge) / 2 * nyquistLow;

        // Kaiser's estimates: length N - 1 = (A - 7.95) / (2.285 Δω) and β = 0.1102 (A - 8.7) for A > 50 dB.
        var deltaOmega = 2 * Math.PI * transitionHz / prototypeRate;
        var minLength = (int)Math.Ceiling((DesignAttenuationDb - 7.95) / (2.285 * deltaOmega)) + 1;
        Beta = 0.1102 * (DesignAttenuationDb - 8.7);

        // Odd length 2·M·d + 1: centre tap at M·d, i.e. exactly d output samples of delay.
        DelayOutputSamples = (int)Math.Ceiling((minLength - 1) / (2.0 * Step));
        PrototypeLength = (2 * Step * DelayOutputSamples) + 1;

        var lanes = Math.Max(8, Vector<float>.Count);
        TapsPerPhase = (((PrototypeLength + Phases - 1) / Phases) + lanes - 1) / lanes * lanes;
        Prototype = DesignPrototype(PrototypeLength, cutoffHz / prototypeRate, Beta, Phases);
        Coefficients = SplitPhases(Prototype, Phases, TapsPerPhase);
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>Interpolation factor L (number of phases).</summary>
    public int Phases { get; }

    /// <summary>Decimation factor M (prototype-rate samples between outputs).</summary>
    public int Step { get; }

    /// <summary>Taps per phase, padded with zeros to a multiple of the SIMD width.</summary>
    public int TapsPerPhase { get; }

    /// <summary>Length of the designed prototype filter (odd).</summary>
    public int PrototypeLength { get; }

    /// <summary>Group delay in output samples (the filter is linear phase).</summary>
    public int DelayOutputSamples { get; }

    /// <summary>Kaiser window β.</summary>
    public double Beta { get; }

    /// <summary>The prototype at the upsampled rate, DC gain <see cref="Phases"/>.</summary>
    public double[] Prototype { get; }

    /// <summary>
    /// Phase-major table: phase p occupies <c>[p·T, (p+1)·T)</c>, reversed so that a dot product with the
    /// oldest-to-newest input history yields the output.
    /// </summary>
    public float[] Coefficients { get; }

    /// <summary>The shared table for a rate pair, designed on first use.</summary>
    public static ResamplerFilter For(int inputRate, int outputRate) =>
        Cache.GetOrAdd((inputRate, outputRate), static key => new ResamplerFilter(key.In, key.Out));

    /// <summary>
    /// Magnitude response of the prototype (normalised to unity DC gain) at <paramref name="frequencyHz"/>
    /// of the output signal, in dB. Used to state and test the designed ripple and attenuation.
    /// </summary>
    public double ResponseDb(double frequencyHz)
    {
        var omega = 2 * Math.PI * frequencyHz / ((double)InputRate * Phases);
        double re = 0, im = 0;
        for (var k = 0; k < Prototype.Length; k++)
        {
            re += Prototype[k] * Math.Cos(omega * k);
            im -= Prototype[k] * Math.Sin(omega * k);
        }

        return 20 * Math.Log10(Math.Sqrt((re * re) + (im * im)) / Phases);
    }

    private static double[] DesignPrototype(int length, double normalizedCutoff, double beta, int gain)
    {
        var h = new double[length];
        var centre = (length - 1) / 2.0;
        var i0Beta = BesselI0(beta);
        double sum = 0;
        for (var k = 0; k < length; k++)
        {
            var x = k - centre;
            var sinc = x == 0 ? 2 * normalizedCutoff : Math.Sin(2 * Math.PI * normalizedCutoff * x) / (Math.PI * x);
            var r = x / centre;
            var window = BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - (r * r)))) / i0Beta;
            h[k] = sinc * window;
            sum += h[k];
        }

        // Unity DC gain after interpolation by L: every phase sums to ~1, the whole prototype to L.
        var scale = gain / sum;
        for (var k = 0; k < length; k++)
        {
            h[k] *= scale;
        }

        return h;
    }

    private static float[] SplitPhases(double[] prototype, int phases, int taps)
    {
        // y[n] at prototype index u = base·L + p is Σ_j h[p + j·L] · x[base - j]; store h[p + j·L] at
        // position T-1-j so the dot product runs over x[base-T+1 .. base] in memory order.
        var table = new float[phases * taps];
        for (var p = 0; p < phases; p++)
        {
            for (var j = 0; j < taps; j++)
            {
                var k = p + (j * phases);
                table[(p * taps) + taps - 1 - j] = k < prototype.Length ? (float)prototype[k] : 0f;
            }
        }

        return table;
    }

    /// <summary>Zeroth-order modified Bessel function of the first kind (power series).</summary>
    private static double BesselI0(double x)
    {
        double sum = 1, term = 1;
        var half = x / 2;
        for (var k = 1; k < 200; k++)
        {
            term *= half / k;
            var t2 = term * term;
            sum += t2;
            if (t2 < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
