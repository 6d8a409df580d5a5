namespace ClutchCall.Voice.Benchmarks.PerfGuard;

/// <summary>
/// The perf guard's budget table: every frame-path benchmark the guard runs, with the most time one
/// operation (one 20 ms frame) may take. Every listed benchmark must also allocate zero bytes.
/// To guard a new benchmark, add one line: <c>new("ClassName.MethodName", microseconds)</c>.
/// </summary>
/// <remarks>
/// Budgets are the numbers measured on the 2-core reference machine (docs/media-resampler.md, README
/// performance section) times about three, rounded up, so a shared CI runner does not flap while a real
/// regression (an accidental allocation, a lost SIMD path, a quadratic loop) still fails. The telephony
/// legs are held to the product requirement instead: well under 1 ms (5 % of a 20 ms frame).
/// </remarks>
internal static class PerfBudgets
{
    public static readonly IReadOnlyList<PerfBudget> All =
    [
        // Resampling, one 20 ms frame (measured ≈ 9-12 µs each).
        new("ResamplerBenchmarks.Up8To48", 40),
        new("ResamplerBenchmarks.Down48To8", 40),
        new("ResamplerBenchmarks.Up16To48", 40),
        new("ResamplerBenchmarks.Down48To16", 40),

        // Jitter buffer, one packet in and one frame out (measured ≈ 0.3 µs).
        new("JitterBufferBenchmarks.PushPop", 2),

        // Whole telephony leg per frame: product requirement, well under 1 ms (5 % of 20 ms).
        new("TelephonyLegBenchmarks.G711ToOpus", 500),
        new("TelephonyLegBenchmarks.OpusToG711", 500),
    ];
}

/// <summary>One guarded benchmark: <c>Type.Method</c> and its time budget per operation.</summary>
internal sealed record PerfBudget(string Benchmark, double MaxMicroseconds);
