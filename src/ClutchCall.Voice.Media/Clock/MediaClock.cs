namespace ClutchCall.Voice.Media;

/// <summary>
/// One timer that paces many call legs: every period (20 ms) it calls each registered
/// <see cref="IMediaClockSubscriber"/> in turn.
/// </summary>
/// <remarks>
/// Deadlines are absolute, <c>start + n × period</c>: a late tick is delivered late but does not move the
/// ones after it, so drift never accumulates (a per-call <c>Task.Delay(20)</c> loop drifts and costs a
/// timer per call). When the clock falls behind it catches up by delivering the missed ticks back to back,
/// up to <see cref="MaxCatchUpTicks"/>; older deadlines are skipped and counted. Time comes from the
/// <see cref="TimeProvider"/>, so tests drive it with a fake clock. A host runs one clock per core and
/// spreads calls over them. Registering allocates; ticking does not.
/// </remarks>
internal sealed class MediaClock : IDisposable
{
    /// <summary>Most missed deadlines delivered back to back after a stall; older ones are skipped.</summary>
    public const int MaxCatchUpTicks = 5;

    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly long _periodUnits;
    private readonly long _lateThresholdUnits;
    private readonly Lock _gate = new();
    private volatile IMediaClockSubscriber[] _subscribers = [];
    private long _start;
    private long _nextIndex;
    private bool _started;
    private bool _disposed;

    private long _ticks;
    private long _lateTicks;
    private long _skippedTicks;
    private long _faults;
    private long _maxLatenessUnits;

    public MediaClock(TimeProvider timeProvider, TimeSpan? period = null, TimeSpan? lateThreshold = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        Period = period ?? TimeSpan.FromMilliseconds(20);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Period, TimeSpan.Zero, nameof(period));
        LateThreshold = lateThreshold ?? TimeSpan.FromMilliseconds(5);
        _time = timeProvider;
        _periodUnits = ToUnits(Period);
        _lateThresholdUnits = ToUnits(LateThreshold);
        _timer = timeProvider.CreateTimer(static s => ((MediaClock)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public TimeSpan Period { get; }

    /// <summary>A tick delivered later than this after its deadline counts as late.</summary>
    public TimeSpan LateThreshold { get; }

    public MediaClockStats Stats
    {
        get
        {
            lock (_gate)
            {
                return new MediaClockStats(_ticks, _lateTicks, _skippedTicks, _faults, FromUnits(_maxLatenessUnits), _subscribers.Length);
            }
        }
    }

    /// <summary>Starts ticking: the first tick is due one period from now.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
            _start = _time.GetTimestamp();
            _nextIndex = 1;
            _timer.Change(Period, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Adds a subscriber; dispose the returned registration to remove it.</summary>
    public IDisposable Register(IMediaClockSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _subscribers = [.. _subscribers, subscriber];
        }

        return new Registration(this, subscriber);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _subscribers = [];
        }

        _timer.Dispose();
    }

    private void Unregister(IMediaClockSubscriber subscriber)
    {
        lock (_gate)
        {
            var current = _subscribers;
            var index = Array.IndexOf(current, subscriber);
            if (index < 0)
            {
                return;
            }

            var next = new IMediaClockSubscriber[current.Length - 1];
            current.AsSpan(0, index).CopyTo(next);
            current.AsSpan(index + 1).CopyTo(next.AsSpan(index));
            _subscribers = next;
        }
    }

    private void OnTimer()
    {
        var now = _time.GetTimestamp();
        long index;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            index = _nextIndex;
            var behind = ((now - _start) / _periodUnits) - index + 1;
            if (behind > MaxCatchUpTicks)
            {
                // A long stall: keep the newest deadlines, drop the rest (and count them).
                _skippedTicks += behind - MaxCatchUpTicks;
                index += behind - MaxCatchUpTicks;
            }
        }

        // Deliver every deadline that has passed; each keeps its own absolute deadline.
        while (true)
        {
            var deadline = _start + (index * _periodUnits);
            if (deadline > now)
            {
                break;
            }

            var lateness = now - deadline;
            Deliver(new MediaClockTick(index, FromUnits(index * _periodUnits), FromUnits(lateness)), lateness);
            index++;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _nextIndex = index;

            // The next deadline is absolute: start + index × period, however late this tick ran.
            var due = _start + (index * _periodUnits) - _time.GetTimestamp();
            _timer.Change(FromUnits(Math.Max(0, due)), Timeout.InfiniteTimeSpan);
        }
    }

    private void Deliver(in MediaClockTick tick, long latenessUnits)
    {
        var subscribers = _subscribers;
        long faults = 0;
        foreach (var subscriber in subscribers)
        {
            try
            {
                subscriber.OnTick(tick);
            }
            catch (Exception)
            {
                // One faulty call leg must not stop the clock for the others.
                faults++;
            }
        }

        lock (_gate)
        {
            _ticks++;
            _faults += faults;
            if (latenessUnits > _lateThresholdUnits)
            {
                _lateTicks++;
            }

            _maxLatenessUnits = Math.Max(_maxLatenessUnits, latenessUnits);
        }
    }

    private long ToUnits(TimeSpan span) => (long)Math.Round(span.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);

    private TimeSpan FromUnits(long units) => TimeSpan.FromTicks((long)Math.Round(units * (double)TimeSpan.TicksPerSecond / _time.TimestampFrequency));

    private sealed class Registration(MediaClock owner, IMediaClockSubscriber subscriber) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unregister(subscriber);
            }
        }
    }
}
