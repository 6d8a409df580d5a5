using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// One SIP call as the call engine sees it: dialog progress becomes ringing/answered/ended, and hangup and
/// transfer become CANCEL/BYE and REFER. The media (<see cref="Media"/>) is bridged to the relay by the host.
/// </summary>
internal sealed class SipCallLeg(ICallLegEvents events) : ICallLeg
{
    private SipCall? _call;
    private volatile bool _endedByUs;

    /// <summary>The call's audio once SDP was exchanged.</summary>
    public ISipCallMedia? Media => _call?.Media;

    public SipCall? Call => _call;

    internal void Attach(SipCall call)
    {
        _call = call;
        call.Ringing += (sender, early) => _ = events.RingingAsync().AsTask();
        call.Answered += sender => _ = events.AnsweredAsync().AsTask();
        call.Ended += (sender, end) =>
        {
            if (!_endedByUs)
            {
                _ = events.EndedAsync(StatusOf(end), ReasonOf(end)).AsTask();
            }
        };
        if (call.EndInfo is { } already && !_endedByUs)
        {
            _ = events.EndedAsync(StatusOf(already), ReasonOf(already)).AsTask();
        }
    }

    internal void FailAtOnce(string reason) => _ = events.EndedAsync(CallStatus.Failed, reason).AsTask();

    public async ValueTask HangupAsync(CancellationToken cancellationToken)
    {
        _endedByUs = true;
        if (_call is { } c)
        {
            await c.HangupAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask TransferAsync(string to, CancellationToken cancellationToken)
    {
        var c = _call ?? throw new InvalidOperationException("the SIP leg has no call");
        _endedByUs = true;
        await c.TransferAsync(to, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _call is { } c ? c.DisposeAsync() : ValueTask.CompletedTask;

    internal static CallStatus StatusOf(SipCallEnd end) => end.Outcome switch
    {
        SipCallOutcome.Completed => CallStatus.Completed,
        SipCallOutcome.NoAnswer => CallStatus.NoAnswer,
        _ => CallStatus.Failed,
    };

    /// <summary>Reasons as the API reports them: <c>hangup</c>, <c>ring_timeout</c>, or <c>sip_&lt;code&gt;: &lt;text&gt;</c>.</summary>
    internal static string ReasonOf(SipCallEnd end) => end.Outcome switch
    {
        SipCallOutcome.Completed => "hangup",
        SipCallOutcome.NoAnswer when end.StatusCode == 487 => "ring_timeout",
        _ when end.StatusCode > 0 => $"sip_{end.StatusCode}: {end.Reason}",
        _ => end.Reason,
    };
}
