namespace ClutchCall.Voice.Benchmarks.PerfGuard;

/// <summary>
/// The perf guard's budget table: every frame-path benchmark the guard runs, with the most time one
/// operation (one 20 ms frame) may take. Every listed benchmark must also allocate zero bytes.
/// To guard a new benchmark, add one line: <c>new("ClassName.MethodName", microseconds)</c>.
/// </summary>
/// <remarks>
/// Budgets are the per-frame costs measured on the 2-core reference machine as thread CPU time
/// (docs/media-resampler.md) times about 3.5, rounded, so a CI runner does not flap while a real
/// regression (an accidental allocation, a lost SIMD path, a quadratic loop) still fails. The telephony
/// legs must in any case stay well under 1 ms (5 % of a 20 ms frame). On a runner shared with other
/// jobs, <c>--budget-scale N</c> multiplies every time budget (allocation stays strictly zero).
/// </remarks>
internal static class PerfBudgets
{
    public static readonly IReadOnlyList<PerfBudget> All =
    [
        // Resampling, one 20 ms frame (measured 11-14 µs CPU each).
        new("ResamplerBenchmarks.Up8To48", 50),
        new("ResamplerBenchmarks.Down48To8", 50),
        new("ResamplerBenchmarks.Up16To48", 50),
        new("ResamplerBenchmarks.Down48To16", 50),

        // Jitter buffer, one packet in and one frame out (measured ≈ 0.6 µs).
        new("JitterBufferBenchmarks.PushPop", 2),

        // Whole telephony leg per frame (measured 170-215 µs CPU: Opus encode c5 dominates; and
        // 45-77 µs CPU: Opus decode dominates). Requirement: well under 1 ms.
        new("TelephonyLegBenchmarks.G711ToOpus", 600),
        new("TelephonyLegBenchmarks.OpusToG711", 250),

        // G.711 on one 160-sample frame (measured 64-82 ns).
        new("G711Benchmarks.EncodeMuLaw", 1),
        new("G711Benchmarks.DecodeMuLaw", 1),
        new("G711Benchmarks.EncodeALaw", 1),
        new("G711Benchmarks.DecodeALaw", 1),

        // One 20 ms Opus object on the wire with the capture-timestamp extension (measured 130-230 ns).
        new("MoqtCodecBenchmarks.EncodeOpusObject", 2),
        new("MoqtCodecBenchmarks.DecodeOpusObject", 2),

        // RTP header per packet (measured 4-20 ns).
        new("SipBenchmarks.RtpHeaderRead", 0.5),
        new("SipBenchmarks.RtpHeaderWrite", 0.5),
    ];
}

/// <summary>One guarded benchmark: <c>Type.Method</c> and its time budget per operation.</summary>
internal sealed record PerfBudget(string Benchmark, double MaxMicroseconds);
