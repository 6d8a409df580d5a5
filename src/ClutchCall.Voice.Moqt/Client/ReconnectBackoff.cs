namespace ClutchCall.Voice.Moqt.Client;

/// <summary>Exponential backoff with jitter: initial, doubling per failure, capped; reset after a success.</summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly double _jitter;
    private readonly Random _random;
    private TimeSpan _next;

    public ReconnectBackoff(TimeSpan initial, TimeSpan max, double jitter, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(jitter, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jitter, 1);
        _initial = initial;
        _max = max;
        _jitter = jitter;
        _random = random;
        _next = initial;
    }

    /// <summary>The next delay (jittered), then doubles the base up to the cap.</summary>
    public TimeSpan NextDelay()
    {
        var factor = 1 + (((_random.NextDouble() * 2) - 1) * _jitter);
        var delay = TimeSpan.FromTicks((long)(_next.Ticks * factor));
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, _max.Ticks));
        return delay;
    }

    /// <summary>Back to the initial delay.</summary>
    public void Reset() => _next = _initial;
}
