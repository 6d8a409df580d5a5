using System.Globalization;
using System.Net;
using ClutchCall.Voice.Sip.Dialogs;
using ClutchCall.Voice.Sip.Dtmf;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Sdp;
using ClutchCall.Voice.Sip.Transactions;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>
/// One call of a <see cref="SipUserAgent"/>, outbound (UAC, <see cref="SipOutboundInvite"/>) or inbound (UAS):
/// its dialog (RFC 3261 §12), media leg, in-dialog requests both ways (BYE, re-INVITE/UPDATE hold and
/// resume, INFO digits, OPTIONS, REFER/NOTIFY) and how it ended.
/// </summary>
internal sealed class SipCall : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<SipCallEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ulong _sdpSessionId = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
    private ulong _sdpVersion = 1;
    private RtpMediaSession? _media;
    private IReadOnlyList<SdesCryptoAttribute>? _sdesOffer;
    private bool _mediaStarted;
    private SipOutboundInvite? _outbound;
    private SipServerTransaction? _inviteTx;
    private SdpSession? _remoteOffer;
    private (uint CSeq, byte[] Wire, IPEndPoint To)? _lastAck;
    private TaskCompletionSource<int>? _transferResult;
    private ITimer? _sessionTimer;

    private SipCall(SipUserAgent ua, SipTrunkOptions? trunk, string callId, bool outbound, string localParty, string remoteParty)
    {
        Agent = ua;
        Trunk = trunk;
        CallId = callId;
        IsOutbound = outbound;
        LocalParty = localParty;
        RemoteParty = remoteParty;
    }

    internal SipUserAgent Agent { get; }

    public SipTrunkOptions? Trunk { get; }

    public string CallId { get; }

    public bool IsOutbound { get; }

    /// <summary>Our number (caller ID when outbound, the dialled DID when inbound).</summary>
    public string LocalParty { get; }

    /// <summary>The far end's number (callee when outbound, caller ID when inbound).</summary>
    public string RemoteParty { get; }

    public SipCallState State { get; private set; } = SipCallState.Trying;

    public SipDialog? Dialog { get; private set; }

    /// <summary>The media leg once SDP was exchanged (early media included), else null.</summary>
    public ISipCallMedia? Media => _mediaStarted ? _media : null;

    internal RtpMediaSession? MediaSession => _media;

    /// <summary>True once a 183 (or 180) with SDP started media before the answer.</summary>
    public bool HasEarlyMedia { get; private set; }

    /// <summary>True while the far end holds the call (its last offer was sendonly/inactive).</summary>
    public bool RemoteHold { get; private set; }

    /// <summary>True while we hold the call.</summary>
    public bool LocalHold { get; private set; }

    /// <summary>Negotiated session interval (RFC 4028), or null when the call has no session timer.</summary>
    public TimeSpan? SessionInterval { get; private set; }

    public SipCallEnd? EndInfo => _ended.Task.IsCompleted ? _ended.Task.Result : null;

    /// <summary>Completes when the call ends, however it ends.</summary>
    public Task<SipCallEnd> Completion => _ended.Task;

    /// <summary>180/183 arrived (outbound) or was sent (inbound); the flag says whether early media flows.</summary>
    public event Action<SipCall, bool>? Ringing;

    /// <summary>The call was answered (2xx ACKed for outbound; 2xx sent for inbound).</summary>
    public event Action<SipCall>? Answered;

    /// <summary>The far end put the call on hold (true) or resumed it (false).</summary>
    public event Action<SipCall, bool>? HoldChanged;

    public event Action<SipCall, SipCallEnd>? Ended;

    internal static SipCall CreateOutbound(SipUserAgent ua, SipTrunkOptions trunk, SipCallRequest request)
    {
        var from = request.From ?? trunk.DefaultCallerId ?? trunk.Username ?? "anonymous";
        var call = new SipCall(ua, trunk, SipResponseFactory.NewCallId(ua.Host), outbound: true, from, request.To);
        call._outbound = new SipOutboundInvite(call, request, from);
        return call;
    }

    internal static SipCall CreateInbound(SipUserAgent ua, SipTrunkOptions? trunk, SipServerTransaction tx, string dialed, string caller) =>
        new(ua, trunk, tx.Request.CallId!, outbound: false, dialed, caller) { _inviteTx = tx };

    internal void Start()
    {
        try
        {
            _media = Agent.CreateMedia();
        }
        catch (InvalidOperationException e)
        {
            End(SipCallOutcome.Failed, 503, e.Message, byRemote: false);
            return;
        }

        _ = _outbound!.RunAsync();
    }

    internal SdpMediaOptions LocalSdp(SdpDirection direction) => new()
    {
        Address = Agent.Host,
        Port = _media!.LocalPort,
        Codecs = Trunk?.ParseCodecs() ?? [SdpCodec.Pcmu, SdpCodec.Pcma],
        Direction = direction,
        SessionId = _sdpSessionId,
        SessionVersion = Interlocked.Increment(ref _sdpVersion),
        Srtp = SrtpPolicy,
        SdesOffer = SrtpPolicy == SrtpPolicy.Off ? null : _sdesOffer ??= SdesNegotiation.CreateOfferKeys(),
    };

    /// <summary>The trunk's SRTP policy; calls from unknown sources accept SDES when offered (best effort).</summary>
    internal SrtpPolicy SrtpPolicy => Trunk?.SrtpPolicy ?? SrtpPolicy.Optional;

    internal void ApplyNegotiation(SdpNegotiation negotiation)
    {
        _media!.Configure(negotiation);
        lock (_gate)
        {
            if (_mediaStarted || State == SipCallState.Ended)
            {
                return;
            }

            _mediaStarted = true;
        }

        _media.Start(Agent.Clock);
    }

    internal void MarkRinging(bool earlyMedia)
    {
        lock (_gate)
        {
            if (State is SipCallState.Answered or SipCallState.Ended)
            {
                return;
            }

            var first = State == SipCallState.Trying || (earlyMedia && !HasEarlyMedia);
            State = SipCallState.Ringing;
            HasEarlyMedia |= earlyMedia;
            if (!first)
            {
                return;
            }
        }

        Ringing?.Invoke(this, earlyMedia);
    }

    internal void MarkAnswered(SipDialog dialog)
    {
        lock (_gate)
        {
            if (State == SipCallState.Ended)
            {
                return;
            }

            Dialog = dialog;
            State = SipCallState.Answered;
        }

        Answered?.Invoke(this);
    }

    internal void RememberAck(uint cseq, byte[] wire, IPEndPoint to) => _lastAck = (cseq, wire, to);

    /// <summary>RFC 3261 §13.2.2.4: a retransmitted 2xx is answered with the same ACK.</summary>
    internal void OnStrayResponse(SipMessage response)
    {
        if (response.StatusCode is >= 200 and < 300 && response.Method == "INVITE" && _lastAck is { } ack && response.CSeq?.Number == ack.CSeq)
        {
            Agent.SendStateless(ack.Wire, ack.To);
        }
    }

    /// <summary>Ends the call from our side: CANCEL before an answer, BYE after, a 480 to an unanswered inbound call.</summary>
    public async ValueTask HangupAsync(CancellationToken cancellationToken)
    {
        SipCallState state;
        lock (_gate)
        {
            state = State;
        }

        switch (state)
        {
            case SipCallState.Ended:
                return;
            case SipCallState.Answered:
                await SendByeAsync(cancellationToken).ConfigureAwait(false);
                End(SipCallOutcome.Completed, 0, "hung up locally", byRemote: false);
                return;
            default:
                if (IsOutbound)
                {
                    _outbound!.Cancel(SipCallOutcome.NoAnswer, "cancelled by caller");
                    await ((Task)_ended.Task).WaitAsync(TimeSpan.FromSeconds(10), Agent.Time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    End(SipCallOutcome.NoAnswer, 487, "cancelled by caller", byRemote: false);
                }
                else
                {
                    await RejectAsync(480, SipReasonPhrases.For(480)).ConfigureAwait(false);
                }

                return;
        }
    }

    private async Task SendByeAsync(CancellationToken ct)
    {
        if (Dialog is not { } d)
        {
            return;
        }

        try
        {
            var to = await Agent.ResolveAsync(d.NextHop(), ct).ConfigureAwait(false);
            await Agent.SendWithAuthAsync(() => d.CreateRequest("BYE", d.NextCSeq(), Agent.NewVia(to), Agent.Contact(LocalParty, to)).Add(SipHeaderNames.UserAgent, Agent.Options.Product),
                to, SipUserAgent.CredentialsOf(Trunk), ct).ConfigureAwait(false);
        }
        catch (SipException)
        {
            // Unreachable far end: the call ends locally all the same (RFC 3261 §15.1.1).
        }
    }

    // ---- inbound (UAS) ----

    /// <summary>
    /// Checks the offer and rings: 100 Trying was sent by the transaction layer, 180 goes out now
    /// (RFC 3261 §13.3.1.1). An INVITE without an offer or without a common codec gets 488.
    /// </summary>
    internal bool BeginInbound()
    {
        var tx = _inviteTx!;
        var request = tx.Request;
        if (request.ContentType is not { } ct || !ct.StartsWith("application/sdp", StringComparison.OrdinalIgnoreCase)
            || !SdpParser.TryParse(request.Body.Span, out var offer, out _))
        {
            RespondAndEnd(tx, 488, "Not Acceptable Here", "INVITE without an SDP offer");
            return false;
        }

        try
        {
            _media = Agent.CreateMedia();
        }
        catch (InvalidOperationException e)
        {
            RespondAndEnd(tx, 503, SipReasonPhrases.For(503), e.Message);
            return false;
        }

        SdpOfferAnswer.CreateAnswer(offer!, LocalSdp(SdpDirection.SendRecv), out var check);
        if (check is null && SrtpPolicy == SrtpPolicy.Required)
        {
            // RFC 4568 §7.1.2: a trunk that requires SRTP refuses an offer without a usable a=crypto line.
            RespondAndEnd(tx, 488, "Not Acceptable Here", "SRTP required: the offer has no usable SDES a=crypto line (RFC 4568) or no codec in common");
            return false;
        }

        if (check is null)
        {
            RespondAndEnd(tx, 488, "Not Acceptable Here", "no codec in common with the offer");
            return false;
        }

        _remoteOffer = offer;
        Dialog = SipDialog.FromUasRequest(request, tx.ToTag!);
        tx.Cancelled += _ =>
        {
            // RFC 3261 §9.2: the INVITE is answered 487 once the CANCEL is accepted.
            tx.Respond(tx.CreateResponse(487, SipReasonPhrases.For(487)));
            End(SipCallOutcome.NoAnswer, 487, "caller cancelled", byRemote: true);
        };
        tx.AckTimedOut += timedOut =>
        {
            if (State == SipCallState.Answered)
            {
                _ = Task.Run(() => SendByeAsync(CancellationToken.None));
                End(SipCallOutcome.Failed, 408, "no ACK for the 200 OK", byRemote: false);
            }
        };
        tx.Respond(tx.CreateResponse(180, "Ringing").Add(SipHeaderNames.Contact, Agent.Contact(LocalParty, tx.Remote)));
        MarkRinging(earlyMedia: false);
        return true;
    }

    /// <summary>Answers an inbound call: 200 OK with the SDP answer (RFC 3264 §6), media starts.</summary>
    public ValueTask AcceptAsync()
    {
        var tx = _inviteTx ?? throw new InvalidOperationException("only inbound calls are accepted");
        lock (_gate)
        {
            if (State != SipCallState.Ringing)
            {
                throw new InvalidOperationException($"call {CallId} cannot be accepted in state {State}");
            }
        }

        var answer = SdpOfferAnswer.CreateAnswer(_remoteOffer!, LocalSdp(SdpDirection.SendRecv), out var negotiation);
        ApplyNegotiation(negotiation!);
        var ok = tx.CreateResponse(200, "OK").Add(SipHeaderNames.Contact, Agent.Contact(LocalParty, tx.Remote));
        Agent.AddCapabilities(ok);
        AddSessionTimerAnswer(tx.Request, ok);
        ok.SetBody("application/sdp", answer.ToString());
        tx.Respond(ok);
        MarkAnswered(Dialog!);
        return ValueTask.CompletedTask;
    }

    /// <summary>Rejects an unanswered inbound call with a final status (e.g. 403, 486, 603), before any media.</summary>
    public ValueTask RejectAsync(int statusCode, string? reason = null)
    {
        if (_inviteTx is { } tx && State != SipCallState.Answered)
        {
            RespondAndEnd(tx, statusCode, reason ?? SipReasonPhrases.For(statusCode), "rejected");
        }

        return ValueTask.CompletedTask;
    }

    private void RespondAndEnd(SipServerTransaction tx, int code, string reason, string why)
    {
        tx.Respond(tx.CreateResponse(code, reason));
        End(SipCallOutcome.Failed, code, $"{code} {reason}: {why}", byRemote: false);
    }

    /// <summary>
    /// RFC 4028 §9: when the UAC asked for a session timer we accept its interval and let it refresh
    /// (refresher=uac); we answer its refreshes and end the call if none arrives in time (§10).
    /// </summary>
    private void AddSessionTimerAnswer(SipMessage request, SipMessageBuilder response)
    {
        if (request.GetHeader("Session-Expires") is not { } se)
        {
            return;
        }

        var semi = se.IndexOf(';', StringComparison.Ordinal);
        if (!int.TryParse(semi < 0 ? se : se[..semi], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds < 90)
        {
            return;
        }

        response.Add("Session-Expires", seconds.ToString(CultureInfo.InvariantCulture) + ";refresher=uac").Add(SipHeaderNames.Require, "timer");
        SessionInterval = TimeSpan.FromSeconds(seconds);
        ArmSessionTimer();
    }

    private void ArmSessionTimer()
    {
        if (SessionInterval is not { } interval)
        {
            return;
        }

        // RFC 4028 §10: without a refresh the session ends at expiry minus min(32 s, interval/3).
        var expiry = interval - TimeSpan.FromSeconds(Math.Min(32, interval.TotalSeconds / 3));
        _sessionTimer?.Dispose();
        _sessionTimer = Agent.Time.CreateTimer(state =>
        {
            _ = Task.Run(() => SendByeAsync(CancellationToken.None));
            End(SipCallOutcome.Completed, 408, "session timer expired without refresh", byRemote: false);
        }, null, expiry, Timeout.InfiniteTimeSpan);
    }

    // ---- in-dialog requests from the far end ----

    internal void OnInDialogRequest(SipServerTransaction tx)
    {
        var request = tx.Request;
        if (!Dialog!.AcceptRemoteRequest(request))
        {
            // RFC 3261 §12.2.2: a lower CSeq is out of order.
            tx.Respond(tx.CreateResponse(500, "Server Internal Error").Add("Retry-After", "1"));
            return;
        }

        switch (request.Method)
        {
            case "BYE":
                tx.Respond(tx.CreateResponse(200, "OK"));
                if (_inviteTx is { State: SipTransactionState.Proceeding } pending)
                {
                    pending.Respond(pending.CreateResponse(487, SipReasonPhrases.For(487)));
                }

                End(State == SipCallState.Answered ? SipCallOutcome.Completed : SipCallOutcome.NoAnswer, 0, "remote hangup", byRemote: true);
                break;
            case "INVITE" or "UPDATE":
                OnRemoteOffer(tx);
                break;
            case "INFO":
                OnInfo(tx);
                break;
            case "OPTIONS":
                tx.Respond(Agent.AddCapabilities(tx.CreateResponse(200, "OK")));
                break;
            case "NOTIFY":
                OnNotify(tx);
                break;
            case "REFER":
                // Transfers requested by the far end are not carried out by the bridge.
                tx.Respond(tx.CreateResponse(603, "Decline"));
                break;
            default:
                tx.Respond(tx.CreateResponse(501, SipReasonPhrases.For(501)));
                break;
        }
    }

    /// <summary>
    /// A re-INVITE or UPDATE (RFC 3311): a new offer is answered (RFC 3264 §8) and applied to the media —
    /// hold (sendonly/inactive), resume, codec or address change; without a body it only refreshes the
    /// session timer (RFC 4028 §7.4 / §10).
    /// </summary>
    private void OnRemoteOffer(SipServerTransaction tx)
    {
        var request = tx.Request;
        if (_media is null || State != SipCallState.Answered)
        {
            tx.Respond(tx.CreateResponse(491, SipReasonPhrases.For(491)));
            return;
        }

        var ok = tx.CreateResponse(200, "OK").Add(SipHeaderNames.Contact, Agent.Contact(LocalParty, tx.Remote));
        if (request.Body.Length > 0)
        {
            if (!SdpParser.TryParse(request.Body.Span, out var offer, out _))
            {
                tx.Respond(tx.CreateResponse(400, "Bad Request"));
                return;
            }

            var answer = SdpOfferAnswer.CreateAnswer(offer!, LocalSdp(LocalHold ? SdpDirection.SendOnly : SdpDirection.SendRecv), out var negotiation);
            if (negotiation is null)
            {
                tx.Respond(tx.CreateResponse(488, SipReasonPhrases.For(488)));
                return;
            }

            _media.Configure(negotiation);
            ok.SetBody("application/sdp", answer.ToString());
            var hold = negotiation.RemoteHold;
            if (hold != RemoteHold)
            {
                RemoteHold = hold;
                HoldChanged?.Invoke(this, hold);
            }
        }

        AddSessionTimerAnswer(request, ok);
        tx.Respond(ok);
    }

    /// <summary>SIP INFO with <c>application/dtmf-relay</c>: one digit per request.</summary>
    private void OnInfo(SipServerTransaction tx)
    {
        var request = tx.Request;
        if (request.Body.Length == 0)
        {
            tx.Respond(tx.CreateResponse(200, "OK"));
            return;
        }

        if (request.ContentType is { } ct && ct.StartsWith("application/dtmf-relay", StringComparison.OrdinalIgnoreCase)
            && DtmfRelayBody.TryParse(request.BodyText, out var digit, out _))
        {
            tx.Respond(tx.CreateResponse(200, "OK"));
            _media?.OnInfoDigit(digit);
            return;
        }

        tx.Respond(tx.CreateResponse(415, SipReasonPhrases.For(415)).Add(SipHeaderNames.Accept, "application/dtmf-relay"));
    }

    /// <summary>RFC 3515 §2.4.5: NOTIFY with a message/sipfrag body reports the transfer's progress.</summary>
    private void OnNotify(SipServerTransaction tx)
    {
        var request = tx.Request;
        tx.Respond(tx.CreateResponse(200, "OK"));
        var body = request.BodyText.TrimStart();
        var status = 0;
        if (body.StartsWith("SIP/2.0 ", StringComparison.Ordinal) && body.Length >= 11
            && int.TryParse(body.AsSpan(8, 3), NumberStyles.None, CultureInfo.InvariantCulture, out status) && status >= 200)
        {
            _transferResult?.TrySetResult(status);
        }
        else if (request.GetHeader("Subscription-State") is { } state && state.StartsWith("terminated", StringComparison.OrdinalIgnoreCase))
        {
            _transferResult?.TrySetResult(status == 0 ? 500 : status);
        }
    }

    // ---- in-dialog requests from us ----

    /// <summary>Puts the call on hold (re-INVITE with sendonly, RFC 3264 §8.4) or resumes it (sendrecv).</summary>
    public async ValueTask SetHoldAsync(bool hold, CancellationToken cancellationToken)
    {
        var d = Dialog ?? throw new InvalidOperationException("call is not established");
        var offer = SdpOfferAnswer.CreateOffer(LocalSdp(hold ? SdpDirection.SendOnly : SdpDirection.SendRecv));
        var to = await Agent.ResolveAsync(d.NextHop(), cancellationToken).ConfigureAwait(false);
        uint cseq = 0;
        var response = await Agent.SendWithAuthAsync(
            () =>
            {
                cseq = d.NextCSeq();
                return d.CreateRequest("INVITE", cseq, Agent.NewVia(to), Agent.Contact(LocalParty, to)).SetBody("application/sdp", offer.ToString());
            },
            to, SipUserAgent.CredentialsOf(Trunk), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is < 200 or >= 300)
        {
            throw new SipException(response.StatusCode, $"re-INVITE for {(hold ? "hold" : "resume")} refused: {response.StatusCode} {response.ReasonPhrase}");
        }

        // RFC 3261 §13.2.2.4: the 2xx to the re-INVITE is ACKed by us.
        d.OnTargetRefreshResponse(response);
        var ack = d.CreateRequest("ACK", cseq, Agent.NewVia(to), Agent.Contact(LocalParty, to)).ToArray();
        Agent.SendStateless(ack, to);
        RememberAck(cseq, ack, to);
        if (SdpParser.TryParse(response.Body.Span, out var answer, out _) && SdpOfferAnswer.TryReadAnswer(answer!, LocalSdp(SdpDirection.SendRecv), out var negotiation))
        {
            _media!.Configure(negotiation! with { LocalDirection = hold ? SdpDirection.SendOnly : negotiation.LocalDirection });
        }

        LocalHold = hold;
    }

    /// <summary>
    /// Blind transfer (RFC 3515): REFER to <paramref name="target"/>, then wait for the NOTIFY whose sipfrag
    /// carries a final status; on success our leg hangs up.
    /// </summary>
    public async ValueTask TransferAsync(string target, CancellationToken cancellationToken)
    {
        var d = Dialog ?? throw new InvalidOperationException("call is not established");
        var referTo = target.Contains(':', StringComparison.Ordinal) ? target : $"sip:{target}@{Trunk?.EffectiveDomain ?? d.RemoteTarget.Host}";
        _transferResult = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var to = await Agent.ResolveAsync(d.NextHop(), cancellationToken).ConfigureAwait(false);
        var response = await Agent.SendWithAuthAsync(
            () => d.CreateRequest("REFER", d.NextCSeq(), Agent.NewVia(to), Agent.Contact(LocalParty, to))
                .Add("Refer-To", "<" + referTo + ">").Add("Referred-By", Agent.Contact(LocalParty, to)),
            to, SipUserAgent.CredentialsOf(Trunk), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is < 200 or >= 300)
        {
            throw new SipException(response.StatusCode, $"REFER refused: {response.StatusCode} {response.ReasonPhrase}");
        }

        var status = await _transferResult.Task.WaitAsync(TimeSpan.FromSeconds(30), Agent.Time, cancellationToken).ConfigureAwait(false);
        if (status is < 200 or >= 300)
        {
            throw new SipException(status, $"transfer to {target} failed with {status}");
        }

        await SendByeAsync(cancellationToken).ConfigureAwait(false);
        End(SipCallOutcome.Completed, 0, $"transferred to {target}", byRemote: false);
    }

    internal void End(SipCallOutcome outcome, int statusCode, string reason, bool byRemote)
    {
        var end = new SipCallEnd(outcome, statusCode, reason, byRemote);
        lock (_gate)
        {
            if (State == SipCallState.Ended)
            {
                return;
            }

            State = SipCallState.Ended;
        }

        _sessionTimer?.Dispose();
        _outbound?.OnEnded();
        Agent.OnCallEnded(this);
        _ended.TrySetResult(end);
        _ = DisposeMediaAsync();
        Ended?.Invoke(this, end);
    }

    private async Task DisposeMediaAsync()
    {
        if (_media is { } m)
        {
            await m.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (State != SipCallState.Ended)
        {
            await HangupAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await DisposeMediaAsync().ConfigureAwait(false);
    }
}
