using System.Globalization;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Transactions;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>
/// The UAS side of RFC 3262 for one INVITE server transaction: 18x responses sent reliably with RSeq and
/// <c>Require: 100rel</c>, retransmitted until the matching PRACK, one outstanding at a time (§3).
/// </summary>
internal sealed class SipReliableProvisionals : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SipServerTransaction _tx;
    private readonly TimeProvider _time;
    private readonly SipTimers _timers;
    private readonly Action _gaveUp;
    private readonly Queue<SipMessageBuilder> _queued = new();
    private TaskCompletionSource _acknowledged = Completed();
    private SipMessageBuilder? _pending;
    private uint _pendingRSeq;
    private uint _nextRSeq;
    private ITimer? _retransmit;
    private TimeSpan _interval;
    private TimeSpan _elapsed;
    private bool _stopped;

    /// <param name="tx">The INVITE server transaction the responses belong to.</param>
    /// <param name="time">Clock of the retransmission timer.</param>
    /// <param name="timers">T1 of the retransmission schedule.</param>
    /// <param name="gaveUp">Called once when a response stayed unacknowledged for 64*T1 (§3: the INVITE is then refused 5xx).</param>
    public SipReliableProvisionals(SipServerTransaction tx, TimeProvider time, SipTimers timers, Action gaveUp)
    {
        _tx = tx;
        _time = time;
        _timers = timers;
        _gaveUp = gaveUp;

        // RFC 3262 §3: the first RSeq is chosen uniformly between 1 and 2**31 - 1.
        _nextRSeq = (uint)Random.Shared.Next(1, int.MaxValue);
    }

    /// <summary>Reliable 18x sent so far, retransmissions included.</summary>
    public int Transmissions { get; private set; }

    /// <summary>The RSeq of the response awaiting its PRACK, or 0.</summary>
    public uint PendingRSeq
    {
        get
        {
            lock (_gate)
            {
                return _pending is null ? 0 : _pendingRSeq;
            }
        }
    }

    /// <summary>Completes once every reliable provisional response sent so far was acknowledged (or the sender stopped).</summary>
    public Task Acknowledged
    {
        get
        {
            lock (_gate)
            {
                return _acknowledged.Task;
            }
        }
    }

    /// <summary>
    /// Sends a 101-199 response reliably, or queues it behind the one awaiting its PRACK (§3: a second reliable
    /// provisional response is not sent until the first is acknowledged).
    /// </summary>
    public void Send(SipMessageBuilder provisional)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            if (_pending is not null)
            {
                _queued.Enqueue(provisional);
                return;
            }

            StartLocked(provisional);
        }
    }

    /// <summary>
    /// RFC 3262 §3: a PRACK whose RAck names the pending response (its RSeq, the INVITE's CSeq number and method)
    /// stops its retransmissions. Returns false when it matches no unacknowledged response (answered 481).
    /// </summary>
    /// <param name="rack">The PRACK's RAck.</param>
    /// <param name="matched">Runs, on a match, before anything waiting for the acknowledgement is released (the PRACK's 200 goes out first).</param>
    public bool OnPrack(SipRAck rack, Action? matched = null)
    {
        lock (_gate)
        {
            var invite = _tx.Request.CSeq!.Value;
            if (_pending is null || rack.RSeq != _pendingRSeq || rack.CSeq != invite.Number
                || !string.Equals(rack.Method, invite.Method, StringComparison.Ordinal))
            {
                return false;
            }

            _pending = null;
            _retransmit?.Dispose();
            _retransmit = null;
            matched?.Invoke();
            if (_queued.TryDequeue(out var next) && !_stopped)
            {
                StartLocked(next);
            }
            else
            {
                _acknowledged.TrySetResult();
            }

            return true;
        }
    }

    /// <summary>The final response went out (or the call ended): no more retransmissions (§3).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            _pending = null;
            _queued.Clear();
            _retransmit?.Dispose();
            _retransmit = null;
            _acknowledged.TrySetResult();
        }
    }

    public void Dispose() => Stop();

    private void StartLocked(SipMessageBuilder provisional)
    {
        // RFC 3262 §3: each reliable provisional response carries Require: 100rel and an RSeq one higher than the last.
        _pendingRSeq = _nextRSeq++;
        provisional.Add(SipHeaderNames.Require, "100rel").Add("RSeq", _pendingRSeq.ToString(CultureInfo.InvariantCulture));
        _pending = provisional;
        if (_acknowledged.Task.IsCompleted)
        {
            _acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Transmissions++;
        _tx.Respond(provisional);

        // §3: retransmitted at T1, doubling each time (not capped at T2 as Timer G is), for 64*T1 in all.
        _interval = _timers.T1;
        _elapsed = TimeSpan.Zero;
        _retransmit = _time.CreateTimer(static s => ((SipReliableProvisionals)s!).OnRetransmit(), this, _interval, Timeout.InfiniteTimeSpan);
    }

    private void OnRetransmit()
    {
        lock (_gate)
        {
            if (_pending is null || _stopped)
            {
                return;
            }

            _elapsed += _interval;
            if (_elapsed >= _timers.Timeout64T1)
            {
                _stopped = true;
                _pending = null;
                _retransmit?.Dispose();
                _retransmit = null;
            }
            else
            {
                Transmissions++;
                _tx.Respond(_pending);
                _interval = TimeSpan.FromTicks(Math.Min((_interval * 2).Ticks, (_timers.Timeout64T1 - _elapsed).Ticks));
                _retransmit?.Change(_interval, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        _gaveUp();
        lock (_gate)
        {
            _acknowledged.TrySetResult();
        }
    }

    private static TaskCompletionSource Completed()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }
}
