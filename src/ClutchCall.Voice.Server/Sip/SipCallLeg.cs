using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// One SIP call as the call engine sees it: dialog progress becomes ringing/answered/ended, hangup and
/// transfer become CANCEL/BYE and REFER, and as soon as the dialog has media (early media on 183, or the
/// answer) a <see cref="SipRelayBridge"/> carries it to and from the call's relay tracks until the dialog
/// ends. Digits received become <c>dtmf</c> transcript entries; <see cref="SendDigitsAsync"/> sends RFC 4733 events.
/// </summary>
internal sealed class SipCallLeg : ICallLeg
{
    private readonly ICallLegEvents _events;
    private readonly SipBridgeServices? _bridging;
    private readonly string? _orgId;
    private readonly string? _sid;
    private readonly Lock _gate = new();
    private SipCall? _call;
    private Task<SipRelayBridge?>? _bridge;
    private Task _digits = Task.CompletedTask;
    private volatile bool _endedByUs;
    private int _closed;

    /// <summary>A leg without media bridging (tests of the signalling alone).</summary>
    public SipCallLeg(ICallLegEvents events)
    {
        _events = events;
    }

    /// <summary>A leg of call <paramref name="sid"/> whose media is bridged to the relay through <paramref name="bridging"/>.</summary>
    public SipCallLeg(ICallLegEvents events, SipBridgeServices bridging, string orgId, string sid)
    {
        _events = events;
        _bridging = bridging;
        _orgId = orgId;
        _sid = sid;
        bridging.Register(sid, this);
    }

    /// <summary>The call's audio once SDP was exchanged.</summary>
    public ISipCallMedia? Media => _call?.Media;

    public SipCall? Call => _call;

    /// <summary>The running media bridge, or null before media or without bridging.</summary>
    public SipRelayBridge? Bridge => _bridge is { IsCompletedSuccessfully: true } b ? b.Result : null;

    internal void Attach(SipCall call)
    {
        _call = call;
        call.Ringing += (sender, early) =>
        {
            if (early)
            {
                // RFC 3261 §13.2.1 / RFC 3960: early media from a 183 is bridged like answered media.
                EnsureBridge(sender);
            }

            _ = _events.RingingAsync().AsTask();
        };
        call.Answered += sender =>
        {
            EnsureBridge(sender);
            _ = _events.AnsweredAsync().AsTask();
        };
        call.Ended += (sender, end) =>
        {
            _ = CloseBridgeAsync();
            if (!_endedByUs)
            {
                _ = _events.EndedAsync(StatusOf(end), ReasonOf(end)).AsTask();
            }
        };
        if (call.EndInfo is { } already && !_endedByUs)
        {
            _ = CloseBridgeAsync();
            _ = _events.EndedAsync(StatusOf(already), ReasonOf(already)).AsTask();
        }
        else if (call.HasEarlyMedia || call.State == SipCallState.Answered)
        {
            EnsureBridge(call);
        }
    }

    internal void FailAtOnce(string reason) => _ = _events.EndedAsync(CallStatus.Failed, reason).AsTask();

    public async ValueTask HangupAsync(CancellationToken cancellationToken)
    {
        _endedByUs = true;
        if (_call is { } c)
        {
            await c.HangupAsync(cancellationToken).ConfigureAwait(false);
        }

        await CloseBridgeAsync().ConfigureAwait(false);
    }

    public async ValueTask TransferAsync(string to, CancellationToken cancellationToken)
    {
        var c = _call ?? throw new InvalidOperationException("the SIP leg has no call");
        _endedByUs = true;
        await c.TransferAsync(to, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="digits"/> as RFC 4733 telephone-events on the call's RTP; completes when the last
    /// end packet left. Throws <see cref="CallConflictException"/> when the call has no media or the far end did
    /// not negotiate telephone-event.
    /// </summary>
    public async ValueTask SendDigitsAsync(string digits, CancellationToken cancellationToken)
    {
        if (_call is not { State: SipCallState.Answered, Media: { } media })
        {
            throw new CallConflictException("The SIP call is not answered, so it has no media to send digits on.");
        }

        try
        {
            await media.SendDigitsAsync(digits, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new CallConflictException("Digits cannot be sent on this call: " + ex.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_call is { } c)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }

        await CloseBridgeAsync().ConfigureAwait(false);
    }

    private void EnsureBridge(SipCall call)
    {
        if (_bridging is not { } bridging || call.Media is not { } media)
        {
            return;
        }

        lock (_gate)
        {
            if (_bridge is not null || Volatile.Read(ref _closed) != 0)
            {
                return;
            }

            media.DigitReceived += OnDigit;
            _bridge = StartBridgeAsync(bridging, call.Agent.Clock, media);
        }
    }

    private async Task<SipRelayBridge?> StartBridgeAsync(SipBridgeServices bridging, ClutchCall.Voice.Media.MediaClock clock, ISipCallMedia media)
    {
        try
        {
            var bridge = await SipRelayBridge.StartAsync(_orgId!, _sid!, media, clock, bridging.Issuer, bridging.Relay, bridging.Time, bridging.Logger, CancellationToken.None).ConfigureAwait(false);
            if (Volatile.Read(ref _closed) != 0)
            {
                await bridge.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            return bridge;
        }
#pragma warning disable CA1031 // the call goes on without relay audio; the failure is logged
        catch (Exception ex)
#pragma warning restore CA1031
        {
            SipLegLog.BridgeFailed(bridging.Logger, ex, _sid!);
            return null;
        }
    }

    private void OnDigit(char digit)
    {
        if (_bridging is not { } bridging)
        {
            return;
        }

        // Digits are recorded one after another, in the order they were pressed.
        lock (_gate)
        {
            var previous = _digits;
            _digits = RecordAfterAsync(previous, bridging, digit);
        }
    }

    private async Task RecordAfterAsync(Task previous, SipBridgeServices bridging, char digit)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await bridging.RecordDigitAsync(_orgId!, _sid!, digit).ConfigureAwait(false);
    }

    private async Task CloseBridgeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        Task<SipRelayBridge?>? pending;
        lock (_gate)
        {
            pending = _bridge;
        }

        if (_call?.Media is { } media)
        {
            media.DigitReceived -= OnDigit;
        }

        _bridging?.Unregister(_sid!, this);
        if (pending is not null && await pending.ConfigureAwait(false) is { } bridge)
        {
            _bridging?.Totals.OnEnded(bridge);
            await bridge.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static CallStatus StatusOf(SipCallEnd end) => end.Outcome switch
    {
        SipCallOutcome.Completed => CallStatus.Completed,
        SipCallOutcome.NoAnswer => CallStatus.NoAnswer,
        _ => CallStatus.Failed,
    };

    /// <summary>Reasons as the API reports them: <c>hangup</c>, <c>ring_timeout</c>, <c>caller_canceled</c>, or <c>sip_&lt;code&gt;: &lt;text&gt;</c>.</summary>
    internal static string ReasonOf(SipCallEnd end) => end.Outcome switch
    {
        SipCallOutcome.Completed => "hangup",
        SipCallOutcome.NoAnswer when end.StatusCode == 487 && end.ByRemote => "caller_canceled",
        SipCallOutcome.NoAnswer when end.StatusCode == 487 => "ring_timeout",
        _ when end.StatusCode > 0 => $"sip_{end.StatusCode}: {end.Reason}",
        _ => end.Reason,
    };
}

/// <summary>Log messages of the SIP legs.</summary>
internal static partial class SipLegLog
{
    [LoggerMessage(EventId = 5112, Level = LogLevel.Warning, Message = "SIP bridge for call {CallSid} could not join the relay; the call goes on without relay audio")]
    public static partial void BridgeFailed(ILogger logger, Exception ex, string callSid);
}
