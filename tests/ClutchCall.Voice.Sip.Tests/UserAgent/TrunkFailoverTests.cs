using System.Net;
using System.Net.Sockets;
using ClutchCall.Voice.Sip.Tests.Dns;
using ClutchCall.Voice.Sip.Tests.Interop;
using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>
/// RFC 3263 §4.3 failover of an outbound INVITE across the SRV targets of a trunk's domain (served by a loopback
/// DNS zone): a silent target times out (Timer B, with a short T1), a 503 moves on, a provisional answer pins the
/// call to its target, and when every target fails the reason names them.
/// </summary>
public sealed class TrunkFailoverTests
{
    private const string Domain = "trunk.failover.test";

    private static readonly TimeSpan TestT1 = TimeSpan.FromMilliseconds(50);

    /// <summary>A UDP port that never answers: bound, never read, so nothing else can take it during the test.</summary>
    private sealed class SilentTarget : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        public SilentTarget() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        /// <summary>Bytes of the datagrams that reached it.</summary>
        public int Received => _socket.Available;

        public void Dispose() => _socket.Dispose();
    }

    private static LoopbackDnsZone Zone(params int[] ports)
    {
        var zone = new LoopbackDnsZone();
        for (var i = 0; i < ports.Length; i++)
        {
            var host = $"sbc{i}.{Domain}";
            zone.AddSrv("_sip._udp." + Domain, (ushort)(10 * (i + 1)), 0, (ushort)ports[i], host);
            zone.AddA(host, IPAddress.Loopback);
        }

        return zone;
    }

    private static SipUserAgent Agent(LoopbackDnsZone zone) =>
        TestAgents.Start(
            TestAgents.Loopback() with { DefaultRingTimeout = TimeSpan.FromSeconds(60), Nameservers = [zone.EndPoint], Timers = new SipTimers { T1 = TestT1 } },
            [new SipTrunkOptions { Id = "t1", Host = Domain, Port = 0, Codecs = "PCMU,PCMA", DefaultCallerId = "+14155550100", KeepAliveSeconds = 0 }],
            TimeProvider.System);

    private static async Task<SipCall> AnsweredAsync(SipUserAgent ua, CancellationToken ct)
    {
        var answered = new TaskCompletionSource();
        var call = ua.PlaceCall("t1", new SipCallRequest { To = "+14155550123" });
        call.Answered += _ => answered.TrySetResult();
        var done = await Task.WhenAny(answered.Task, call.Completion).WaitAsync(TimeSpan.FromSeconds(30), ct);
        if (done != answered.Task)
        {
            var end = await call.Completion;
            Assert.Fail($"the call ended unanswered: {end.StatusCode} {end.Reason}");
        }

        return call;
    }

    [Fact]
    public async Task PlaceCall_FirstSrvTargetSilent_ConnectsThroughSecondAfterTimerB()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dead = new SilentTarget();
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.Answer(0, "PCMU"))} -i 127.0.0.1 -p {sippPort} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -rtp_echo -m 1");
        using var zone = Zone(dead.Port, sippPort);
        await using var ua = Agent(zone);
        await Task.Delay(300, ct);

        var call = await AnsweredAsync(ua, ct);
        Assert.True(dead.Received > 0, "the first SRV target was never tried");

        await call.HangupAsync(ct);
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
        Assert.True(await sipp.WaitAsync(TimeSpan.FromSeconds(15), ct) == 0, sipp.Errors);
    }

    [Fact]
    public async Task PlaceCall_FirstSrvTargetAnswers503_ConnectsThroughSecond()
    {
        var ct = TestContext.Current.CancellationToken;
        var busyPort = SippProcess.FreeUdpPort();
        using var busy = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.Reject(503, "Service Unavailable"))} -i 127.0.0.1 -p {busyPort} -m 1");
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.Answer(0, "PCMU"))} -i 127.0.0.1 -p {sippPort} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -rtp_echo -m 1");
        using var zone = Zone(busyPort, sippPort);
        await using var ua = Agent(zone);
        await Task.Delay(300, ct);

        var call = await AnsweredAsync(ua, ct);

        // The 503 target saw its INVITE and the ACK for its 503, so it completed its one call.
        Assert.True(await busy.WaitAsync(TimeSpan.FromSeconds(15), ct) == 0, busy.Errors);
        await call.HangupAsync(ct);
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
        Assert.True(await sipp.WaitAsync(TimeSpan.FromSeconds(15), ct) == 0, sipp.Errors);
    }

    [Fact]
    public async Task PlaceCall_AllSrvTargetsSilent_FailsNamingEveryTargetTried()
    {
        var ct = TestContext.Current.CancellationToken;
        using var first = new SilentTarget();
        using var second = new SilentTarget();
        using var zone = Zone(first.Port, second.Port);
        await using var ua = Agent(zone);

        var call = ua.PlaceCall("t1", new SipCallRequest { To = "+14155550123" });
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(40), ct);

        Assert.Equal(SipCallOutcome.Failed, end.Outcome);
        Assert.Equal(408, end.StatusCode);
        Assert.Contains($"127.0.0.1:{first.Port} (UDP): no response (Timer B)", end.Reason, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{second.Port} (UDP): no response (Timer B)", end.Reason, StringComparison.Ordinal);
        Assert.True(first.Received > 0 && second.Received > 0, "both targets should have been sent the INVITE");
        Assert.Equal(0, ua.ActiveCalls);
    }

    [Fact]
    public async Task PlaceCall_FirstTargetRingsThen503_NoFailoverAfterProvisional()
    {
        var ct = TestContext.Current.CancellationToken;
        var ringPort = SippProcess.FreeUdpPort();
        var ringThen503 = SippScenarios.RingThenReject(503, "Service Unavailable", "Retry-After: 3600");
        using var ringing = SippProcess.Start($"-sf {SippScenarios.Write(ringThen503)} -i 127.0.0.1 -p {ringPort} -m 1");
        using var spare = new SilentTarget();
        using var zone = Zone(ringPort, spare.Port);
        await using var ua = Agent(zone);
        await Task.Delay(300, ct);

        var call = ua.PlaceCall("t1", new SipCallRequest { To = "+14155550123" });
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.Equal(SipCallOutcome.Failed, end.Outcome);
        Assert.Equal(503, end.StatusCode);
        Assert.True(await ringing.WaitAsync(TimeSpan.FromSeconds(15), ct) == 0, ringing.Errors);
        Assert.Equal(0, spare.Received);
    }
}
