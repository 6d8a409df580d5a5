using System.Net;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Transport;

namespace ClutchCall.Voice.Sip.Transactions;

/// <summary>
/// A client transaction: INVITE (RFC 3261 §17.1.1, timers A, B, D) or non-INVITE (§17.1.2, timers E, F, K).
/// </summary>
internal sealed class SipClientTransaction : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SipTransport _transport;
    private readonly TimeProvider _time;
    private readonly SipTimers _timers;
    private readonly byte[] _wire;
    private readonly TaskCompletionSource<SipMessage> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<SipClientTransaction> _onTerminated;
    private ITimer? _retransmit;
    private ITimer? _timeout;
    private TimeSpan _interval;
    private byte[]? _ack;

    internal SipClientTransaction(SipMessage request, byte[] wire, IPEndPoint destination, SipTransport transport, TimeProvider time, SipTimers timers, Action<SipClientTransaction> onTerminated)
    {
        Request = request;
        _wire = wire;
        Destination = destination;
        _transport = transport;
        _time = time;
        _timers = timers;
        _onTerminated = onTerminated;
        IsInvite = request.Method == "INVITE";
        Key = KeyOf(request.TopVia!.Branch!, request.Method);
        State = IsInvite ? SipTransactionState.Calling : SipTransactionState.Trying;
    }

    public SipMessage Request { get; }

    public IPEndPoint Destination { get; }

    public bool IsInvite { get; }

    public string Key { get; }

    public SipTransactionState State { get; private set; }

    /// <summary>Every request transmission, first one included.</summary>
    public int Transmissions { get; private set; }

    /// <summary>Raised for each provisional response.</summary>
    public event Action<SipMessage>? Provisional;

    /// <summary>
    /// The highest provisional status received (0 for none). Lets a caller that subscribes to
    /// <see cref="Provisional"/> after sending still learn about a 1xx that arrived first.
    /// </summary>
    public int HighestProvisionalStatus { get; private set; }

    /// <summary>The final response; a synthesized 408 on timer B/F (§17.1.1.2, §17.1.2.2), 503 on a transport error.</summary>
    public Task<SipMessage> FinalResponse => _final.Task;

    /// <summary>RFC 3261 §17.1.3: responses match by the top Via branch and the CSeq method.</summary>
    public static string KeyOf(string branch, string method) => branch + "|" + (method == "ACK" ? "INVITE" : method);

    internal void Start()
    {
        lock (_gate)
        {
            SendRequest();
            if (!_transport.IsReliable)
            {
                // Timer A (INVITE) / Timer E (non-INVITE) start at T1.
                _interval = _timers.T1;
                _retransmit = _time.CreateTimer(_ => OnRetransmit(), null, _interval, Timeout.InfiniteTimeSpan);
            }

            // Timer B / Timer F: 64*T1.
            _timeout = _time.CreateTimer(_ => OnTimeout(), null, _timers.Timeout64T1, Timeout.InfiniteTimeSpan);
        }
    }

    private void SendRequest()
    {
        Transmissions++;
        _transport.Send(_wire, Destination);
    }

    private void OnRetransmit()
    {
        lock (_gate)
        {
            if (State is SipTransactionState.Calling or SipTransactionState.Trying || (!IsInvite && State == SipTransactionState.Proceeding))
            {
                SendRequest();
                // §17.1.1.2 Timer A doubles each time; §17.1.2.2 Timer E doubles up to T2, and is T2 in Proceeding.
                _interval = IsInvite ? _interval * 2
                    : State == SipTransactionState.Proceeding ? _timers.T2 : TimeSpan.FromTicks(Math.Min((_interval * 2).Ticks, _timers.T2.Ticks));
                _retransmit?.Change(_interval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnTimeout()
    {
        lock (_gate)
        {
            if (State is SipTransactionState.Calling or SipTransactionState.Trying or SipTransactionState.Proceeding)
            {
                var timeout = SipResponseFactory.Create(Request, 408, "Request Timeout").Build();
                TerminateLocked();
                _final.TrySetResult(timeout);
            }
        }
    }

    internal void OnResponse(SipMessage response)
    {
        Action<SipMessage>? provisional = null;
        lock (_gate)
        {
            var code = response.StatusCode;
            switch (State)
            {
                case SipTransactionState.Calling or SipTransactionState.Trying or SipTransactionState.Proceeding when code < 200:
                    if (IsInvite)
                    {
                        // §17.1.1.2: Proceeding stops Timer A, and Timer B only acts in Calling; the ring
                        // timeout is the TU's (Timer C is for proxies). Non-INVITE keeps Timer E running,
                        // reset to T2 when it next fires (§17.1.2.2).
                        _retransmit?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                        _timeout?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    }

                    State = SipTransactionState.Proceeding;
                    HighestProvisionalStatus = Math.Max(HighestProvisionalStatus, code);
                    provisional = Provisional;
                    break;
                case SipTransactionState.Calling or SipTransactionState.Trying or SipTransactionState.Proceeding:
                    _retransmit?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    _timeout?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                    if (IsInvite && code < 300)
                    {
                        // §17.1.1.2: a 2xx terminates the transaction; the TU sends the ACK (§13.2.2.4).
                        TerminateLocked();
                    }
                    else
                    {
                        if (IsInvite)
                        {
                            // §17.1.1.3: the transaction ACKs a non-2xx final response itself.
                            _ack = BuildAck(response);
                            _transport.Send(_ack, Destination);
                        }

                        // Timer D (INVITE, 32 s on UDP) / Timer K (non-INVITE, T4 on UDP); zero on reliable transports.
                        State = SipTransactionState.Completed;
                        var wait = _transport.IsReliable ? TimeSpan.Zero : IsInvite ? _timers.D : _timers.T4;
                        _timeout = _time.CreateTimer(_ => Terminate(), null, wait, Timeout.InfiniteTimeSpan);
                    }

                    _final.TrySetResult(response);
                    break;
                case SipTransactionState.Completed when IsInvite && code >= 300 && _ack is not null:
                    // §17.1.1.2: a retransmitted final response is ACKed again.
                    _transport.Send(_ack, Destination);
                    break;
            }
        }

        provisional?.Invoke(response);
    }

    /// <summary>Fails the transaction on a transport error (§17.1.4): the TU sees a 503.</summary>
    internal void OnTransportError()
    {
        lock (_gate)
        {
            if (State is not (SipTransactionState.Completed or SipTransactionState.Terminated))
            {
                TerminateLocked();
                _final.TrySetResult(SipResponseFactory.Create(Request, 503, "Service Unavailable").Build());
            }
        }
    }

    /// <summary>
    /// RFC 3261 §17.1.1.3: the ACK for a non-2xx carries the request's Request-URI, Call-ID, From,
    /// CSeq number, top Via and Route, and the response's To (with its tag).
    /// </summary>
    private byte[] BuildAck(SipMessage response)
    {
        var ack = SipMessageBuilder.Request("ACK", Request.RequestUriText);
        ack.Add(SipHeaderNames.Via, Request.Headers.First(h => h.Name == SipHeaderNames.Via).Value.Split(',')[0].Trim());
        ack.Add(SipHeaderNames.MaxForwards, "70");
        foreach (var h in Request.Headers)
        {
            if (h.Name is SipHeaderNames.From or SipHeaderNames.CallId or SipHeaderNames.Route)
            {
                ack.Add(h.Name, h.RawValue);
            }
        }

        ack.Add(SipHeaderNames.To, response.GetHeader(SipHeaderNames.To)!);
        ack.Add(SipHeaderNames.CSeq, Request.CSeq!.Value.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ACK");
        return ack.ToArray();
    }

    /// <summary>RFC 3261 §9.1: a CANCEL copies Request-URI, Call-ID, To, From, the CSeq number and the top Via.</summary>
    public SipMessageBuilder CreateCancel()
    {
        var cancel = SipMessageBuilder.Request("CANCEL", Request.RequestUriText);
        cancel.Add(SipHeaderNames.Via, Request.Headers.First(h => h.Name == SipHeaderNames.Via).Value.Split(',')[0].Trim());
        cancel.Add(SipHeaderNames.MaxForwards, "70");
        foreach (var h in Request.Headers)
        {
            if (h.Name is SipHeaderNames.From or SipHeaderNames.To or SipHeaderNames.CallId or SipHeaderNames.Route)
            {
                cancel.Add(h.Name, h.RawValue);
            }
        }

        cancel.Add(SipHeaderNames.CSeq, Request.CSeq!.Value.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) + " CANCEL");
        return cancel;
    }

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
