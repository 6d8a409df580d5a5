namespace ClutchCall.Voice.Speech.Dsp;

/// <summary>
/// Streaming mono resampler for any rational rate ratio (e.g. espeak-ng's 22,050 Hz to 16,000 Hz,
/// which the Media resampler's fixed rates do not cover): a polyphase Kaiser-windowed sinc with
/// <see cref="TapsPerPhase"/> taps, cut-off at 0.9 × the lower Nyquist frequency. State carries
/// across calls, so chunk boundaries are seamless. Not thread-safe.
/// </summary>
internal sealed class RationalResampler
{
    private const int TapsPerPhase = 32;
    private const double KaiserBeta = 8.0;

    private readonly int _up;
    private readonly int _down;
    private readonly float[] _filter; // [phase * TapsPerPhase + tap]
    private readonly float[] _history = new float[TapsPerPhase];
    private long _phaseAccumulator; // next output instant past the newest-but-one input, in 1/_up input samples

    public RationalResampler(int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        var g = Gcd(inputRate, outputRate);
        _up = outputRate / g;
        _down = inputRate / g;
        InputRate = inputRate;
        OutputRate = outputRate;
        _filter = new float[_up * TapsPerPhase];
        var cutoff = 0.9 * Math.Min(1.0, (double)outputRate / inputRate); // relative to input Nyquist
        var half = TapsPerPhase / 2;
        for (var p = 0; p < _up; p++)
        {
            var sum = 0.0;
            for (var t = 0; t < TapsPerPhase; t++)
            {
                // Tap t of phase p sits at input offset (t - half + 1) - p/_up from the output instant.
                var x = t - half + 1 - ((double)p / _up);
                var sinc = Math.Abs(x) < 1e-9 ? 1.0 : Math.Sin(Math.PI * cutoff * x) / (Math.PI * cutoff * x);
                var w = x / half;
                var kaiser = Math.Abs(w) >= 1 ? 0 : BesselI0(KaiserBeta * Math.Sqrt(1 - (w * w))) / BesselI0(KaiserBeta);
                var v = sinc * kaiser;
                _filter[(p * TapsPerPhase) + t] = (float)v;
                sum += v;
            }

            for (var t = 0; t < TapsPerPhase; t++)
            {
                _filter[(p * TapsPerPhase) + t] /= (float)sum;
            }
        }

        Reset();
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>Upper bound of output samples for <paramref name="inputSamples"/> input samples.</summary>
    public int MaxOutput(int inputSamples) => (int)(((long)inputSamples * _up / _down) + 2);

    public void Reset()
    {
        Array.Clear(_history);
        _phaseAccumulator = 0;
    }

    /// <summary>Resamples a chunk; returns the number of samples written to <paramref name="output"/>.</summary>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        if (output.Length < MaxOutput(input.Length))
        {
            throw new ArgumentException($"Output needs room for {MaxOutput(input.Length)} samples.", nameof(output));
        }

        var written = 0;
        foreach (var sample in input)
        {
            // Shift one sample into the history window (newest last).
            Array.Copy(_history, 1, _history, 0, TapsPerPhase - 1);
            _history[TapsPerPhase - 1] = sample;
            // Emit every output whose instant falls in [newest - 1, newest).
            while (_phaseAccumulator < _up)
            {
                var phase = (int)_phaseAccumulator;
                var acc = 0f;
                var f = phase * TapsPerPhase;
                for (var t = 0; t < TapsPerPhase; t++)
                {
                    acc += _history[t] * _filter[f + t];
                }

                output[written++] = (short)Math.Clamp(MathF.Round(acc), short.MinValue, short.MaxValue);
                _phaseAccumulator += _down;
            }

            _phaseAccumulator -= _up;
        }

        return written;
    }

    private static double BesselI0(double x)
    {
        double sum = 1, term = 1;
        for (var k = 1; k < 30; k++)
        {
            term *= x / (2 * k);
            sum += term * term;
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
