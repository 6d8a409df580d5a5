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
    private SipSessionTimer? _sessionTimer;
    private SipSessionTimerAnswer _uasTimerAnswer;
    private SipReliableProvisionals? _reliable;
    private string? _localSdp;
    private bool _remoteAllowsUpdate;
    private uint _sessionMinSe;
    private int _refreshing;
    private int _sessionRefreshes;

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

    /// <summary>True when we send the session refreshes (RFC 4028 refresher is us), false when the peer does.</summary>
    public bool LocalRefresher => _sessionTimer?.LocalRefresher ?? false;

    /// <summary>Session refreshes we sent that the peer accepted with a 2xx (RFC 4028 §7.4).</summary>
    public int SessionRefreshes => Volatile.Read(ref _sessionRefreshes);

    /// <summary>PRACKs sent for reliable 18x responses (RFC 3262 §4; outbound calls).</summary>
    internal int PracksSent => _outbound?.Prack?.PracksSent ?? 0;

    /// <summary>Inbound: the ACK for our 2xx arrived (RFC 3261 §13.3.1.4), so the dialog is confirmed.</summary>
    internal bool AckReceived { get; private set; }

    /// <summary>The reliable 18x sender of an inbound call that uses RFC 3262, else null.</summary>
    internal SipReliableProvisionals? ReliableProvisionals => _reliable;

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

        // RFC 4028 §9: an interval below our Min-SE is refused 422 before the call rings.
        _sessionMinSe = LocalMinSe;
        _uasTimerAnswer = SipSessionTimer.AnswerRequest(request, _sessionMinSe, out _);
        if (_uasTimerAnswer.Reject)
        {
            tx.Respond(SipSessionTimer.Create422(tx, _uasTimerAnswer.RejectMinSe));
            End(SipCallOutcome.Failed, 422, $"422 Session Interval Too Small: the caller asked for less than Min-SE {_uasTimerAnswer.RejectMinSe} s", byRemote: false);
            return false;
        }

        _remoteAllowsUpdate = AllowsUpdate(request);
        _remoteOffer = offer;
        Dialog = SipDialog.FromUasRequest(request, tx.ToTag!);
        tx.Cancelled += _ =>
        {
            // RFC 3261 §9.2: the INVITE is answered 487 once the CANCEL is accepted.
            tx.Respond(tx.CreateResponse(487, SipReasonPhrases.For(487)));
            End(SipCallOutcome.NoAnswer, 487, "caller cancelled", byRemote: true);
        };
        tx.AckReceived += _ => AckReceived = true;
        tx.AckTimedOut += timedOut =>
        {
            if (State == SipCallState.Answered)
            {
                _ = Task.Run(() => SendByeAsync(CancellationToken.None));
                End(SipCallOutcome.Failed, 408, "no ACK for the 200 OK", byRemote: false);
            }
        };
        var ringing = tx.CreateResponse(180, "Ringing").Add(SipHeaderNames.Contact, Agent.Contact(LocalParty, tx.Remote));

        // RFC 3262 §3: a caller that requires 100rel (or supports it, when the trunk prefers reliability) gets its 18x reliably.
        if (SipExtensionHeaders.Lists(request, SipHeaderNames.Require, "100rel")
            || (Trunk?.ReliableProvisionalsWhenSupported == true && SipExtensionHeaders.Lists(request, SipHeaderNames.Supported, "100rel")))
        {
            _reliable = new SipReliableProvisionals(tx, Agent.Time, Agent.Options.Timers, () => OnReliableProvisionalUnacknowledged(tx));
            ringing.Add(SipHeaderNames.Allow, "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, REFER, NOTIFY, PRACK");
            _reliable.Send(ringing);
        }
        else
        {
            tx.Respond(ringing);
        }

        MarkRinging(earlyMedia: false);
        return true;
    }

    /// <summary>RFC 3262 §3: a reliable 18x unacknowledged for 64*T1 makes the UAS refuse the INVITE with a 5xx.</summary>
    private void OnReliableProvisionalUnacknowledged(SipServerTransaction tx)
    {
        if (State is SipCallState.Answered or SipCallState.Ended)
        {
            return;
        }

        tx.Respond(tx.CreateResponse(500, SipReasonPhrases.For(500)).Add("Warning", "399 - \"no PRACK for the reliable provisional response\""));
        End(SipCallOutcome.Failed, 500, "no PRACK for the reliable 180 within 64*T1 (RFC 3262 §3)", byRemote: false);
    }

    /// <summary>RFC 3262 §3: a PRACK matching the unacknowledged reliable 18x gets 200 and stops its retransmission; any other 481.</summary>
    private void OnPrack(SipServerTransaction tx)
    {
        if (!SipExtensionHeaders.TryParseRAck(tx.Request.GetHeader("RAck"), out var rack, out var error))
        {
            tx.Respond(tx.CreateResponse(400, "Bad RAck").Add("Warning", "399 - \"" + error!.Replace("\"", "'", StringComparison.Ordinal) + "\""));
            return;
        }

        if (_reliable?.OnPrack(rack, () => tx.Respond(tx.CreateResponse(200, "OK"))) == true)
        {
            return;
        }

        tx.Respond(tx.CreateResponse(481, SipReasonPhrases.For(481)));
    }

    private uint LocalMinSe => (uint)Math.Max(Trunk?.MinSessionExpiresSeconds ?? 0, (int)SipSessionTimer.AbsoluteMinimumSeconds);

    private static bool AllowsUpdate(SipMessage message) => SipExtensionHeaders.Lists(message, SipHeaderNames.Allow, "UPDATE");

    /// <summary>The SDP we last sent (offer or answer): a re-INVITE that only refreshes the session repeats it (RFC 4028 §7.4, RFC 3264 §8).</summary>
    internal void RememberLocalSdp(string sdp) => _localSdp = sdp;

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

        if (_reliable is { } reliable && !reliable.Acknowledged.IsCompleted)
        {
            return AcceptAfterPrackAsync(tx, reliable);
        }

        SendAnswer(tx);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// RFC 3262 §3: the 2xx waits for the PRACK of the outstanding reliable 18x, which is retransmitted meanwhile;
    /// when none comes within 64*T1 the INVITE was refused 5xx and the call has ended.
    /// </summary>
    private async ValueTask AcceptAfterPrackAsync(SipServerTransaction tx, SipReliableProvisionals reliable)
    {
        await reliable.Acknowledged.ConfigureAwait(false);
        lock (_gate)
        {
            if (State != SipCallState.Ringing)
            {
                return;
            }
        }

        SendAnswer(tx);
    }

    private void SendAnswer(SipServerTransaction tx)
    {
        var answer = SdpOfferAnswer.CreateAnswer(_remoteOffer!, LocalSdp(SdpDirection.SendRecv), out var negotiation);
        ApplyNegotiation(negotiation!);
        var ok = tx.CreateResponse(200, "OK").Add(SipHeaderNames.Contact, Agent.Contact(LocalParty, tx.Remote));
        Agent.AddCapabilities(ok);
        ApplySessionTimerAnswer(_uasTimerAnswer, ok);
        var sdp = answer.ToString();
        RememberLocalSdp(sdp);
        ok.SetBody("application/sdp", sdp);

        // RFC 3262 §3: once the final response is sent, reliable 18x are no longer retransmitted.
        _reliable?.Stop();
        tx.Respond(ok);
        MarkAnswered(Dialog!);
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
    /// RFC 4028 §9/§10: answers a request's session timer — the interval it asked for with the refresher it named
    /// (or we chose) — and (re)arms ours. A request without Session-Expires still refreshes a running timer.
    /// </summary>
    private void ApplySessionTimerAnswer(SipSessionTimerAnswer answer, SipMessageBuilder response)
    {
        if (answer.Accept)
        {
            SipSessionTimer.AddAnswer(response, answer);

            // refresher=uas in our answer means we, the UAS of this transaction, refresh.
            ArmSessionTimer(answer.Seconds, localRefresher: answer.Refresher == SipRefresherParam.Uas);
        }
        else if (_sessionTimer?.Interval is { } running)
        {
            ArmSessionTimer((uint)running.TotalSeconds, _sessionTimer.LocalRefresher);
        }
    }

    /// <summary>RFC 4028 §7.2: the 2xx to our INVITE says whether a session timer runs, and who refreshes it.</summary>
    internal void OnUacAnswered(SipMessage ok, uint minSe)
    {
        _remoteAllowsUpdate = AllowsUpdate(ok);
        _sessionMinSe = Math.Max(minSe, LocalMinSe);
        if (SipSessionTimer.ReadResponse(ok, out var seconds, out var local))
        {
            ArmSessionTimer(seconds, local);
        }
    }

    private void ArmSessionTimer(uint seconds, bool localRefresher)
    {
        lock (_gate)
        {
            if (State == SipCallState.Ended)
            {
                return;
            }

            _sessionTimer ??= new SipSessionTimer(Agent.Time, () => _ = Task.Run(RefreshSessionAsync), OnSessionExpired);
        }

        _sessionTimer.Arm(seconds, localRefresher);
        SessionInterval = TimeSpan.FromSeconds(seconds);
    }

    private void OnSessionExpired()
    {
        _ = Task.Run(() => SendByeAsync(CancellationToken.None));
        End(SipCallOutcome.Completed, 408, "session timer expired without refresh", byRemote: false);
    }

    /// <summary>Headers that keep the session timer in an in-dialog INVITE/UPDATE we send (RFC 4028 §7.4).</summary>
    private void AddSessionTimerRequest(SipMessageBuilder request, uint seconds, bool localRefresher) =>
        request.Add(SipHeaderNames.Supported, "timer")
            .Add("Session-Expires", SipExtensionHeaders.FormatSessionExpires(seconds, localRefresher ? SipRefresherParam.Uac : SipRefresherParam.Uas))
            .Add("Min-SE", Math.Max(_sessionMinSe, LocalMinSe).ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// RFC 4028 §7.4/§9: we are the refresher and half the interval passed. The refresh is an UPDATE without a
    /// body when the peer allows UPDATE (RFC 3311), else a re-INVITE repeating our last SDP. A 422 raises the
    /// interval to its Min-SE, a 405/501 to UPDATE falls back to re-INVITE and a 491 is retried after a pause
    /// (RFC 3261 §14.1); any other failure — 408 and 481 end the dialog (RFC 3261 §12.2.1.2) — ends the call with BYE.
    /// </summary>
    private async Task RefreshSessionAsync()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        try
        {
            var seconds = (uint)(_sessionTimer?.Interval?.TotalSeconds ?? 0);
            var useUpdate = _remoteAllowsUpdate;
            SipMessage? response = null;
            for (var attempt = 0; attempt < 4 && seconds > 0; attempt++)
            {
                if (State != SipCallState.Answered)
                {
                    return;
                }

                response = await SendRefreshAsync(useUpdate, seconds).ConfigureAwait(false);
                var code = response.StatusCode;
                if (code is >= 200 and < 300)
                {
                    Interlocked.Increment(ref _sessionRefreshes);
                    if (SipSessionTimer.ReadResponse(response, out var granted, out var local))
                    {
                        ArmSessionTimer(granted, local);
                    }
                    else
                    {
                        // §7.2: a 2xx without Session-Expires switches the session timer off.
                        _sessionTimer?.Stop();
                        SessionInterval = null;
                    }

                    return;
                }

                if (code == 422 && SipSessionTimer.TryReadMinSe(response, out var minSe) && minSe > seconds)
                {
                    seconds = minSe;
                    _sessionMinSe = Math.Max(_sessionMinSe, minSe);
                    continue;
                }

                if (useUpdate && code is 405 or 501)
                {
                    useUpdate = false;
                    _remoteAllowsUpdate = false;
                    continue;
                }

                if (code == 491)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(2100, 4000)), Agent.Time).ConfigureAwait(false);
                    continue;
                }

                break;
            }

            var why = response is null ? "no response" : $"{response.StatusCode} {response.ReasonPhrase}";
            await SendByeAsync(CancellationToken.None).ConfigureAwait(false);
            End(SipCallOutcome.Completed, response?.StatusCode ?? 408, $"session refresh failed: {why}", byRemote: false);
        }
#pragma warning disable CA1031 // a failed refresh ends this call, never the user agent
        catch (Exception e)
#pragma warning restore CA1031
        {
            await SendByeAsync(CancellationToken.None).ConfigureAwait(false);
            End(SipCallOutcome.Completed, e is SipException se ? se.StatusCode : 500, $"session refresh failed: {e.Message}", byRemote: false);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private async Task<SipMessage> SendRefreshAsync(bool useUpdate, uint seconds)
    {
        var d = Dialog!;
        var to = await Agent.ResolveAsync(d.NextHop(), CancellationToken.None).ConfigureAwait(false);
        uint cseq = 0;
        var response = await Agent.SendWithAuthAsync(
            () =>
            {
                cseq = d.NextCSeq();
                var b = d.CreateRequest(useUpdate ? "UPDATE" : "INVITE", cseq, Agent.NewVia(to), Agent.Contact(LocalParty, to))
                    .Add(SipHeaderNames.UserAgent, Agent.Options.Product);
                AddSessionTimerRequest(b, seconds, localRefresher: true);
                if (!useUpdate && _localSdp is { } sdp)
                {
                    b.SetBody("application/sdp", sdp);
                }

                return b;
            },
            to, SipUserAgent.CredentialsOf(Trunk), CancellationToken.None).ConfigureAwait(false);
        if (response.StatusCode is >= 200 and < 300)
        {
            d.OnTargetRefreshResponse(response);
            if (!useUpdate)
            {
                // RFC 3261 §13.2.2.4: the 2xx to the re-INVITE is ACKed by us.
                var ack = d.CreateRequest("ACK", cseq, Agent.NewVia(to), Agent.Contact(LocalParty, to)).ToArray();
                Agent.SendStateless(ack, to);
                RememberAck(cseq, ack, to);
            }
        }

        return response;
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
            case "PRACK":
                OnPrack(tx);
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

        // RFC 4028 §9: a refresh asking for less than our Min-SE is refused 422 before anything changes.
        var timerAnswer = SipSessionTimer.AnswerRequest(request, _sessionMinSe == 0 ? LocalMinSe : _sessionMinSe, out _);
        if (timerAnswer.Reject)
        {
            tx.Respond(SipSessionTimer.Create422(tx, timerAnswer.RejectMinSe));
            return;
        }

        if (request.CountHeaders(SipHeaderNames.Allow) > 0)
        {
            _remoteAllowsUpdate = AllowsUpdate(request);
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
            var sdp = answer.ToString();
            RememberLocalSdp(sdp);
            ok.SetBody("application/sdp", sdp);
            var hold = negotiation.RemoteHold;
            if (hold != RemoteHold)
            {
                RemoteHold = hold;
                HoldChanged?.Invoke(this, hold);
            }
        }

        ApplySessionTimerAnswer(timerAnswer, ok);
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
        var offerText = offer.ToString();
        var to = await Agent.ResolveAsync(d.NextHop(), cancellationToken).ConfigureAwait(false);
        uint cseq = 0;
        var response = await Agent.SendWithAuthAsync(
            () =>
            {
                cseq = d.NextCSeq();
                var b = d.CreateRequest("INVITE", cseq, Agent.NewVia(to), Agent.Contact(LocalParty, to)).SetBody("application/sdp", offerText);

                // RFC 4028 §7.4: every re-INVITE is a session refresh, so it keeps the running timer's interval and refresher.
                if (_sessionTimer is { Interval: { } interval } timer)
                {
                    AddSessionTimerRequest(b, (uint)interval.TotalSeconds, timer.LocalRefresher);
                }

                return b;
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
        RememberLocalSdp(offerText);
        if (_sessionTimer?.Interval is not null && SipSessionTimer.ReadResponse(response, out var granted, out var localRefresher))
        {
            ArmSessionTimer(granted, localRefresher);
        }

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
        _reliable?.Stop();
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
