using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Session;

namespace ClutchCall.Voice.Relay.Fanout;

/// <summary>
/// One subscriber's bounded queue of shared <see cref="RelayObject"/> references. The track's fan-out
/// enqueues (taking a reference), the subscriber's sender loop waits on <see cref="WaitAsync"/> and
/// dequeues (owning that reference until it calls <see cref="RelayObject.Release"/>). Stale objects are
/// dropped on both sides and the ring never grows: this is the audio delivery profile
/// (draft-ietf-moq-transport-14 §7 leaves drop policy to the relay; issue 3 fixes it for audio).
/// </summary>
internal sealed class SubscriberQueue
{
    private readonly RelayObject?[] _ring;
    private readonly Lock _gate = new();
    private readonly AsyncSignal _signal = new();
    private readonly TimeProvider _time;
    private readonly long _timeoutTimestampTicks;
    private int _head;
    private int _count;
    private bool _closed;
    private long _staleDropped;
    private long _overflowDropped;
    private long _enqueued;

    public SubscriberQueue(DeliveryProfile profile, TimeProvider time, Location start = default, ulong endGroupInclusive = ulong.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(profile.QueueCapacity, 1);
        _ring = new RelayObject?[profile.QueueCapacity];
        _time = time;
        _timeoutTimestampTicks = (long)(profile.DeliveryTimeout.TotalSeconds * time.TimestampFrequency);
        Start = start;
        EndGroupInclusive = endGroupInclusive;
    }

    /// <summary>First location this subscriber wants (subscription filter).</summary>
    public Location Start { get; set; }

    /// <summary>Last group this subscriber wants (absolute-range filter); <see cref="ulong.MaxValue"/> when open.</summary>
    public ulong EndGroupInclusive { get; set; }

    /// <summary>Set when the track ended for this subscriber (publisher done, unsubscribe, session gone).</summary>
    public TrackEndReason EndReason { get; private set; }

    /// <summary>Objects dropped because they aged past the delivery timeout.</summary>
    public long StaleDropped => Interlocked.Read(ref _staleDropped);

    /// <summary>Objects dropped because the queue was full.</summary>
    public long OverflowDropped => Interlocked.Read(ref _overflowDropped);

    /// <summary>Objects accepted into the queue.</summary>
    public long Enqueued => Interlocked.Read(ref _enqueued);

    /// <summary>Objects queued right now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>True once the queue was completed.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>
    /// Offers a shared object. When the subscriber wants it, the queue takes its own reference; the
    /// caller keeps its reference either way. Returns true when queued.
    /// </summary>
    public bool Offer(RelayObject obj)
    {
        var location = obj.Location;
        if (location < Start || location.Group > EndGroupInclusive)
        {
            return false;
        }

        var now = _time.GetTimestamp();
        RelayObject? overflow = null;
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            DropStaleLocked(now);
            if (_count == _ring.Length)
            {
                overflow = _ring[_head];
                _ring[_head] = null;
                _head = (_head + 1) % _ring.Length;
                _count--;
                _overflowDropped++;
            }

            obj.AddRef();
            _ring[(_head + _count) % _ring.Length] = obj;
            _count++;
            _enqueued++;
        }

        overflow?.Release();
        _signal.Set();
        return true;
    }

    /// <summary>
    /// Takes the oldest fresh object; stale ones on the way are dropped. The caller owns one reference
    /// to the returned object and must release it.
    /// </summary>
    public bool TryDequeue(out RelayObject obj)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            DropStaleLocked(now);
            if (_count == 0)
            {
                obj = null!;
                return false;
            }

            obj = _ring[_head]!;
            _ring[_head] = null;
            _head = (_head + 1) % _ring.Length;
            _count--;
            return true;
        }
    }

    /// <summary>Completes with true when objects may be ready, false once completed and drained.</summary>
    public ValueTask<bool> WaitAsync() => _signal.WaitAsync();

    /// <summary>Ends the queue: queued objects are released and the waiter wakes with false.</summary>
    public void Complete(TrackEndReason reason)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            EndReason = reason;
            while (_count > 0)
            {
                _ring[_head]!.Release();
                _ring[_head] = null;
                _head = (_head + 1) % _ring.Length;
                _count--;
            }
        }

        _signal.Close();
    }

    private void DropStaleLocked(long now)
    {
        while (_count > 0)
        {
            var oldest = _ring[_head]!;
            if (now - oldest.ArrivalTimestamp <= _timeoutTimestampTicks)
            {
                return;
            }

            _ring[_head] = null;
            _head = (_head + 1) % _ring.Length;
            _count--;
            _staleDropped++;
            oldest.Release();
        }
    }
}
