using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Storage;
using ClutchCall.Voice.Sip.UserAgent;
using Microsoft.Extensions.Hosting;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// Turns INVITEs to configured numbers into <c>inbound</c> calls of the number's org. The user agent has
/// already sent 100 Trying, applied the caller-ID allow-list (<see cref="SipNumberPlan"/>) and sent 180 Ringing;
/// here the call is recorded in <c>ringing</c>, its leg (with the relay bridge) attached, and it is answered
/// 200 with the SDP answer, which moves it to <c>in_progress</c> and attaches the number's agent.
/// </summary>
internal sealed partial class SipInboundCalls(
    SipUserAgentHost host,
    CallService calls,
    IOrgStore orgs,
    SipBridgeServices bridging,
    ILogger<SipInboundCalls> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        host.InboundHandler = OnIncoming;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        host.InboundHandler = null;
        return Task.CompletedTask;
    }

    private void OnIncoming(SipCall call) => _ = TakeAsync(call);

    private async Task TakeAsync(SipCall call)
    {
        SipCallLeg? leg = null;
        try
        {
            if (host.Numbers.Match(call.Trunk, call.LocalParty) is not { } number)
            {
                await call.RejectAsync(404).ConfigureAwait(false);
                return;
            }

            var org = await orgs.FindOrgAsync(number.OrgId, CancellationToken.None).ConfigureAwait(false);
            if (org is null)
            {
                LogUnknownOrg(number.Did, number.OrgId);
                await call.RejectAsync(480, SipReasonPhrases.For(480)).ConfigureAwait(false);
                return;
            }

            var record = await calls.CreateInboundAsync(
                org.Id,
                SipNumberPlan.ToE164(number.Did),
                SipNumberPlan.ToE164(call.RemoteParty),
                call.Trunk?.Id ?? number.TrunkId,
                number.Agent,
                (created, events) =>
                {
                    leg = new SipCallLeg(events, bridging, created.OrgId, created.Sid);
                    leg.Attach(call);
                    return leg;
                },
                CancellationToken.None).ConfigureAwait(false);
            LogInbound(record.Sid, record.From, record.To, org.Id);

            // RFC 3261 §13.3.1.4: 200 OK with the SDP answer; the leg reports the answer to the call engine.
            await call.AcceptAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (call.EndInfo is not null)
        {
            // The caller gave up (CANCEL) while the call was being recorded; the leg reported the end.
            if (leg is not null)
            {
                await leg.DisposeAsync().ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // one failed inbound call must not take down the user agent
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogInboundFailed(ex, call.CallId);
            await call.RejectAsync(500, SipReasonPhrases.For(500)).ConfigureAwait(false);
            if (leg is not null)
            {
                await leg.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 5130, Level = LogLevel.Information, Message = "Inbound call {CallSid} from {From} to {To} for org {OrgId}")]
    private partial void LogInbound(string callSid, string from, string to, string orgId);

    [LoggerMessage(EventId = 5131, Level = LogLevel.Error, Message = "Sip:Numbers entry {Did} names org '{Org}', which does not exist; its calls are declined 480")]
    private partial void LogUnknownOrg(string did, string org);

    [LoggerMessage(EventId = 5132, Level = LogLevel.Error, Message = "Taking inbound SIP call {CallId} failed")]
    private partial void LogInboundFailed(Exception ex, string callId);
}
