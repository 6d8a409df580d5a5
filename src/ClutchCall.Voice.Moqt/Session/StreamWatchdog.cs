using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>
/// One timer per session that notices a peer stalling mid-message: a control message left half-sent past
/// CONTROL_MESSAGE_TIMEOUT or a data stream left mid-object past DATA_STREAM_TIMEOUT closes the session with
/// that code (draft-ietf-moq-transport-14 §3.4). Readers only flip flags; nothing is allocated per object.
/// </summary>
internal sealed class StreamWatchdog : IDisposable
{
    private readonly MoqtSession _session;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<DataStreamProgress> _streams = [];
    private ITimer? _timer;
    private long _controlPartialSince = -1;

    public StreamWatchdog(MoqtSession session, TimeProvider time)
    {
        _session = session;
        _time = time;
    }

    public void Start()
    {
        var shortest = _session.Options.ControlMessageTimeout < _session.Options.DataStreamTimeout
            ? _session.Options.ControlMessageTimeout
            : _session.Options.DataStreamTimeout;
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 50, shortest.Ticks / 4));
        _timer = _time.CreateTimer(static s => ((StreamWatchdog)s!).Check(), this, period, period);
    }

    /// <summary>The control stream holds part of a message (true) or sits on a message boundary (false).</summary>
    public void SetControlPartial(bool partial)
    {
        if (!partial)
        {
            Volatile.Write(ref _controlPartialSince, -1);
        }
        else if (Volatile.Read(ref _controlPartialSince) < 0)
        {
            Volatile.Write(ref _controlPartialSince, _time.GetTimestamp());
        }
    }

    /// <summary>Tracks a data stream until the returned handle is disposed.</summary>
    public DataStreamProgress Register()
    {
        var p = new DataStreamProgress(this);
        lock (_gate)
        {
            _streams.Add(p);
        }

        return p;
    }

    public void Dispose()
    {
        _timer?.Dispose();
    }

    internal void Unregister(DataStreamProgress p)
    {
        lock (_gate)
        {
            _streams.Remove(p);
        }
    }

    internal long Now() => _time.GetTimestamp();

    /// <summary>Closes the session from a timer callback; a failure to close is observed, never left unobserved.</summary>
    private void CloseInBackground(MoqtSessionErrorCode code, string reason) =>
        _ = _session.CloseAsync(code, reason).AsTask().ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private void Check()
    {
        var now = _time.GetTimestamp();
        var control = Volatile.Read(ref _controlPartialSince);
        if (control >= 0 && _time.GetElapsedTime(control, now) > _session.Options.ControlMessageTimeout)
        {
            CloseInBackground(MoqtSessionErrorCode.ControlMessageTimeout, "A control message stalled half-sent.");
            return;
        }

        lock (_gate)
        {
            foreach (var s in _streams)
            {
                var since = s.PartialSince;
                if (since >= 0 && _time.GetElapsedTime(since, now) > _session.Options.DataStreamTimeout)
                {
                    CloseInBackground(MoqtSessionErrorCode.DataStreamTimeout, "A data stream stalled mid-object.");
                    return;
                }
            }
        }
    }
}

/// <summary>Progress flag of one data stream for <see cref="StreamWatchdog"/>.</summary>
internal sealed class DataStreamProgress(StreamWatchdog owner) : IDisposable
{
    private long _partialSince = -1;

    /// <summary>Timestamp since which the stream holds a partial object, or -1.</summary>
    public long PartialSince => Volatile.Read(ref _partialSince);

    /// <summary>Records whether the reader is waiting inside an object (or header).</summary>
    public void SetPartial(bool partial)
    {
        if (!partial)
        {
            Volatile.Write(ref _partialSince, -1);
        }
        else if (Volatile.Read(ref _partialSince) < 0)
        {
            Volatile.Write(ref _partialSince, owner.Now());
        }
    }

    public void Dispose() => owner.Unregister(this);
}
