namespace ClutchCall.Voice.Speech.Dsp;

/// <summary>
/// In-place radix-2 complex FFT of a fixed power-of-two size, with twiddles and bit-reversal
/// tables built once. <see cref="PowerSpectrum"/> allocates nothing.
/// </summary>
internal sealed class RealFft
{
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly int[] _bitReverse;
    private readonly float[] _re;
    private readonly float[] _im;

    public RealFft(int size)
    {
        if (size < 4 || (size & (size - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "FFT size must be a power of two of at least 4.");
        }

        Size = size;
        _cos = new float[size / 2];
        _sin = new float[size / 2];
        for (var i = 0; i < size / 2; i++)
        {
            _cos[i] = (float)Math.Cos(-2 * Math.PI * i / size);
            _sin[i] = (float)Math.Sin(-2 * Math.PI * i / size);
        }

        _bitReverse = new int[size];
        var bits = System.Numerics.BitOperations.Log2((uint)size);
        for (var i = 0; i < size; i++)
        {
            var r = 0;
            for (var b = 0; b < bits; b++)
            {
                r |= ((i >> b) & 1) << (bits - 1 - b);
            }

            _bitReverse[i] = r;
        }

        _re = new float[size];
        _im = new float[size];
    }

    public int Size { get; }

    /// <summary>
    /// Transforms <paramref name="input"/> (zero-padded to <see cref="Size"/>) and writes |X[k]|² for
    /// k = 0 … Size/2 into <paramref name="power"/>.
    /// </summary>
    public void PowerSpectrum(ReadOnlySpan<float> input, Span<float> power)
    {
        var n = Size;
        var re = _re;
        var im = _im;
        for (var i = 0; i < n; i++)
        {
            var j = _bitReverse[i];
            re[j] = i < input.Length ? input[i] : 0f;
            im[j] = 0f;
        }

        for (var len = 2; len <= n; len <<= 1)
        {
            var half = len >> 1;
            var step = n / len;
            for (var start = 0; start < n; start += len)
            {
                for (var k = 0; k < half; k++)
                {
                    var wr = _cos[k * step];
                    var wi = _sin[k * step];
                    var a = start + k;
                    var b = a + half;
                    var tr = (re[b] * wr) - (im[b] * wi);
                    var ti = (re[b] * wi) + (im[b] * wr);
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }

        var bins = Math.Min(power.Length, (n / 2) + 1);
        for (var k = 0; k < bins; k++)
        {
            power[k] = (re[k] * re[k]) + (im[k] * im[k]);
        }
    }
}
