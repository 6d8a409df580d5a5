using System.Net;
using ClutchCall.Voice.Sip.Transport;

namespace ClutchCall.Voice.Sip.Dns;

/// <summary>One place to send a request: address, port and transport, in the order to try.</summary>
internal sealed record SipTarget(IPEndPoint EndPoint, SipTransportKind Transport);

/// <summary>
/// RFC 3263 §4 server location: NAPTR → SRV → A/AAAA, giving an ordered list of targets so a request can fail over
/// to the next one (§4.3) on a transport error, a timeout or a 503.
/// </summary>
internal sealed class SipDnsResolver(DnsClient dns)
{
    private const int MaxTargets = 16;

    /// <summary>
    /// Resolves <paramref name="host"/>. <paramref name="port"/> 0 means none was given; <paramref name="transport"/>
    /// null means the URI named none. <paramref name="secure"/> is a sips URI.
    /// </summary>
    public async ValueTask<IReadOnlyList<SipTarget>> ResolveAsync(string host, int port, SipTransportKind? transport, bool secure, CancellationToken ct)
    {
        var h = host.Trim('[', ']');
        var defaultTransport = transport ?? (secure ? SipTransportKind.Tls : SipTransportKind.Udp);

        // RFC 3263 §4.1/§4.2: a numeric IP is used as is, with the given port or the transport's default.
        if (IPAddress.TryParse(h, out var ip))
        {
            return [new SipTarget(new IPEndPoint(ip, port != 0 ? port : DefaultPort(defaultTransport)), defaultTransport)];
        }

        // RFC 3263 §4.2: an explicit port skips NAPTR and SRV; only A/AAAA are looked up.
        if (port != 0)
        {
            return await AddressesAsync(h, port, defaultTransport, ct).ConfigureAwait(false);
        }

        // RFC 3263 §4.1: without a transport, NAPTR records pick it (SIP+D2U, SIP+D2T, SIPS+D2T), by order then preference.
        if (transport is null)
        {
            var naptr = await dns.QueryAsync(h, DnsType.Naptr, ct).ConfigureAwait(false);
            var services = naptr.Answers.Where(a => a.Naptr is { } n && n.Flags.Equals("s", StringComparison.OrdinalIgnoreCase) && ServiceTransport(n.Service, secure) is not null)
                .Select(a => a.Naptr!)
                .OrderBy(n => n.Order).ThenBy(n => n.Preference)
                .ToList();
            foreach (var n in services)
            {
                var targets = await SrvAsync(n.Replacement, ServiceTransport(n.Service, secure)!.Value, ct).ConfigureAwait(false);
                if (targets.Count > 0)
                {
                    return targets;
                }
            }

            // RFC 3263 §4.1: no NAPTR → SRV for each supported transport, then the defaults (UDP, or TLS for sips).
            foreach (var kind in secure ? [SipTransportKind.Tls] : new[] { SipTransportKind.Udp, SipTransportKind.Tcp, SipTransportKind.Tls })
            {
                var targets = await SrvAsync(SrvName(h, kind), kind, ct).ConfigureAwait(false);
                if (targets.Count > 0)
                {
                    return targets;
                }
            }

            return await AddressesAsync(h, DefaultPort(defaultTransport), defaultTransport, ct).ConfigureAwait(false);
        }

        // RFC 3263 §4.2: a known transport → SRV for it, else A/AAAA on the default port.
        var srv = await SrvAsync(SrvName(h, transport.Value), transport.Value, ct).ConfigureAwait(false);
        return srv.Count > 0 ? srv : await AddressesAsync(h, DefaultPort(transport.Value), transport.Value, ct).ConfigureAwait(false);
    }

    private static int DefaultPort(SipTransportKind kind) => kind == SipTransportKind.Tls ? 5061 : 5060;

    private static string SrvName(string host, SipTransportKind kind) => kind switch
    {
        SipTransportKind.Tls => "_sips._tcp." + host,
        SipTransportKind.Tcp => "_sip._tcp." + host,
        _ => "_sip._udp." + host,
    };

    /// <summary>RFC 3263 §4.1 service fields; SIPS+D2T only for sips URIs is not required, SIP+D2U/D2T are not allowed for sips.</summary>
    private static SipTransportKind? ServiceTransport(string service, bool secure) => service.ToUpperInvariant() switch
    {
        "SIPS+D2T" => SipTransportKind.Tls,
        "SIP+D2T" when !secure => SipTransportKind.Tcp,
        "SIP+D2U" when !secure => SipTransportKind.Udp,
        _ => null,
    };

    private async ValueTask<List<SipTarget>> SrvAsync(string name, SipTransportKind kind, CancellationToken ct)
    {
        var response = await dns.QueryAsync(name, DnsType.Srv, ct).ConfigureAwait(false);
        var records = response.Answers.Where(a => a.Srv is { } s && s.Target is not ("" or ".")).Select(a => a.Srv!).ToList();
        var result = new List<SipTarget>();
        foreach (var srv in OrderSrv(records, Random.Shared))
        {
            // RFC 2782: A/AAAA of the target, preferring the additional section's glue.
            var glue = response.Additional.Where(a => a.Address is not null && string.Equals(a.Name, srv.Target.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)).ToList();
            if (glue.Count > 0)
            {
                result.AddRange(glue.Select(g => new SipTarget(new IPEndPoint(g.Address!, srv.Port), kind)));
            }
            else
            {
                try
                {
                    result.AddRange(await AddressesAsync(srv.Target.TrimEnd('.'), srv.Port, kind, ct).ConfigureAwait(false));
                }
                catch (DnsLookupException)
                {
                    // RFC 3263 §4.3: an unresolvable target is skipped; the next one is tried.
                }
            }

            if (result.Count >= MaxTargets)
            {
                break;
            }
        }

        return result;
    }

    /// <summary>RFC 2782 "Usage rules": ascending priority; within one, a weighted random order (weight 0 rarely first).</summary>
    internal static List<DnsSrv> OrderSrv(IReadOnlyList<DnsSrv> records, Random random)
    {
        var ordered = new List<DnsSrv>(records.Count);
        foreach (var group in records.GroupBy(r => r.Priority).OrderBy(g => g.Key))
        {
            // zero-weight records first in the list, as the RFC's selection algorithm arranges them
            var pool = group.OrderBy(r => r.Weight == 0 ? 0 : 1).ToList();
            while (pool.Count > 0)
            {
                var total = pool.Sum(r => r.Weight);
                var pick = random.Next(0, total + 1);
                var running = 0;
                var index = 0;
                for (; index < pool.Count; index++)
                {
                    running += pool[index].Weight;
                    if (running >= pick)
                    {
                        break;
                    }
                }

                index = Math.Min(index, pool.Count - 1);
                ordered.Add(pool[index]);
                pool.RemoveAt(index);
            }
        }

        return ordered;
    }

    private async ValueTask<List<SipTarget>> AddressesAsync(string host, int port, SipTransportKind kind, CancellationToken ct)
    {
        var result = new List<SipTarget>();
        foreach (var type in new[] { DnsType.A, DnsType.Aaaa })
        {
            var r = await dns.QueryAsync(host, type, ct).ConfigureAwait(false);
            result.AddRange(r.Answers.Where(a => a.Address is not null && a.Type == type).Select(a => new SipTarget(new IPEndPoint(a.Address!, port), kind)));
        }

        return result.Count > 0 ? result : throw new DnsLookupException($"{host} has no A or AAAA record");
    }
}
