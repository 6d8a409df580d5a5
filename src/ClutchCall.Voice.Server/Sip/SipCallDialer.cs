using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Storage;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// Dials E.164 destinations through a configured SIP trunk (the call's trunkId, else the default trunk, else
/// the first trunk the call's org may use); the leg bridges the call's media to its relay tracks when
/// <paramref name="bridging"/> is given. Trunks restricted to some orgs (<c>Orgs</c>) are never used for others.
/// </summary>
internal sealed class SipCallDialer(SipUserAgentHost host, SipBridgeServices? bridging = null, IOrgStore? orgs = null) : ICallDialer
{
    private readonly SipTrunkAccess _access = new(orgs);

    public bool CanDial(CallRecord call) =>
        host.IsRunning && Destinations.IsE164(call.To) && (call.TrunkId is null ? host.Options.Trunks.Count > 0 : host.Options.Trunks.ContainsKey(call.TrunkId));

    public async ValueTask<ICallLeg> DialAsync(CallRecord call, ICallLegEvents events, CancellationToken cancellationToken)
    {
        var leg = bridging is null ? new SipCallLeg(events) : new SipCallLeg(events, bridging, call.OrgId, call.Sid);
        if (await TrunkForAsync(call, cancellationToken).ConfigureAwait(false) is not { } trunk)
        {
            // The same words whether the trunk is someone else's or absent: nothing about other orgs leaks.
            leg.FailAtOnce(call.TrunkId is null ? "no_route: no SIP trunk is available to this org" : $"no_route: trunk '{call.TrunkId}' is not available");
            return leg;
        }

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

        return leg;
    }

    private async ValueTask<string?> TrunkForAsync(CallRecord call, CancellationToken cancellationToken)
    {
        var trunks = host.Options.Trunks;
        if (call.TrunkId is { } id)
        {
            return trunks.TryGetValue(id, out var named) && await _access.AllowsAsync(named, call.OrgId, cancellationToken).ConfigureAwait(false) ? id : null;
        }

        if (host.Options.DefaultTrunk is { } d && trunks.TryGetValue(d, out var preferred) && await _access.AllowsAsync(preferred, call.OrgId, cancellationToken).ConfigureAwait(false))
        {
            return d;
        }

        // No usable default: the first trunk (in configuration order) this org may use.
        foreach (var (trunkId, trunk) in trunks)
        {
            if (await _access.AllowsAsync(trunk, call.OrgId, cancellationToken).ConfigureAwait(false))
            {
                return trunkId;
            }
        }

        return null;
    }
}
