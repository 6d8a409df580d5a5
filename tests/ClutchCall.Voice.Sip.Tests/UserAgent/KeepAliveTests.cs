using System.Net;
using System.Net.Sockets;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Tests.Interop;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport;
using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>
/// OPTIONS keep-alive toward trunks (RFC 3261 §11): sipp answering makes a trunk up, a silent target makes it down
/// exactly when Timer F fires (driven by a fake clock), any final response (404, 405, 501) counts as reachable, a
/// refused TCP connection is a transport error, and a transition is reported once, not per probe.
/// </summary>
public sealed class KeepAliveTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private static SipUserAgent Agent(SipTrunkOptions trunk, TimeProvider time) => TestAgents.Start(TestAgents.Loopback(), [trunk], time);

    private static SipTrunkOptions Trunk(int port, int keepAliveSeconds, string transport = "udp") =>
        new() { Id = "carrier", Host = "127.0.0.1", Port = port, Transport = transport, KeepAliveSeconds = keepAliveSeconds, DefaultCallerId = "+14155550100" };

    [Fact]
    public async Task KeepAlive_SippAnswersOptions_TrunkUpOnceWithRoundTrip()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.OptionsUas())} -i 127.0.0.1 -p {port} -m 2");
        await Task.Delay(300, ct);
        var changes = new List<SipTrunkHealth>();
        await using var ua = Agent(Trunk(port, keepAliveSeconds: 1), TimeProvider.System);
        ua.TrunkHealthChanged += h =>
        {
            lock (changes)
            {
                changes.Add(h);
            }
        };
        Assert.Equal(SipTrunkState.Unknown, ua.TrunkHealth("carrier").State);

        // sipp exits 0 once it has answered two probes: two keep-alives reached it as well-formed OPTIONS.
        Assert.True(await sipp.WaitAsync(TimeSpan.FromSeconds(30), ct) == 0, sipp.Errors);
        await SipResponder.WaitUntilAsync(() => ua.TrunkHealth("carrier").ProbesSent >= 2, TimeSpan.FromSeconds(10), ct);

        var health = ua.TrunkHealth("carrier");
        Assert.Equal(SipTrunkState.Up, health.State);
        Assert.Equal(200, health.LastStatus);
        Assert.Equal(port, health.Target!.Port);
        Assert.InRange(health.LastRoundTrip!.Value, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5));
        Assert.Equal(1, health.Transitions);
        Assert.Null(health.LastError);
        lock (changes)
        {
            Assert.Equal([SipTrunkState.Up], changes.Select(c => c.State));
        }
    }

    [Fact]
    public async Task KeepAlive_SilentTarget_DownAtTimerFThenUpWhenItAnswersAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        using var target = new SipResponder();
        var changes = new List<SipTrunkHealth>();
        await using var ua = Agent(Trunk(target.Port, keepAliveSeconds: 30), time);
        ua.TrunkHealthChanged += h =>
        {
            lock (changes)
            {
                changes.Add(h);
            }
        };

        // Nothing is sent before one interval has passed.
        time.Advance(Interval - TimeSpan.FromSeconds(1));
        await Task.Delay(200, ct);
        Assert.Empty(target.Requests);
        time.Advance(TimeSpan.FromSeconds(1));
        await SipResponder.WaitUntilAsync(() => target.Requests.Count >= 1, TimeSpan.FromSeconds(10), ct);
        var probe = Assert.Single(target.Requests);
        Assert.Equal("OPTIONS", probe.Method);
        Assert.Equal($"sip:127.0.0.1:{target.Port}", probe.RequestUriText);
        Assert.NotNull(probe.From?.Tag);
        Assert.Null(probe.To?.Tag);

        // RFC 3261 §17.1.2.2: Timer E retransmits at T1 (which also shows the transaction's timers are armed); Timer F
        // (64*T1 = 32 s) has not fired a moment before its time.
        await RetransmittedAsync(time, target, 2, ct);
        time.Advance(TimeSpan.FromSeconds(31.4));
        await Task.Delay(200, ct);
        Assert.True(target.Requests.Count > 2, "Timer E kept retransmitting the OPTIONS over UDP");
        Assert.Equal(SipTrunkState.Unknown, ua.TrunkHealth("carrier").State);

        time.Advance(TimeSpan.FromSeconds(0.1));
        await SipResponder.WaitUntilAsync(() => ua.TrunkHealth("carrier").State == SipTrunkState.Down, TimeSpan.FromSeconds(10), ct);
        var down = ua.TrunkHealth("carrier");
        Assert.Equal(SipTrunkState.Down, down.State);
        Assert.Equal(408, down.LastStatus);
        Assert.Contains($"127.0.0.1:{target.Port} (UDP): no response (Timer F)", down.LastError, StringComparison.Ordinal);
        Assert.Equal(time.GetUtcNow(), down.LastChange);
        Assert.Equal(1, down.ProbesFailed);

        // A second silent probe keeps it down without another transition.
        time.Advance(Interval);
        await SipResponder.WaitUntilAsync(() => target.Transactions("OPTIONS") >= 2, TimeSpan.FromSeconds(10), ct);
        await RetransmittedAsync(time, target, target.Requests.Count + 1, ct);
        time.Advance(TimeSpan.FromSeconds(31.5));
        await SipResponder.WaitUntilAsync(() => ua.TrunkHealth("carrier").ProbesFailed >= 2, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SipTrunkState.Down, ua.TrunkHealth("carrier").State);
        Assert.Equal(1, ua.TrunkHealth("carrier").Transitions);

        // Recovery: the target now answers (405: it dislikes OPTIONS, yet it is there).
        target.Answer = r => SipResponseFactory.Create(r, 405, "Method Not Allowed");
        time.Advance(Interval);
        await SipResponder.WaitUntilAsync(() => ua.TrunkHealth("carrier").State == SipTrunkState.Up, TimeSpan.FromSeconds(10), ct);
        var up = ua.TrunkHealth("carrier");
        Assert.Equal(SipTrunkState.Up, up.State);
        Assert.Equal(405, up.LastStatus);
        Assert.Null(up.LastError);
        Assert.Equal(2, up.Transitions);
        Assert.Equal(time.GetUtcNow(), up.LastChange);
        lock (changes)
        {
            Assert.Equal([SipTrunkState.Down, SipTrunkState.Up], changes.Select(c => c.State));
        }
    }

    /// <summary>
    /// Moves the clock in steps of T1 until Timer E retransmits: then the probe's timers were armed exactly one T1 ago,
    /// whichever moment the user agent's thread armed them at, so Timer F is due 64*T1 - T1 = 31.5 s from now.
    /// </summary>
    private static async Task RetransmittedAsync(FakeTimeProvider time, SipResponder target, int requests, CancellationToken ct)
    {
        for (var step = 0; step < 5 && target.Requests.Count < requests; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            await SipResponder.WaitUntilAsync(() => target.Requests.Count >= requests, TimeSpan.FromSeconds(3), ct);
        }

        Assert.True(target.Requests.Count >= requests, $"no retransmission ({target.Requests.Count} requests)");
    }

    [Theory]
    [InlineData(404, "Not Found")]
    [InlineData(501, "Not Implemented")]
    [InlineData(503, "Service Unavailable")]
    public async Task KeepAlive_AnyFinalResponse_TrunkUp(int status, string reason)
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        using var target = new SipResponder(r => SipResponseFactory.Create(r, status, reason));
        await using var ua = Agent(Trunk(target.Port, keepAliveSeconds: 30), time);

        time.Advance(Interval);
        await SipResponder.WaitUntilAsync(() => ua.TrunkHealth("carrier").State != SipTrunkState.Unknown, TimeSpan.FromSeconds(10), ct);

        var health = ua.TrunkHealth("carrier");
        Assert.Equal(SipTrunkState.Up, health.State);
        Assert.Equal(status, health.LastStatus);
    }

    [Fact]
    public async Task KeepAlive_TcpConnectionRefused_DownWithTransportError()
    {
        var ct = TestContext.Current.CancellationToken;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var ua = Agent(Trunk(closedPort, keepAliveSeconds: 1, transport: "tcp"), TimeProvider.System);

        await SipResponder.WaitUntilAsync(() => ua.TrunkHealth("carrier").State != SipTrunkState.Unknown, TimeSpan.FromSeconds(20), ct);

        var health = ua.TrunkHealth("carrier");
        Assert.Equal(SipTrunkState.Down, health.State);
        Assert.Equal(503, health.LastStatus);
        Assert.Contains($"127.0.0.1:{closedPort} (TCP): TCP connection to", health.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepAlive_Off_NoProbesAndHealthUnknown()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        using var target = new SipResponder(r => SipResponseFactory.Create(r, 200, "OK"));
        await using var ua = Agent(Trunk(target.Port, keepAliveSeconds: 0), time);

        time.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(200, ct);

        Assert.Empty(target.Requests);
        Assert.Equal(SipTrunkState.Unknown, ua.TrunkHealth("carrier").State);
        Assert.Throws<ArgumentException>(() => ua.TrunkHealth("nope"));
    }

    [Fact]
    public void Validate_NegativeKeepAlive_Refused()
    {
        var trunk = Trunk(5060, keepAliveSeconds: -1);
        var e = Assert.Throws<ArgumentException>(trunk.Validate);
        Assert.Contains("KeepAliveSeconds", e.Message, StringComparison.Ordinal);
    }
}
