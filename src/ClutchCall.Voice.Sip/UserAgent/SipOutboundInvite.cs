using System.Globalization;
using System.Net;
using ClutchCall.Voice.Sip.Auth;
using ClutchCall.Voice.Sip.Dialogs;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Sdp;
using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.Sip.Transport;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>
/// The UAC side of an outbound call's INVITE (RFC 3261 §13.2): offer, provisional responses and early
/// media, one Digest challenge answered, 503 retried per the trunk's policy, ring timeout by CANCEL (§9.1),
/// and the ACK for the 2xx sent by the UA core (§13.2.2.4).
/// </summary>
internal sealed class SipOutboundInvite
{
    private readonly SipCall _call;
    private readonly SipCallRequest _request;
    private readonly string _from;
    private readonly string _localTag = SipResponseFactory.NewTag();
    private readonly Lock _gate = new();
    private SipClientTransaction? _tx;
    private bool _provisionalSeen;
    private bool _cancelSent;
    private (SipCallOutcome Outcome, string Reason)? _cancel;
    private ITimer? _ringTimer;
    private uint _cseq;
    private (string Name, string Value)? _authorization;
    private uint _sessionExpires;
    private uint _minSe;
    private bool _retried422;
    private SipPrackClient? _prack;

    public SipOutboundInvite(SipCall call, SipCallRequest request, string from)
    {
        _call = call;
        _request = request;
        _from = from;
        var trunk = call.Trunk!;
        _minSe = (uint)Math.Max(trunk.MinSessionExpiresSeconds, (int)SipSessionTimer.AbsoluteMinimumSeconds);
        _sessionExpires = trunk.SessionExpiresSeconds > 0 ? Math.Max((uint)trunk.SessionExpiresSeconds, _minSe) : 0;
    }

    /// <summary>The PRACK side of RFC 3262, once a reliable 18x arrived.</summary>
    internal SipPrackClient? Prack => _prack;

    private SipUserAgent Agent => _call.Agent;

    private SipTrunkOptions Trunk => _call.Trunk!;

    public async Task RunAsync()
    {
        try
        {
            await RunCoreAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // whatever goes wrong ends this call, never the user agent
        catch (Exception e)
#pragma warning restore CA1031
        {
            _call.End(SipCallOutcome.Failed, e is SipException se ? se.StatusCode : 500, e.Message, byRemote: false);
        }
    }

    private async Task RunCoreAsync()
    {
        var targets = await Agent.ResolveTrunkTargetsAsync(Trunk, CancellationToken.None).ConfigureAwait(false);
        var offer = SdpOfferAnswer.CreateOffer(_call.LocalSdp(SdpDirection.SendRecv));
        var offerText = offer.ToString();
        _call.RememberLocalSdp(offerText);
        var ringTimeout = _request.RingTimeout ?? Agent.Options.DefaultRingTimeout;
        _ringTimer = Agent.Time.CreateTimer(_ => Cancel(SipCallOutcome.NoAnswer, $"no answer within {ringTimeout.TotalSeconds:0} s"), null, ringTimeout, Timeout.InfiniteTimeSpan);
        var credentials = SipUserAgent.CredentialsOf(Trunk);
        var retries503 = 0;
        var challenged = false;
        var targetIndex = 0;
        var tried = new List<string>();
        while (true)
        {
            var destination = targets[targetIndex];
            var invite = BuildInvite(offerText, destination);
            SipClientTransaction tx;
            lock (_gate)
            {
                if (_cancel is { } c && !_provisionalSeen)
                {
                    // Cancelled between attempts: nothing is pending at the far end.
                    _call.End(c.Outcome, 487, c.Reason, byRemote: false);
                    return;
                }

                _provisionalSeen = false;
                _cancelSent = false;
                tx = Agent.StartTransaction(invite, destination);
                _tx = tx;
            }

            var started = Agent.Time.GetTimestamp();
            tx.Provisional += response => OnProvisional(tx, response);
            var final = await tx.FinalResponse.ConfigureAwait(false);
            var code = final.StatusCode;
            if (code is >= 200 and < 300)
            {
                await OnSuccessAsync(tx, final).ConfigureAwait(false);
                return;
            }

            if (_cancel is { } cancelled)
            {
                _call.End(cancelled.Outcome, code, cancelled.Reason, byRemote: false);
                return;
            }

            // RFC 3261 §22.2: answer the challenge once; a second one means the credentials are wrong.
            if (code is 401 or 407 && credentials is not null && !challenged && DigestAuthenticator.PickChallenge(final) is { } challenge)
            {
                challenged = true;
                var uri = invite.RequestUri;
                _authorization = (DigestAuthenticator.AnswerHeaderFor(code),
                    DigestAuthenticator.CreateAuthorization(challenge, credentials, "INVITE", uri, 1, DigestAuthenticator.NewCnonce()));
                continue;
            }

            // RFC 4028 §7.1 (§6): a 422 names the smallest interval the far end accepts; the INVITE is retried
            // once with Session-Expires and Min-SE raised to it, as a new transaction with the next CSeq.
            if (code == 422 && _sessionExpires > 0 && !_retried422 && SipSessionTimer.TryReadMinSe(final, out var theirMinSe) && theirMinSe > _sessionExpires)
            {
                _retried422 = true;
                _sessionExpires = theirMinSe;
                _minSe = Math.Max(_minSe, theirMinSe);
                continue;
            }

            var transportError = Agent.Signalling.TransportErrorOf(tx);
            var timedOut = code == 408 && tx.HighestProvisionalStatus == 0 && IsTimerB(started);
            var unreachable = transportError is not null || timedOut || code == 503;
            if (unreachable)
            {
                tried.Add($"{destination} ({Agent.Signalling.KindFor(destination).ViaToken()}): "
                    + (transportError ?? (timedOut ? "no response (Timer B)" : $"{code} {final.ReasonPhrase}")));
            }

            // RFC 3263 §4.3: a transport error, a timeout or a 503 sends the request to the next target, as a new
            // transaction with a new branch (RFC 3261 §8.1.3.1). Once the far end answered provisionally the call
            // has reached it, so no other server is tried. Credentials belong to the server that challenged.
            if (unreachable && !_provisionalSeen && targetIndex + 1 < targets.Count)
            {
                targetIndex++;
                challenged = false;
                _authorization = null;
                continue;
            }

            // RFC 3261 §21.5.4: a 503 with Retry-After may be retried after that long.
            if (code == 503 && transportError is null && retries503 < Trunk.Max503Retries && RetryAfter(final) is { } wait && wait <= TimeSpan.FromSeconds(Trunk.MaxRetryAfterSeconds))
            {
                retries503++;
                await Task.Delay(wait, Agent.Time).ConfigureAwait(false);
                continue;
            }

            var reason = transportError is not null ? $"{code} {transportError}" : $"{code} {final.ReasonPhrase}";
            if (unreachable && tried.Count > 0)
            {
                reason += $"; tried {string.Join("; ", tried.Distinct())}";
            }

            _call.End(code == 480 ? SipCallOutcome.NoAnswer : SipCallOutcome.Failed, code, reason, byRemote: true);
            return;
        }
    }

    /// <summary>
    /// RFC 3261 §17.1.1.2: Timer B (64*T1) synthesizes the 408; a 408 sent by the server can only arrive before it fires.
    /// </summary>
    private bool IsTimerB(long started) =>
        Agent.Time.GetElapsedTime(started) >= Agent.Options.Timers.Timeout64T1 - Agent.Options.Timers.T1;

    /// <summary>RFC 3261 §8.1.1: Request-URI, To, From with our tag, Call-ID, CSeq, Max-Forwards, Via, Contact; RFC 3325 P-Asserted-Identity when configured.</summary>
    private SipMessageBuilder BuildInvite(string offer, IPEndPoint destination)
    {
        var domain = Trunk.EffectiveDomain;
        var display = Trunk.CallerIdDisplayName is { Length: > 0 } d ? "\"" + d.Replace("\"", string.Empty, StringComparison.Ordinal) + "\" " : string.Empty;
        var scheme = Trunk.UriScheme;
        var b = SipMessageBuilder.Request("INVITE", $"{scheme}:{_request.To}@{domain}")
            .Add(SipHeaderNames.Via, Agent.NewVia(destination))
            .Add(SipHeaderNames.MaxForwards, "70")
            .Add(SipHeaderNames.From, $"{display}<{scheme}:{_from}@{domain}>;tag={_localTag}")
            .Add(SipHeaderNames.To, $"<{scheme}:{_request.To}@{domain}>")
            .Add(SipHeaderNames.CallId, _call.CallId)
            .Add(SipHeaderNames.CSeq, (++_cseq).ToString(CultureInfo.InvariantCulture) + " INVITE")
            .Add(SipHeaderNames.Contact, Agent.Contact(_from, destination))
            .Add(SipHeaderNames.Allow, "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, REFER, NOTIFY, PRACK")
            .Add(SipHeaderNames.Supported, SupportedOptions())
            .Add(SipHeaderNames.UserAgent, Agent.Options.Product);
        if (_sessionExpires > 0)
        {
            // RFC 4028 §7.1: the UAC asks for a session interval and states its Min-SE; the UAS names the refresher.
            b.Add("Session-Expires", SipExtensionHeaders.FormatSessionExpires(_sessionExpires, SipRefresherParam.None))
                .Add("Min-SE", _minSe.ToString(CultureInfo.InvariantCulture));
        }

        if (Trunk.SendPAssertedIdentity)
        {
            b.Add("P-Asserted-Identity", $"<{scheme}:{_from}@{domain}>");
        }

        foreach (var h in _request.Headers)
        {
            b.Add(h.Key, h.Value);
        }

        if (_authorization is { } auth)
        {
            b.Add(auth.Name, auth.Value);
        }

        return b.SetBody("application/sdp", offer);
    }

    /// <summary>RFC 3261 §20.37 option tags of our INVITE: RFC 4028 <c>timer</c> and RFC 3262 <c>100rel</c> per the trunk.</summary>
    private string SupportedOptions() =>
        (_sessionExpires > 0 ? "timer, " : string.Empty) + (Trunk.Offer100rel ? "100rel, " : string.Empty) + "replaces, norefersub";

    private void OnProvisional(SipClientTransaction tx, SipMessage response)
    {
        if (response.StatusCode == 100)
        {
            return;
        }

        // RFC 3262 §4: a reliable 18x is PRACKed once, in order; retransmissions and out-of-order ones are dropped.
        if (SipExtensionHeaders.Lists(response, SipHeaderNames.Require, "100rel"))
        {
            _prack ??= new SipPrackClient(_call, _from);
            if (!_prack.Accept(tx.Request, response))
            {
                return;
            }
        }

        bool sendCancel;
        lock (_gate)
        {
            _provisionalSeen = true;
            sendCancel = _cancel is not null && !_cancelSent;
            _cancelSent |= sendCancel;
        }

        if (sendCancel)
        {
            SendCancel();
            return;
        }

        // RFC 3960: SDP in a 18x starts early media (ringback, announcements) on the offer's answer.
        var early = response.Body.Length > 0 && SdpParser.TryParse(response.Body.Span, out var answer, out _)
            && SdpOfferAnswer.TryReadAnswer(answer!, _call.LocalSdp(SdpDirection.SendRecv), out var negotiation)
            && Apply(negotiation!);
        if (response.StatusCode is 180 or 183 || early)
        {
            _call.MarkRinging(early);
        }
    }

    private bool Apply(SdpNegotiation negotiation)
    {
        if (negotiation.Srtp is null && Trunk.SrtpRequired)
        {
            return false; // no plain early media on a trunk that requires SRTP
        }

        _call.ApplyNegotiation(negotiation);
        return true;
    }

    /// <summary>Cancels a pending INVITE (RFC 3261 §9.1: only after a provisional response arrived).</summary>
    public void Cancel(SipCallOutcome outcome, string reason)
    {
        bool send;
        lock (_gate)
        {
            if (_cancel is not null || _call.State is SipCallState.Answered or SipCallState.Ended)
            {
                return;
            }

            _cancel = (outcome, reason);
            send = _provisionalSeen && _tx is not null;
            _cancelSent |= send;
        }

        if (send)
        {
            SendCancel();
        }
    }

    private void SendCancel()
    {
        var tx = _tx!;
        var cancel = tx.CreateCancel();
        Agent.StartTransaction(cancel, tx.Destination);
    }

    private async Task OnSuccessAsync(SipClientTransaction tx, SipMessage ok)
    {
        var dialog = SipDialog.FromUacResponse(tx.Request, ok) ?? throw new SipException(502, "2xx without a To tag");
        _prack?.ContinueCSeq(dialog);
        var destination = await Agent.ResolveAsync(dialog.NextHop(), CancellationToken.None).ConfigureAwait(false);
        var cseq = tx.Request.CSeq!.Value.Number;
        // RFC 3261 §13.2.2.4: the ACK has the INVITE's CSeq number and credentials, a new branch.
        var ack = dialog.CreateRequest("ACK", cseq, Agent.NewVia(destination), Agent.Contact(_from, destination));
        if (_authorization is { } auth)
        {
            ack.Add(auth.Name, auth.Value);
        }

        var wire = ack.ToArray();
        Agent.SendStateless(wire, destination);
        _call.RememberAck(cseq, wire, destination);
        if (_cancel is { } cancelled)
        {
            // The 2xx crossed our CANCEL: the call is established, so it is ended with BYE (§9.1).
            _call.MarkAnswered(dialog);
            await _call.HangupAsync(CancellationToken.None).ConfigureAwait(false);
            _call.End(cancelled.Outcome, 200, cancelled.Reason, byRemote: false);
            return;
        }

        if (!SdpParser.TryParse(ok.Body.Span, out var answer, out _)
            || !SdpOfferAnswer.TryReadAnswer(answer!, _call.LocalSdp(SdpDirection.SendRecv), out var negotiation))
        {
            _call.MarkAnswered(dialog);
            await _call.HangupAsync(CancellationToken.None).ConfigureAwait(false);
            _call.End(SipCallOutcome.Failed, 488, "the 2xx carried no usable SDP answer", byRemote: false);
            return;
        }

        if (negotiation!.Srtp is null && Trunk.SrtpRequired)
        {
            // RFC 4568 §7.1.3: we offered RTP/SAVP only; a plain answer is refused rather than sending media in clear.
            _ringTimer?.Dispose();
            _call.MarkAnswered(dialog);
            await _call.HangupAsync(CancellationToken.None).ConfigureAwait(false);
            _call.End(SipCallOutcome.Failed, 488, "SRTP required: the answer has no usable SDES a=crypto line (RFC 4568)", byRemote: false);
            return;
        }

        _ringTimer?.Dispose();
        _call.ApplyNegotiation(negotiation!);
        _call.OnUacAnswered(ok, _sessionExpires > 0 ? _minSe : 0);
        _call.MarkAnswered(dialog);
    }

    internal void OnEnded() => _ringTimer?.Dispose();

    private static TimeSpan? RetryAfter(SipMessage response)
    {
        var v = response.GetHeader("Retry-After");
        if (v is null)
        {
            return TimeSpan.FromSeconds(1);
        }

        var end = 0;
        while (end < v.Length && char.IsAsciiDigit(v[end]))
        {
            end++;
        }

        return int.TryParse(v.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? TimeSpan.FromSeconds(s) : null;
    }
}
