using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// Dials E.164 destinations through a configured SIP trunk (the call's trunkId, else the default trunk); the
/// leg bridges the call's media to its relay tracks when <paramref name="bridging"/> is given.
/// </summary>
internal sealed class SipCallDialer(SipUserAgentHost host, SipBridgeServices? bridging = null) : ICallDialer
{
    public bool CanDial(CallRecord call) =>
        host.IsRunning && Destinations.IsE164(call.To) && TrunkFor(call) is not null;

    public ValueTask<ICallLeg> DialAsync(CallRecord call, ICallLegEvents events, CancellationToken cancellationToken)
    {
        var trunk = TrunkFor(call) ?? throw new InvalidOperationException($"no SIP trunk for call {call.Sid}");
        var leg = bridging is null ? new SipCallLeg(events) : new SipCallLeg(events, bridging, call.OrgId, call.Sid);
        try
        {
            var sip = host.Agent.PlaceCall(trunk, new SipCallRequest
            {
                To = call.To,
                From = call.From,
                RingTimeout = TimeSpan.FromSeconds(call.RingTimeoutSeconds),
                Headers = [new("X-ClutchCall-Sid", call.Sid)],
            });
            leg.Attach(sip);
        }
        catch (SipTrunkLimitException e)
        {
            leg.FailAtOnce("trunk_limit: " + e.Message);
        }

        return ValueTask.FromResult<ICallLeg>(leg);
    }

    private string? TrunkFor(CallRecord call)
    {
        var trunks = host.Options.Trunks;
        if (call.TrunkId is { } id)
        {
            return trunks.ContainsKey(id) ? id : null;
        }

        if (host.Options.DefaultTrunk is { } d && trunks.ContainsKey(d))
        {
            return d;
        }

        return trunks.Count == 1 ? trunks.Keys.First() : null;
    }
}
