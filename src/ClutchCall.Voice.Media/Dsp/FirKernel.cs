using System.Numerics;
using System.Runtime.CompilerServices;

namespace ClutchCall.Voice.Media;

/// <summary>The inner product at the heart of every FIR filter, vectorised with <see cref="Vector{T}"/>.</summary>
internal static class FirKernel
{
    /// <summary>
    /// Σ a[i]·b[i] for i in [0, length). <paramref name="length"/> must be a multiple of
    /// <c>Vector&lt;float&gt;.Count</c> (filter tables are padded to guarantee it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int length)
    {
        var width = Vector<float>.Count;
        var acc0 = Vector<float>.Zero;
        var acc1 = Vector<float>.Zero;
        var i = 0;
        for (; i + (2 * width) <= length; i += 2 * width)
        {
            acc0 = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref a, (nuint)i), Vector.LoadUnsafe(ref b, (nuint)i), acc0);
            acc1 = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref a, (nuint)(i + width)), Vector.LoadUnsafe(ref b, (nuint)(i + width)), acc1);
        }

        for (; i < length; i += width)
        {
            acc0 = Vector.MultiplyAddEstimate(Vector.LoadUnsafe(ref a, (nuint)i), Vector.LoadUnsafe(ref b, (nuint)i), acc0);
        }

        return Vector.Sum(acc0 + acc1);
    }
}
