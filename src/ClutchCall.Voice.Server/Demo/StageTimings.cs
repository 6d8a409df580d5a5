using System.Diagnostics;
using System.Globalization;

namespace ClutchCall.Voice.Server;

/// <summary>
/// Per-frame wall-clock timings of one pipeline stage, summarised as p50/p99. The first
/// <see cref="WarmUpFrames"/> frames (JIT compilation, first-touch page faults) are left out.
/// </summary>
internal sealed class StageTimings(string name, int capacity)
{
    public const int WarmUpFrames = 10;

    private readonly long[] _ticks = new long[capacity];
    private int _count;

    public string Name { get; } = name;

    public long Start() => Stopwatch.GetTimestamp();

    public void Stop(long started)
    {
        if (_count < _ticks.Length)
        {
            _ticks[_count++] = Stopwatch.GetTimestamp() - started;
        }
    }

    public string Summary()
    {
        if (_count <= WarmUpFrames)
        {
            return $"{Name,-34} (too few frames)";
        }

        var sorted = _ticks.AsSpan(WarmUpFrames, _count - WarmUpFrames).ToArray();
        Array.Sort(sorted);
        double Us(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))] * 1e6 / Stopwatch.Frequency;
        return string.Create(CultureInfo.InvariantCulture, $"{Name,-34} p50 {Us(0.50),8:F1} µs   p99 {Us(0.99),8:F1} µs   ({sorted.Length} frames)");
    }
}
