using System.Threading.Tasks.Sources;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>
/// An auto-reset signal with one waiter whose wait allocates nothing: a long-running loop awaits
/// <see cref="WaitAsync"/> and producers call <see cref="Set"/>. <see cref="Close"/> wakes the waiter
/// for good (the wait then returns false). Continuations run on the thread pool, so a producer never
/// runs the consumer's code inline.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource<bool>
{
    private readonly Lock _gate = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private bool _signaled;
    private bool _waiting;
    private bool _closed;

    /// <summary>True once <see cref="Close"/> has run.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>Completes with true when signalled, false when closed. Only one wait may be outstanding.</summary>
    public ValueTask<bool> WaitAsync()
    {
        lock (_gate)
        {
            if (_signaled)
            {
                _signaled = false;
                return new ValueTask<bool>(true);
            }

            if (_closed)
            {
                return new ValueTask<bool>(false);
            }

            if (_waiting)
            {
                throw new InvalidOperationException("AsyncSignal supports one waiter at a time.");
            }

            _core.Reset();
            _waiting = true;
            return new ValueTask<bool>(this, _core.Version);
        }
    }

    /// <summary>Wakes the waiter, or lets the next wait complete at once.</summary>
    public void Set()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            if (!_waiting)
            {
                _signaled = true;
                return;
            }

            _waiting = false;
        }

        _core.SetResult(true);
    }

    /// <summary>Wakes the waiter with false; every later wait returns false at once (after a pending signal is consumed).</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            if (!_waiting)
            {
                return;
            }

            _waiting = false;
        }

        _core.SetResult(false);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
