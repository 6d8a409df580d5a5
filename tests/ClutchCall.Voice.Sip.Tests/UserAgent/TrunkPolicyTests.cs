using System.Text.RegularExpressions;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Tests.Interop;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport;
using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>
/// Per-trunk policy as the far end sees it: caller-ID rules (From user and display name, RFC 3325
/// P-Asserted-Identity) read from sipp's own message trace; the outbound call-rate limit (a token bucket on a fake
/// clock) and the concurrent-call cap refusing calls with a 503 naming the limit, inbound included.
/// </summary>
public sealed class TrunkPolicyTests
{
    /// <summary>The INVITE sipp received, from its <c>-trace_msg</c> log (written by sipp, not by us).</summary>
    private static string InviteSippReceived(SippProcess sipp)
    {
        var dir = Path.GetDirectoryName(sipp.ErrorFile)!;
        var log = Directory.GetFiles(dir, "*_messages.log").Single();
        var text = File.ReadAllText(log);
        var start = text.IndexOf("INVITE sip:", StringComparison.Ordinal);
        Assert.True(start >= 0, "sipp logged no INVITE:\n" + text);
        var end = text.IndexOf("\n\n", start, StringComparison.Ordinal);
        return text[start..(end < 0 ? text.Length : end)].Replace("\r", string.Empty, StringComparison.Ordinal);
    }

    private static string? Header(string message, string name) =>
        Regex.Match(message, "^" + Regex.Escape(name) + @":\s*(.*)$", RegexOptions.Multiline | RegexOptions.IgnoreCase) is { Success: true } m ? m.Groups[1].Value.Trim() : null;

    private static async Task<string> CallSippAndCaptureInviteAsync(SipTrunkOptions trunk, string? from, CancellationToken ct)
    {
        using var sipp = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.Reject(486, "Busy Here"))} -i 127.0.0.1 -p {trunk.Port} -m 1 -trace_msg");
        await Task.Delay(300, ct);
        await using var ua = TestAgents.Create([trunk]);
        var call = ua.PlaceCall(trunk.Id, new SipCallRequest { To = "+14155550123", From = from });
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(15), ct);
        Assert.Equal(486, end.StatusCode);
        Assert.True(await sipp.WaitAsync(TimeSpan.FromSeconds(15), ct) == 0, sipp.Errors);
        return InviteSippReceived(sipp);
    }

    [Fact]
    public async Task CallerId_DisplayNameAndPai_SippReceivesTrunkIdentity()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = SippProcess.FreeUdpPort();
        var trunk = TestAgents.Trunk(port, "PCMU");
        trunk.DefaultCallerId = "+14155550199";
        trunk.CallerIdDisplayName = "Acme \"Support\"";
        trunk.SendPAssertedIdentity = true;
        trunk.KeepAliveSeconds = 0;

        var invite = await CallSippAndCaptureInviteAsync(trunk, from: null, ct);

        // RFC 3261 §20.20 / §25.1: the display name is a quoted-string, so an embedded quote is dropped, not sent raw.
        Assert.Matches($"^\"Acme Support\" <sip:\\+14155550199@127\\.0\\.0\\.1:{port}>;tag=\\S+$", Header(invite, "From"));
        // RFC 3325 §9.1: the asserted identity is the same caller ID.
        Assert.Equal($"<sip:+14155550199@127.0.0.1:{port}>", Header(invite, "P-Asserted-Identity"));
        Assert.Equal($"<sip:+14155550123@127.0.0.1:{port}>", Header(invite, "To"));
    }

    [Fact]
    public async Task CallerId_PerCallFromWithoutPai_SippReceivesCallerIdAndNoAssertion()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = SippProcess.FreeUdpPort();
        var trunk = TestAgents.Trunk(port, "PCMU");
        trunk.DefaultCallerId = "+14155550199";
        trunk.KeepAliveSeconds = 0;

        var invite = await CallSippAndCaptureInviteAsync(trunk, from: "+442071838750", ct);

        Assert.Matches($"^<sip:\\+442071838750@127\\.0\\.0\\.1:{port}>;tag=\\S+$", Header(invite, "From"));
        Assert.Null(Header(invite, "P-Asserted-Identity"));
    }

    [Fact]
    public async Task MaxCallsPerSecond_BurstAboveRate_RefusedWith503UntilTheBucketRefills()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        using var busy = new SipResponder(r => r.Method == "INVITE" ? SipResponseFactory.Create(r, 486, "Busy Here") : null);
        var trunk = TestAgents.Trunk(busy.Port, "PCMU");
        trunk.MaxCallsPerSecond = 2;
        trunk.KeepAliveSeconds = 0;
        await using var ua = TestAgents.Start(TestAgents.Loopback(), [trunk], time);
        var request = new SipCallRequest { To = "+14155550123" };

        // A bucket of 2 tokens: two calls at once pass, the third in the same instant is refused.
        var first = ua.PlaceCall("t1", request);
        var second = ua.PlaceCall("t1", request);
        var refused = Assert.Throws<SipTrunkLimitException>(() => ua.PlaceCall("t1", request));
        Assert.Equal(503, refused.StatusCode);
        Assert.Equal("t1", refused.TrunkId);
        Assert.Equal("trunk 't1': trunk call rate limit of 2 calls/s reached", refused.Message);
        Assert.Equal(2, await WaitInvitesAsync(busy, 2, ct));

        // Both admitted calls end (486); finishing calls frees no rate tokens, only time does.
        await Task.WhenAll(first.Completion, second.Completion).WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Throws<SipTrunkLimitException>(() => ua.PlaceCall("t1", request));
        time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Throws<SipTrunkLimitException>(() => ua.PlaceCall("t1", request));
        time.Advance(TimeSpan.FromMilliseconds(200));
        var third = ua.PlaceCall("t1", request);
        Assert.Throws<SipTrunkLimitException>(() => ua.PlaceCall("t1", request));
        var end = await third.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(486, end.StatusCode);
        Assert.Equal(3, await WaitInvitesAsync(busy, 3, ct));
    }

    private static async Task<int> WaitInvitesAsync(SipResponder responder, int count, CancellationToken ct)
    {
        await SipResponder.WaitUntilAsync(() => responder.Transactions("INVITE") >= count, TimeSpan.FromSeconds(10), ct);
        return responder.Transactions("INVITE");
    }

    [Fact]
    public async Task MaxConcurrentCalls_AtTheCap_OutboundRefusedUntilACallEnds()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.RingForever())} -i 127.0.0.1 -p {port} -m 3");
        await Task.Delay(300, ct);
        var trunk = TestAgents.Trunk(port, "PCMU");
        trunk.MaxConcurrentCalls = 2;
        trunk.KeepAliveSeconds = 0;
        await using var ua = TestAgents.Create([trunk]);
        var request = new SipCallRequest { To = "+14155550123" };

        var first = ua.PlaceCall("t1", request);
        var second = ua.PlaceCall("t1", request);
        await SipResponder.WaitUntilAsync(() => first.State == SipCallState.Ringing && second.State == SipCallState.Ringing, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SipCallState.Ringing, first.State);
        Assert.Equal(SipCallState.Ringing, second.State);

        var refused = Assert.Throws<SipTrunkLimitException>(() => ua.PlaceCall("t1", request));
        Assert.Equal(503, refused.StatusCode);
        Assert.Equal("trunk 't1': trunk is at its limit of 2 concurrent calls", refused.Message);
        Assert.Equal(2, ua.ActiveCalls);

        // CANCEL the first (sipp answers 200 and 487): its slot is free again.
        await first.HangupAsync(ct);
        var firstEnd = await first.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SipCallOutcome.NoAnswer, firstEnd.Outcome);
        var third = ua.PlaceCall("t1", request);
        await SipResponder.WaitUntilAsync(() => third.State == SipCallState.Ringing, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SipCallState.Ringing, third.State);

        await second.HangupAsync(ct);
        await third.HangupAsync(ct);
        await Task.WhenAll(second.Completion, third.Completion).WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(0, ua.ActiveCalls);
        Assert.True(await sipp.WaitAsync(TimeSpan.FromSeconds(15), ct) == 0, sipp.Errors);
    }

    [Fact]
    public async Task MaxConcurrentCalls_InboundAtTheCap_Answered503BeforeRinging()
    {
        var ct = TestContext.Current.CancellationToken;
        // The carrier is our own user agent placing calls toward the limited one.
        var inboundTrunk = TestAgents.Trunk(5060, "PCMU", "carrier");
        inboundTrunk.MaxConcurrentCalls = 1;
        inboundTrunk.KeepAliveSeconds = 0;
        await using var limited = TestAgents.Create([inboundTrunk]);
        var ringing = new List<SipCall>();
        limited.IncomingCall += c =>
        {
            lock (ringing)
            {
                ringing.Add(c);
            }
        };
        var toLimited = TestAgents.Trunk(limited.Port, "PCMU", "out");
        toLimited.Max503Retries = 0;
        toLimited.KeepAliveSeconds = 0;
        await using var carrier = TestAgents.Create([toLimited]);

        var first = carrier.PlaceCall("out", new SipCallRequest { To = "+14155550123" });
        await SipResponder.WaitUntilAsync(() => limited.ActiveCalls == 1 && first.State == SipCallState.Ringing, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(1, limited.ActiveCalls);

        var second = carrier.PlaceCall("out", new SipCallRequest { To = "+14155550123" });
        var end = await second.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SipCallOutcome.Failed, end.Outcome);
        Assert.Equal(503, end.StatusCode);
        lock (ringing)
        {
            Assert.Single(ringing);
        }

        await first.HangupAsync(ct);
        await first.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }
}
