using System.Net;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Transport;

namespace ClutchCall.Voice.Sip.Transactions;

/// <summary>
/// A server transaction: INVITE (RFC 3261 §17.2.1, timers G, H, I; 2xx retransmission per §13.3.1.4
/// in the Accepted state of RFC 6026) or non-INVITE (§17.2.2, timer J).
/// </summary>
internal sealed class SipServerTransaction : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SipTransport _transport;
    private readonly TimeProvider _time;
    private readonly SipTimers _timers;
    private readonly Action<SipServerTransaction> _onTerminated;
    private byte[]? _lastResponse;
    private ITimer? _retransmit;
    private ITimer? _timeout;
    private TimeSpan _interval;

    internal SipServerTransaction(SipMessage request, string key, IPEndPoint remote, SipTransport transport, TimeProvider time, SipTimers timers, Action<SipServerTransaction> onTerminated)
    {
        Request = request;
        Key = key;
        Remote = remote;
        _transport = transport;
        _time = time;
        _timers = timers;
        _onTerminated = onTerminated;
        IsInvite = request.Method == "INVITE";
        State = IsInvite ? SipTransactionState.Proceeding : SipTransactionState.Trying;
    }

    public SipMessage Request { get; }

    public string Key { get; }

    public IPEndPoint Remote { get; }

    public bool IsInvite { get; }

    public SipTransactionState State { get; private set; }

    public int ResponseTransmissions { get; private set; }

    /// <summary>Raised when a CANCEL matched this INVITE (RFC 3261 §9.2); the TU then answers 487.</summary>
    public event Action<SipServerTransaction>? Cancelled;

    /// <summary>Raised when the ACK for a 2xx (or non-2xx) arrives.</summary>
    public event Action<SipMessage>? AckReceived;

    /// <summary>Raised when timer H (or the 2xx give-up timer) fires without an ACK.</summary>
    public event Action<SipServerTransaction>? AckTimedOut;

    public string? ToTag { get; } = SipResponseFactory.NewTag();

    /// <summary>Sends a response built by the TU and runs the state machine for it.</summary>
    public void Respond(SipMessageBuilder response)
    {
        lock (_gate)
        {
            if (State is SipTransactionState.Completed or SipTransactionState.Confirmed or SipTransactionState.Terminated or SipTransactionState.Accepted)
            {
                return;
            }

            var code = response.StatusCode;
            _lastResponse = response.ToArray();
            Send();
            if (code < 200)
            {
                State = SipTransactionState.Proceeding;
                return;
            }

            if (IsInvite && code < 300)
            {
                // RFC 6026 §7.1 / RFC 3261 §13.3.1.4: the 2xx is retransmitted (T1 doubling to T2) until the ACK, for 64*T1.
                State = SipTransactionState.Accepted;
                StartRetransmit();
                _timeout = _time.CreateTimer(_ => OnAckTimeout(), null, _timers.Timeout64T1, Timeout.InfiniteTimeSpan);
                return;
            }

            State = SipTransactionState.Completed;
            if (IsInvite)
            {
                // §17.2.1: Timer G (unreliable only) retransmits; Timer H bounds the wait for the ACK.
                StartRetransmit();
                _timeout = _time.CreateTimer(_ => OnAckTimeout(), null, _timers.Timeout64T1, Timeout.InfiniteTimeSpan);
            }
            else
            {
                // §17.2.2: Timer J = 64*T1 on unreliable transports, zero on reliable ones. Zero means now, not
                // "soon": a request reusing the branch right after this response must open a new transaction.
                if (_transport.IsReliable)
                {
                    TerminateLocked();
                }
                else
                {
                    _timeout = _time.CreateTimer(_ => Terminate(), null, _timers.Timeout64T1, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    /// <summary>Creates a response to this transaction's request with the transaction's To tag.</summary>
    public SipMessageBuilder CreateResponse(int code, string reason) => SipResponseFactory.Create(Request, code, reason, ToTag);

    private void StartRetransmit()
    {
        if (_transport.IsReliable)
        {
            return;
        }

        _interval = _timers.T1;
        _retransmit = _time.CreateTimer(_ => OnRetransmit(), null, _interval, Timeout.InfiniteTimeSpan);
    }

    private void Send()
    {
        ResponseTransmissions++;
        _transport.Send(_lastResponse!, SipTransport.ResponseTarget(Request, Remote));
    }

    private void OnRetransmit()
    {
        lock (_gate)
        {
            if (State is SipTransactionState.Completed or SipTransactionState.Accepted)
            {
                Send();
                // Timer G: min(2*previous, T2).
                _interval = TimeSpan.FromTicks(Math.Min((_interval * 2).Ticks, _timers.T2.Ticks));
                _retransmit?.Change(_interval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnAckTimeout()
    {
        Action<SipServerTransaction>? handler;
        lock (_gate)
        {
            if (State is not (SipTransactionState.Completed or SipTransactionState.Accepted))
            {
                return;
            }

            handler = AckTimedOut;
            TerminateLocked();
        }

        handler?.Invoke(this);
    }

    /// <summary>A retransmission of the request: §17.2.1/§17.2.2 resend the last response.</summary>
    internal void OnRetransmittedRequest()
    {
        lock (_gate)
        {
            if (_lastResponse is not null && State is SipTransactionState.Proceeding or SipTransactionState.Completed or SipTransactionState.Accepted)
            {
                Send();
            }
        }
    }

    internal void OnAck(SipMessage ack)
    {
        Action<SipMessage>? handler = null;
        lock (_gate)
        {
            if (State == SipTransactionState.Completed)
            {
                // §17.2.1: Confirmed; Timer I = T4 on unreliable transports, zero on reliable ones.
                State = SipTransactionState.Confirmed;
                _retransmit?.Dispose();
                _timeout?.Dispose();
                handler = AckReceived;
                if (_transport.IsReliable)
                {
                    TerminateLocked();
                }
                else
                {
                    _timeout = _time.CreateTimer(_ => Terminate(), null, _timers.T4, Timeout.InfiniteTimeSpan);
                }
            }
            else if (State == SipTransactionState.Accepted)
            {
                handler = AckReceived;
                TerminateLocked();
            }
        }

        handler?.Invoke(ack);
    }

    internal void OnCancel() => Cancelled?.Invoke(this);

    private void Terminate()
    {
        lock (_gate)
        {
            TerminateLocked();
        }
    }

    private void TerminateLocked()
    {
        if (State == SipTransactionState.Terminated)
        {
            return;
        }

        State = SipTransactionState.Terminated;
        _retransmit?.Dispose();
        _timeout?.Dispose();
        _onTerminated(this);
    }

    public void Dispose() => Terminate();
}
