using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Sip;
using ClutchCall.Voice.Server.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using ServerCallDirection = ClutchCall.Voice.Server.Calls.CallDirection;
using ServerCallStatus = ClutchCall.Voice.Server.Calls.CallStatus;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>
/// Trunks restricted to orgs (<c>Sip:Trunks:&lt;id&gt;:Orgs</c>): another org's call never leaves on them. Two UDP
/// sockets stand in for the carriers; what matters is which one the INVITE reaches.
/// </summary>
public sealed class SipTrunkOrgTests
{
    private sealed class EndedEvents : ICallLegEvents
    {
        public TaskCompletionSource<(ServerCallStatus Status, string Reason)> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask RingingAsync() => ValueTask.CompletedTask;

        public ValueTask AnsweredAsync() => ValueTask.CompletedTask;

        public ValueTask EndedAsync(ServerCallStatus status, string reason)
        {
            Ended.TrySetResult((status, reason));
            return ValueTask.CompletedTask;
        }
    }

    private static Socket Carrier()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    private static int PortOf(Socket s) => ((IPEndPoint)s.LocalEndPoint!).Port;

    private static async Task<SipUserAgentHost> StartHostAsync(Dictionary<string, string?> trunks, CancellationToken ct, string? defaultTrunk = null)
    {
        var rtp = 40000 + (Random.Shared.Next(0, 100) * 100);
        var settings = new Dictionary<string, string?>
        {
            ["Sip:BindAddress"] = "127.0.0.1",
            ["Sip:Port"] = "0",
            ["Sip:RtpPortMin"] = rtp.ToString(CultureInfo.InvariantCulture),
            ["Sip:RtpPortMax"] = (rtp + 99).ToString(CultureInfo.InvariantCulture),
            ["Sip:DefaultTrunk"] = defaultTrunk,
        };
        foreach (var (k, v) in trunks)
        {
            settings["Sip:Trunks:" + k] = v;
        }

        var options = new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection("Sip").Get<SipServerOptions>()!;
        var host = new SipUserAgentHost(options, TimeProvider.System, NullLogger<SipUserAgentHost>.Instance);
        await host.StartAsync(ct);
        return host;
    }

    private static CallRecord Call(string orgId, string? trunkId) => new()
    {
        Sid = "CA" + Guid.NewGuid().ToString("N"),
        OrgId = orgId,
        Direction = ServerCallDirection.Outbound,
        To = "+14155550123",
        From = "+14155550100",
        TrunkId = trunkId,
        Status = ServerCallStatus.Dialing,
        RingTimeoutSeconds = 30,
        StartedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>The request line of the first datagram within <paramref name="wait"/>, or null.</summary>
    private static async Task<string?> FirstRequestLineAsync(Socket carrier, TimeSpan wait, CancellationToken ct)
    {
        var buffer = new byte[8192];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(wait);
        try
        {
            var n = await carrier.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            var text = Encoding.ASCII.GetString(buffer, 0, n);
            return text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<SqlOrgStore> OrgStoreAsync(CancellationToken ct)
    {
        var db = new SqliteDatabase(Path.Combine(Directory.CreateTempSubdirectory("trunk-orgs-").FullName, "voice.db"));
        await Migrations.ApplyAsync(db, TimeProvider.System, ct);
        return new SqlOrgStore(db, TimeProvider.System);
    }

    [Fact]
    public async Task Dial_NamedTrunkOfAnotherOrg_FailsNoRouteAndSendsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var carrier = Carrier();
        await using var host = await StartHostAsync(new()
        {
            ["acme:Host"] = "127.0.0.1",
            ["acme:Port"] = PortOf(carrier).ToString(CultureInfo.InvariantCulture),
            ["acme:Orgs:0"] = "org_acme",
        }, ct);
        var dialer = new SipCallDialer(host);
        var events = new EndedEvents();

        await dialer.DialAsync(Call("org_other", "acme"), events, ct);

        var (status, reason) = await events.Ended.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(ServerCallStatus.Failed, status);
        Assert.Equal("no_route: trunk 'acme' is not available", reason);
        Assert.Null(await FirstRequestLineAsync(carrier, TimeSpan.FromSeconds(1), ct));
    }

    [Fact]
    public async Task Dial_NoTrunkNamed_SkipsOtherOrgsDefaultForTheFirstAllowedTrunk()
    {
        var ct = TestContext.Current.CancellationToken;
        using var theirs = Carrier();
        using var ours = Carrier();
        await using var host = await StartHostAsync(new()
        {
            ["theirs:Host"] = "127.0.0.1",
            ["theirs:Port"] = PortOf(theirs).ToString(CultureInfo.InvariantCulture),
            ["theirs:Orgs:0"] = "org_them",
            ["ours:Host"] = "127.0.0.1",
            ["ours:Port"] = PortOf(ours).ToString(CultureInfo.InvariantCulture),
            ["ours:Orgs:0"] = "org_us",
        }, ct, defaultTrunk: "theirs");
        var dialer = new SipCallDialer(host);
        var call = Call("org_us", trunkId: null);
        Assert.True(dialer.CanDial(call));

        var leg = await dialer.DialAsync(call, new EndedEvents(), ct);
        try
        {
            var line = await FirstRequestLineAsync(ours, TimeSpan.FromSeconds(10), ct);
            Assert.StartsWith("INVITE sip:+14155550123@127.0.0.1", line);
            Assert.Null(await FirstRequestLineAsync(theirs, TimeSpan.FromMilliseconds(500), ct));
        }
        finally
        {
            await leg.DisposeAsync();
        }
    }

    [Fact]
    public async Task Dial_TrunkListsOrgByName_ThatOrgsIdMayUseIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var orgs = await OrgStoreAsync(ct);
        var acme = await orgs.CreateOrgAsync("acme", ct);
        var other = await orgs.CreateOrgAsync("other", ct);
        using var carrier = Carrier();
        await using var host = await StartHostAsync(new()
        {
            ["acme:Host"] = "127.0.0.1",
            ["acme:Port"] = PortOf(carrier).ToString(CultureInfo.InvariantCulture),
            ["acme:Orgs:0"] = "acme",
        }, ct);
        var dialer = new SipCallDialer(host, orgs: orgs);

        var refused = new EndedEvents();
        await dialer.DialAsync(Call(other.Id, "acme"), refused, ct);
        Assert.StartsWith("no_route:", (await refused.Ended.Task.WaitAsync(TimeSpan.FromSeconds(10), ct)).Reason);

        var leg = await dialer.DialAsync(Call(acme.Id, "acme"), new EndedEvents(), ct);
        try
        {
            Assert.StartsWith("INVITE ", await FirstRequestLineAsync(carrier, TimeSpan.FromSeconds(10), ct));
        }
        finally
        {
            await leg.DisposeAsync();
        }
    }

    [Fact]
    public async Task Access_TrunkWithoutOrgs_OpenToEveryOrg()
    {
        var access = new SipTrunkAccess(orgs: null);
        Assert.True(await access.AllowsAsync(new() { Id = "t", Host = "h" }, "org_any", TestContext.Current.CancellationToken));
        Assert.False(await access.AllowsAsync(new() { Id = "t", Host = "h", Orgs = ["org_a"] }, "org_b", TestContext.Current.CancellationToken));
    }
}
