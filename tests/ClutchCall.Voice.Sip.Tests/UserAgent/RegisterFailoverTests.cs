using System.Net;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Tests.Dns;
using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>
/// RFC 3263 §4.3 failover of REGISTER across the SRV targets of the registrar's domain (a loopback DNS zone): a
/// silent target (Timer F with a short T1), a 503 or a transport error moves the request to the next target with a
/// new branch; refreshes stick to the target that answered until it fails.
/// </summary>
public sealed class RegisterFailoverTests
{
    private const string Domain = "reg.failover.test";

    private static readonly TimeSpan TestT1 = TimeSpan.FromMilliseconds(50);

    private static LoopbackDnsZone Zone(params int[] ports)
    {
        var zone = new LoopbackDnsZone();
        for (var i = 0; i < ports.Length; i++)
        {
            var host = $"reg{i}.{Domain}";
            zone.AddSrv("_sip._udp." + Domain, (ushort)(10 * (i + 1)), 0, (ushort)ports[i], host);
            zone.AddA(host, IPAddress.Loopback);
        }

        return zone;
    }

    private static SipUserAgent Agent(LoopbackDnsZone zone, int expires = 2) =>
        TestAgents.Start(
            TestAgents.Loopback() with { Nameservers = [zone.EndPoint], Timers = new SipTimers { T1 = TestT1 } },
            [new SipTrunkOptions
            {
                Id = "reg", Host = Domain, Port = 0, Register = true, Username = "bridge", Password = "pw",
                RegisterExpiresSeconds = expires, KeepAliveSeconds = 0,
            }],
            TimeProvider.System);

    /// <summary>A registrar that challenges once (RFC 3261 §22.2) and grants <paramref name="expires"/> seconds.</summary>
    private static SipMessageBuilder Registrar(SipMessage r, int expires = 2) =>
        r.GetHeader("Authorization") is null
            ? SipResponseFactory.Create(r, 401, "Unauthorized").Add("WWW-Authenticate", $"Digest realm=\"{Domain}\", nonce=\"n0nce\", algorithm=MD5, qop=\"auth\"")
            : SipResponder.RegisterOk(r, expires);

    private static Task WaitAsync(Func<bool> condition, CancellationToken ct) => SipResponder.WaitUntilAsync(condition, TimeSpan.FromSeconds(30), ct);

    [Fact]
    public async Task Register_FirstSrvTargetSilent_RegistersThroughSecondAndRefreshesStickThere()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dead = new SipResponder();
        using var live = new SipResponder(r => Registrar(r));
        using var zone = Zone(dead.Port, live.Port);
        await using var ua = Agent(zone);
        var registration = ua.Registrations[0];

        await WaitAsync(() => registration.Successes >= 3, ct);

        Assert.True(registration.Successes >= 3, $"registered {registration.Successes} times; last status {registration.LastStatus}, {registration.LastError}");
        Assert.True(registration.IsRegistered);
        Assert.Equal(live.Port, registration.CurrentTarget!.Port);
        // The silent target saw one transaction (retransmitted by Timer E), never a refresh.
        Assert.Equal(1, dead.Transactions("REGISTER"));
        Assert.True(dead.Requests.Count > 1, "Timer E retransmitted the REGISTER to the silent target");
        // Each refresh is challenged once: two transactions per success, each with its own branch.
        Assert.True(live.Transactions("REGISTER") >= 6, $"{live.Transactions("REGISTER")} transactions at the live registrar");
        var callIds = dead.Requests.Concat(live.Requests).Select(r => r.CallId).Distinct();
        Assert.Single(callIds); // RFC 3261 §10.2: one Call-ID for every REGISTER of this binding
        var cseqs = live.Requests.Select(r => r.CSeq!.Value.Number).Distinct().ToList();
        Assert.Equal(cseqs.Order(), cseqs);
        Assert.True(cseqs[0] > dead.Requests[0].CSeq!.Value.Number, "the failed-over REGISTER takes the next CSeq");
    }

    [Fact]
    public async Task Register_FirstSrvTargetAnswers503_MovesOnAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var busy = new SipResponder(r => SipResponseFactory.Create(r, 503, "Service Unavailable").Add("Retry-After", "30"));
        using var live = new SipResponder(r => Registrar(r, expires: 60));
        using var zone = Zone(busy.Port, live.Port);
        await using var ua = Agent(zone, expires: 60);
        var registration = ua.Registrations[0];

        await WaitAsync(() => registration.IsRegistered, ct);

        Assert.True(registration.IsRegistered, $"last status {registration.LastStatus}, {registration.LastError}");
        Assert.Equal(live.Port, registration.CurrentTarget!.Port);
        Assert.Equal(1, busy.Transactions("REGISTER"));
        Assert.Contains($"127.0.0.1:{busy.Port} (UDP): 503 Service Unavailable", registration.LastError, StringComparison.Ordinal);
        Assert.Equal(60, registration.GrantedExpires);
    }

    [Fact]
    public async Task Register_StickyTargetGoesSilent_NextRefreshFailsOverAndSticksToTheNewTarget()
    {
        var ct = TestContext.Current.CancellationToken;
        using var first = new SipResponder(r => Registrar(r));
        using var second = new SipResponder(r => Registrar(r));
        using var zone = Zone(first.Port, second.Port);
        await using var ua = Agent(zone);
        var registration = ua.Registrations[0];

        await WaitAsync(() => registration.Successes >= 2, ct);
        Assert.Equal(first.Port, registration.CurrentTarget!.Port);
        Assert.Equal(0, second.Transactions("REGISTER"));

        // The registrar the binding lives on stops answering: the next refresh waits out Timer F there, then moves on.
        first.Answer = null;
        var before = registration.Successes;
        await WaitAsync(() => registration.CurrentTarget?.Port == second.Port && registration.Successes > before, ct);
        Assert.Equal(second.Port, registration.CurrentTarget!.Port);
        Assert.True(registration.IsRegistered);
        Assert.Contains($"127.0.0.1:{first.Port} (UDP): no response (Timer F)", registration.LastError, StringComparison.Ordinal);

        // Later refreshes stay on the second target; the first sees nothing more.
        var firstTransactions = first.Transactions("REGISTER");
        var moved = registration.Successes;
        await WaitAsync(() => registration.Successes >= moved + 2, ct);
        Assert.Equal(firstTransactions, first.Transactions("REGISTER"));
        Assert.Equal(second.Port, registration.CurrentTarget!.Port);
    }

    [Fact]
    public async Task Register_EverySrvTargetFails_NotRegisteredNamingEachTarget()
    {
        var ct = TestContext.Current.CancellationToken;
        using var silent = new SipResponder();
        using var busy = new SipResponder(r => SipResponseFactory.Create(r, 503, "Service Unavailable"));
        using var zone = Zone(silent.Port, busy.Port);
        await using var ua = Agent(zone);
        var registration = ua.Registrations[0];

        await registration.FirstAttempt.WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.False(registration.IsRegistered);
        Assert.Null(registration.CurrentTarget);
        Assert.Contains("no registrar answered", registration.LastError, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{silent.Port} (UDP): no response (Timer F)", registration.LastError, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{busy.Port} (UDP): 503 Service Unavailable", registration.LastError, StringComparison.Ordinal);
    }
}
