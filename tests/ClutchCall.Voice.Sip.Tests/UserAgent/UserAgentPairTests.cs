using ClutchCall.Voice.Sip.Sdp;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>
/// Two of our user agents on loopback: the in-dialog features sipp's canned scenarios do not cover
/// (policy rejection, hold/resume by re-INVITE, RFC 4733 digits out, SIP INFO digits, BYE from the UAS).
/// </summary>
public sealed class UserAgentPairTests
{
    private sealed class AllowOnly(string caller) : ISipInboundPolicy
    {
        public SipInboundDecision Evaluate(SipInboundCallInfo call) =>
            call.CallerId == caller ? SipInboundDecision.Allow : SipInboundDecision.Reject(603, "Decline");
    }

    private static (SipUserAgent Callee, SipUserAgent Caller) Pair(ISipInboundPolicy? policy = null)
    {
        var callee = TestAgents.Create([], policy: policy, acceptUnknown: true);
        var caller = TestAgents.Create([TestAgents.Trunk(callee.Port)]);
        return (callee, caller);
    }

    [Fact]
    public async Task Inbound_CallerNotOnAllowList_RejectedBeforeMedia()
    {
        var ct = TestContext.Current.CancellationToken;
        var (callee, caller) = Pair(new AllowOnly("+14155550111"));
        await using var calleeScope = callee;
        await using var callerScope = caller;
        var offered = false;
        callee.IncomingCall += _ => offered = true;

        var call = caller.PlaceCall("t1", new SipCallRequest { To = "+14155550100", From = "+14155550999" });
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(5), ct);

        Assert.Equal(SipCallOutcome.Failed, end.Outcome);
        Assert.Equal(603, end.StatusCode);
        Assert.False(offered);
        Assert.False(call.HasEarlyMedia);
    }

    [Fact]
    public async Task Call_HoldResumeDigitsAndByeFromCallee_AllObserved()
    {
        var ct = TestContext.Current.CancellationToken;
        var (callee, caller) = Pair(new AllowOnly("+14155550111"));
        await using var calleeScope = callee;
        await using var callerScope = caller;
        var inbound = new TaskCompletionSource<SipCall>();
        var digits = new List<char>();
        var holds = new List<bool>();
        callee.IncomingCall += c =>
        {
            c.HoldChanged += (_, hold) =>
            {
                lock (holds)
                {
                    holds.Add(hold);
                }
            };
            _ = Task.Run(async () =>
            {
                await c.AcceptAsync();
                c.Media!.DigitReceived += d =>
                {
                    lock (digits)
                    {
                        digits.Add(d);
                    }
                };
                inbound.TrySetResult(c);
            }, ct);
        };

        var call = caller.PlaceCall("t1", new SipCallRequest { To = "+14155550100", From = "+14155550111" });
        var answered = new TaskCompletionSource();
        call.Answered += _ => answered.TrySetResult();
        var callee1 = await inbound.Task.WaitAsync(TimeSpan.FromSeconds(5), ct);
        await answered.Task.WaitAsync(TimeSpan.FromSeconds(5), ct);

        // Audio must flow for the symmetric-RTP latch; then RFC 4733 digits out of the caller.
        var silence = new short[160];
        for (var i = 0; i < 5; i++)
        {
            call.Media!.SendPcm(silence);
            callee1.Media!.SendPcm(silence);
            await Task.Delay(20, ct);
        }

        await call.Media!.SendDigitsAsync("47*", ct);
        await Task.Delay(300, ct);
        lock (digits)
        {
            Assert.Equal("47*", new string([.. digits]));
        }

        await call.SetHoldAsync(true, ct);
        Assert.True(call.LocalHold);
        Assert.Equal(SdpDirection.SendOnly, call.MediaSession!.Direction);
        Assert.True(callee1.RemoteHold);
        Assert.Equal(SdpDirection.RecvOnly, callee1.MediaSession!.Direction);
        await call.SetHoldAsync(false, ct);
        Assert.False(callee1.RemoteHold);
        Assert.Equal(SdpDirection.SendRecv, callee1.MediaSession.Direction);
        lock (holds)
        {
            Assert.Equal([true, false], holds);
        }

        await callee1.HangupAsync(ct);
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
        Assert.True(end.ByRemote);
        Assert.Equal(0, caller.ActiveCalls);
        Assert.Equal(0, callee.ActiveCalls);
    }
}
