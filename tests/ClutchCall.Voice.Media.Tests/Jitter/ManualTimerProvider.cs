namespace ClutchCall.Voice.Media.Tests.Jitter;

/// <summary>
/// A time provider with one timer that fires only when the test says so, at any time the test picks —
/// including after its due time, which is how a late tick (a stalled thread) is simulated.
/// </summary>
internal sealed class ManualTimerProvider : TimeProvider
{
    private TimerCallback? _callback;
    private object? _state;

    public long NowTicks { get; private set; }

    /// <summary>Absolute time (ticks) the clock last asked to be woken at, or -1 when disarmed.</summary>
    public long RequestedDueTicks { get; private set; } = -1;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => NowTicks;

    public void FireAt(TimeSpan at)
    {
        NowTicks = at.Ticks;
        _callback!(_state);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _callback = callback;
        _state = state;
        return new Timer(this);
    }

    private sealed class Timer(ManualTimerProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.RequestedDueTicks = dueTime == Timeout.InfiniteTimeSpan ? -1 : owner.NowTicks + dueTime.Ticks;
            return true;
        }

        public void Dispose() => owner.RequestedDueTicks = -1;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
