using ClutchCall.Voice.Sip.Tests.Interop;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport;
using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>
/// RFC 4028 session timers against real sipp and UA-to-UA. sipp runs in real time; our user agent's clock is a
/// <see cref="FakeTimeProvider"/>, so the 90 s intervals are crossed by moving the clock, not by waiting.
/// </summary>
public sealed class SessionTimerUacTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static async Task<SipCall> PlaceAnsweredCallAsync(SipUserAgent ua, FakeTimeProvider time, CancellationToken ct, SippProcess? sipp = null)
    {
        var answered = new TaskCompletionSource();
        var call = ua.PlaceCall("t1", new SipCallRequest { To = "+14155550123" });
        call.Answered += _ => answered.TrySetResult();
        var first = await Task.WhenAny(answered.Task, call.Completion, Task.Delay(Generous, ct));
        if (first != answered.Task)
        {
            // Let the frozen clock run out the ring timeout so the call (and the agent's disposal) can end.
            time.Advance(TimeSpan.FromMinutes(5));
            Assert.Fail($"call not answered: {call.State} {call.EndInfo}; sipp: {sipp?.Errors}");
        }

        return call;
    }

    [Fact]
    public async Task PlaceCall_SippAnswersRefresherUac_RefreshedByUpdateAtHalfInterval()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.AnswerWithSessionTimer(refreshes: 2, allowUpdate: true))} -i 127.0.0.1 -p {sippPort} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -m 1");
        await using var ua = FakeClockAgents.Create(time, [TestAgents.Trunk(sippPort)]);
        await using var clockPump = FakeClockAgents.RunClockOnDispose(time);
        await FakeClockAgents.WaitForUdpListenerAsync(sippPort, ct);

        var call = await PlaceAnsweredCallAsync(ua, time, ct, sipp);
        Assert.Equal(TimeSpan.FromSeconds(90), call.SessionInterval);
        Assert.True(call.LocalRefresher);

        // RFC 4028 §7.4: nothing before half the interval, an UPDATE at it, and again half an interval after each 2xx.
        time.Advance(TimeSpan.FromSeconds(44));
        await Task.Delay(200, ct);
        Assert.Equal(0, call.SessionRefreshes);
        time.Advance(TimeSpan.FromSeconds(1));
        await FakeClockAgents.WaitUntilAsync(() => call.SessionRefreshes == 1, "first UPDATE refresh", ct);
        time.Advance(TimeSpan.FromSeconds(45));
        await FakeClockAgents.WaitUntilAsync(() => call.SessionRefreshes == 2, "second UPDATE refresh", ct);
        Assert.Equal(SipCallState.Answered, call.State);

        await call.HangupAsync(ct);
        var rc = await sipp.WaitAsync(Generous, ct);
        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");
    }

    [Fact]
    public async Task PlaceCall_PeerAllowsNoUpdate_RefreshedByReInviteWithSameSdp()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.AnswerWithSessionTimer(refreshes: 1, allowUpdate: false))} -i 127.0.0.1 -p {sippPort} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -m 1");
        await using var ua = FakeClockAgents.Create(time, [TestAgents.Trunk(sippPort)]);
        await using var clockPump = FakeClockAgents.RunClockOnDispose(time);
        await FakeClockAgents.WaitForUdpListenerAsync(sippPort, ct);

        var call = await PlaceAnsweredCallAsync(ua, time, ct, sipp);
        time.Advance(TimeSpan.FromSeconds(45));
        await FakeClockAgents.WaitUntilAsync(() => call.SessionRefreshes == 1, "re-INVITE refresh", ct);

        await call.HangupAsync(ct);
        var rc = await sipp.WaitAsync(Generous, ct);
        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");
    }

    [Fact]
    public async Task PlaceCall_RefreshRefused481_CallEndsWithBye()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.AnswerWithSessionTimer(refreshes: 1, allowUpdate: true, failStatus: 481))} -i 127.0.0.1 -p {sippPort} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -m 1");
        await using var ua = FakeClockAgents.Create(time, [TestAgents.Trunk(sippPort)]);
        await using var clockPump = FakeClockAgents.RunClockOnDispose(time);
        await FakeClockAgents.WaitForUdpListenerAsync(sippPort, ct);

        var call = await PlaceAnsweredCallAsync(ua, time, ct, sipp);
        time.Advance(TimeSpan.FromSeconds(45));
        await FakeClockAgents.WaitUntilAsync(() => call.SessionRefreshes == 1, "first refresh", ct);
        time.Advance(TimeSpan.FromSeconds(45));

        // RFC 3261 §12.2.1.2: a 481 to an in-dialog request ends the dialog; sipp checks our BYE arrives.
        var end = await call.Completion.WaitAsync(Generous, ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
        Assert.Equal(481, end.StatusCode);
        Assert.Contains("session refresh failed", end.Reason, StringComparison.Ordinal);
        var rc = await sipp.WaitAsync(Generous, ct);
        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");
    }

    [Fact]
    public async Task PlaceCall_Sipp422WithMinSe_RetriedOnceWithMinSeThenExpiresWithByeAsPeerNeverRefreshes()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.Reject422ThenAnswer(120))} -i 127.0.0.1 -p {sippPort} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -m 1");
        var trunk = TestAgents.Trunk(sippPort);
        trunk.SessionExpiresSeconds = 90;
        await using var ua = FakeClockAgents.Create(time, [trunk]);
        await using var clockPump = FakeClockAgents.RunClockOnDispose(time);
        await FakeClockAgents.WaitForUdpListenerAsync(sippPort, ct);

        var call = await PlaceAnsweredCallAsync(ua, time, ct, sipp);
        Assert.Equal(TimeSpan.FromSeconds(120), call.SessionInterval);
        Assert.False(call.LocalRefresher);

        // RFC 4028 §10: the refresher (sipp) never refreshes, so we end the session at 120 - min(32, 120/3) = 88 s.
        time.Advance(TimeSpan.FromSeconds(87));
        await Task.Delay(200, ct);
        Assert.Equal(SipCallState.Answered, call.State);
        time.Advance(TimeSpan.FromSeconds(2));
        var end = await call.Completion.WaitAsync(Generous, ct);
        Assert.Equal(408, end.StatusCode);
        Assert.Contains("session timer expired", end.Reason, StringComparison.Ordinal);
        var rc = await sipp.WaitAsync(Generous, ct);
        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");
    }

    [Fact]
    public async Task IncomingCall_SippAsksRefresherUas_WeRefreshByUpdate()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        await using var ua = FakeClockAgents.Create(time, [TestAgents.Trunk(5060)]);
        await using var clockPump = FakeClockAgents.RunClockOnDispose(time);
        var accepted = FakeClockAgents.AcceptEachCall(ua);

        using var sipp = SippProcess.Start($"127.0.0.1:{ua.Port} -sf {SippScenarios.Write(SippScenarios.UacAskingUasRefresher())} -s +14155550100 -i 127.0.0.1 -p {SippProcess.FreeUdpPort()} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -m 1");
        var call = await accepted.WaitAsync(Generous, ct);
        await FakeClockAgents.WaitUntilAsync(() => call.AckReceived, "the ACK for our 200", ct);
        Assert.True(call.LocalRefresher);
        Assert.Equal(TimeSpan.FromSeconds(90), call.SessionInterval);

        time.Advance(TimeSpan.FromSeconds(45));
        await FakeClockAgents.WaitUntilAsync(() => call.SessionRefreshes == 1, $"our UPDATE refresh ({call.State} {call.EndInfo}; sipp {sipp.Errors})", ct);
        var rc = await sipp.WaitAsync(Generous, ct);
        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");
        var end = await call.Completion.WaitAsync(Generous, ct);
        Assert.True(end.ByRemote);
    }

    [Fact]
    public async Task UaToUa_CallerRefreshes_RemoteReInviteRearmsTimerAndCalleeNeverExpires()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        await using var callee = FakeClockAgents.Create(time, [], acceptUnknown: true);
        var trunk = TestAgents.Trunk(callee.Port);
        trunk.SessionExpiresSeconds = 90;
        await using var caller = FakeClockAgents.Create(time, [trunk]);
        await using var clockPump = FakeClockAgents.RunClockOnDispose(time);
        var inbound = FakeClockAgents.AcceptEachCall(callee);

        var call = await PlaceAnsweredCallAsync(caller, time, ct);
        var peer = await inbound.WaitAsync(Generous, ct);
        await FakeClockAgents.WaitUntilAsync(() => peer.AckReceived, "the ACK for the callee's 200", ct);
        Assert.True(call.LocalRefresher);
        Assert.False(peer.LocalRefresher);
        Assert.Equal(TimeSpan.FromSeconds(90), peer.SessionInterval);

        // Three refreshes carry the call well past the 60 s at which the callee would end an unrefreshed session.
        for (var i = 1; i <= 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(45));
            var expected = i;
            await FakeClockAgents.WaitUntilAsync(() => call.SessionRefreshes == expected, $"refresh {i} ({call.State} {call.EndInfo}; callee {peer.State} {peer.EndInfo})", ct);
        }

        Assert.Equal(SipCallState.Answered, peer.State);

        // RFC 4028 §10: the callee's hold re-INVITE is a refresh too; it keeps the caller as refresher and restarts its
        // half-interval, so no refresh of ours is due 44 s later but one is at 45 s.
        time.Advance(TimeSpan.FromSeconds(30));
        await peer.SetHoldAsync(true, ct);
        time.Advance(TimeSpan.FromSeconds(44));
        await Task.Delay(200, ct);
        Assert.Equal(3, call.SessionRefreshes);
        time.Advance(TimeSpan.FromSeconds(1));
        await FakeClockAgents.WaitUntilAsync(() => call.SessionRefreshes == 4, "refresh after the re-INVITE", ct);
        Assert.Equal(SipCallState.Answered, call.State);
        Assert.Equal(SipCallState.Answered, peer.State);

        await call.HangupAsync(ct);
        var end = await peer.Completion.WaitAsync(Generous, ct);
        Assert.True(end.ByRemote);
    }
}
