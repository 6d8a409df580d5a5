using System.Net;
using ClutchCall.Voice.Sip.Dns;
using ClutchCall.Voice.Sip.Transport;
using ClutchCall.Voice.TestSupport;
using static ClutchCall.Voice.Sip.Tests.Dns.LoopbackDnsZone;

namespace ClutchCall.Voice.Sip.Tests.Dns;

/// <summary>
/// RFC 3263 resolution against a tiny authoritative responder on 127.0.0.1 (records written per RFC 1035 §4.1):
/// SRV ordering, NAPTR transport selection, explicit port and IP literals, TTL caching, a silent nameserver and garbage answers.
/// </summary>
public sealed class SipDnsResolverTests
{
    private static SipDnsResolver Resolver(LoopbackDnsZone responder, TimeProvider? time, out DnsClient client)
    {
        client = new DnsClient(new DnsClientOptions { Nameservers = [responder.EndPoint], Timeout = TimeSpan.FromSeconds(5) }, time ?? TimeProvider.System);
        return new SipDnsResolver(client);
    }

    [Fact]
    public async Task Resolve_SrvTwoPriorities_OrderedByPriorityWithAddresses()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dns = new LoopbackDnsZone();
        dns.Add("_sip._udp.carrier.test", DnsType.Srv, Srv(20, 10, 5070, "b.carrier.test"));
        dns.Add("_sip._udp.carrier.test", DnsType.Srv, Srv(10, 10, 5080, "a.carrier.test"));
        dns.Add("a.carrier.test", DnsType.A, [127, 0, 0, 2]);
        dns.Add("b.carrier.test", DnsType.A, [127, 0, 0, 3]);
        var resolver = Resolver(dns, null, out _);

        var targets = await resolver.ResolveAsync("carrier.test", 0, SipTransportKind.Udp, secure: false, ct);

        Assert.Equal(["127.0.0.2:5080", "127.0.0.3:5070"], targets.Select(t => t.EndPoint.ToString()));
        Assert.All(targets, t => Assert.Equal(SipTransportKind.Udp, t.Transport));
    }

    [Fact]
    public async Task Resolve_NaptrPrefersTcp_SelectsTcpSrv()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dns = new LoopbackDnsZone();
        dns.Add("carrier.test", DnsType.Naptr, Naptr(50, 50, "s", "SIP+D2U", "_sip._udp.carrier.test"));
        dns.Add("carrier.test", DnsType.Naptr, Naptr(10, 50, "s", "SIP+D2T", "_sip._tcp.carrier.test"));
        dns.Add("_sip._udp.carrier.test", DnsType.Srv, Srv(10, 0, 5060, "udp.carrier.test"));
        dns.Add("_sip._tcp.carrier.test", DnsType.Srv, Srv(10, 0, 5062, "tcp.carrier.test"));
        dns.Add("udp.carrier.test", DnsType.A, [127, 0, 0, 4]);
        dns.Add("tcp.carrier.test", DnsType.A, [127, 0, 0, 5]);
        var resolver = Resolver(dns, null, out _);

        var targets = await resolver.ResolveAsync("carrier.test", 0, transport: null, secure: false, ct);

        var t = Assert.Single(targets);
        Assert.Equal(SipTransportKind.Tcp, t.Transport);
        Assert.Equal("127.0.0.5:5062", t.EndPoint.ToString());

        // Swap the order: NAPTR now picks UDP.
        dns.Clear();
        dns.Add("udp.carrier.test", DnsType.A, [127, 0, 0, 4]);
        dns.Add("_sip._udp.carrier.test", DnsType.Srv, Srv(10, 0, 5060, "udp.carrier.test"));
        dns.Add("other.test", DnsType.Naptr, Naptr(10, 50, "s", "SIP+D2U", "_sip._udp.carrier.test"));
        var udp = Assert.Single(await resolver.ResolveAsync("other.test", 0, transport: null, secure: false, ct));
        Assert.Equal(SipTransportKind.Udp, udp.Transport);
    }

    [Fact]
    public async Task Resolve_IpLiteralOrExplicitPort_SkipsSrv()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dns = new LoopbackDnsZone();
        dns.Add("_sip._udp.carrier.test", DnsType.Srv, Srv(10, 0, 5999, "x.carrier.test"));
        dns.Add("carrier.test", DnsType.A, [127, 0, 0, 9]);
        var resolver = Resolver(dns, null, out _);

        var literal = Assert.Single(await resolver.ResolveAsync("192.0.2.1", 0, SipTransportKind.Tls, secure: false, ct));
        Assert.Equal("192.0.2.1:5061", literal.EndPoint.ToString());
        Assert.Equal(0, dns.Queries);
        var explicitPort = Assert.Single(await resolver.ResolveAsync("carrier.test", 5070, SipTransportKind.Udp, secure: false, ct));
        Assert.Equal("127.0.0.9:5070", explicitPort.EndPoint.ToString());
    }

    [Fact]
    public async Task Query_WithinTtl_ServedFromCacheAndRefetchedAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dns = new LoopbackDnsZone();
        dns.Add("carrier.test", DnsType.A, [127, 0, 0, 7], ttl: 60);
        var time = new FakeTimeProvider();
        var client = new DnsClient(new DnsClientOptions { Nameservers = [dns.EndPoint], Timeout = TimeSpan.FromSeconds(30) }, time);

        await client.QueryAsync("carrier.test", DnsType.A, ct);
        await client.QueryAsync("carrier.test", DnsType.A, ct);
        Assert.Equal(1, client.QueriesSent);
        time.Advance(TimeSpan.FromSeconds(61));
        var again = await client.QueryAsync("carrier.test", DnsType.A, ct);
        Assert.Equal(2, client.QueriesSent);
        Assert.Equal(IPAddress.Parse("127.0.0.7"), Assert.Single(again.Answers).Address);
    }

    [Fact]
    public async Task Query_NameserverNeverAnswers_TimesOutWithClearError()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dns = new LoopbackDnsZone(silent: true);
        var time = new FakeTimeProvider();
        var client = new DnsClient(new DnsClientOptions { Nameservers = [dns.EndPoint], Timeout = TimeSpan.FromSeconds(2), Attempts = 3 }, time);

        var lookup = client.QueryAsync("carrier.test", DnsType.Srv, ct).AsTask();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!lookup.IsCompleted && DateTime.UtcNow < deadline)
        {
            // Each attempt waits for its query to reach the server, then its 2 s timeout passes on the fake clock.
            if (dns.Queries > 0)
            {
                time.Advance(TimeSpan.FromSeconds(2));
            }

            await Task.Delay(10, ct);
        }

        var e = await Assert.ThrowsAsync<DnsLookupException>(() => lookup);
        Assert.Contains("no usable answer", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempts", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, dns.Queries);
    }

    [Fact]
    public async Task Resolve_GarbageAnswers_OnlyTypedFailures()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dns = new LoopbackDnsZone { Garbage = true };
        var client = new DnsClient(new DnsClientOptions { Nameservers = [dns.EndPoint], Timeout = TimeSpan.FromMilliseconds(50), Attempts = 1 }, TimeProvider.System);
        var resolver = new SipDnsResolver(client);
        for (var i = 0; i < 80; i++)
        {
            try
            {
                await resolver.ResolveAsync($"h{i}.carrier.test", 0, transport: null, secure: false, ct);
            }
            catch (DnsLookupException)
            {
            }
        }

        Assert.True(dns.Queries >= 80);
    }

    [Fact]
    public void OrderSrv_WeightsWithinPriority_FollowRfc2782Proportions()
    {
        DnsSrv heavy = new(10, 90, 1, "heavy"), light = new(10, 10, 2, "light"), backup = new(20, 100, 3, "backup");
        var random = new Random(42);
        var heavyFirst = 0;
        for (var i = 0; i < 2000; i++)
        {
            var order = SipDnsResolver.OrderSrv([backup, light, heavy], random);
            Assert.Equal("backup", order[2].Target);
            heavyFirst += order[0] == heavy ? 1 : 0;
        }

        Assert.InRange(heavyFirst, 1650, 1950); // ~90 %
    }
}
