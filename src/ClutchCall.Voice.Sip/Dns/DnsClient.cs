using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ClutchCall.Voice.Sip.Dns;

/// <summary>A DNS lookup that failed: no answer in time, a server error, or an unusable response.</summary>
internal sealed class DnsLookupException(string message) : Exception(message);

/// <summary>Where and how patiently the resolver asks.</summary>
internal sealed record DnsClientOptions
{
    /// <summary>Nameservers in order; empty means those in <c>/etc/resolv.conf</c>.</summary>
    public IReadOnlyList<IPEndPoint> Nameservers { get; init; } = [];

    /// <summary>How long to wait for one answer before retrying (the next server, round-robin).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Attempts per question across all servers.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>Upper bound on any cached TTL.</summary>
    public TimeSpan MaxTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Nameservers from resolv.conf-style text (<c>nameserver</c> lines), port 53.</summary>
    public static IReadOnlyList<IPEndPoint> ParseResolvConf(string text)
    {
        var list = new List<IPEndPoint>();
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && parts[0] == "nameserver" && IPAddress.TryParse(parts[1].Split('%')[0], out var ip))
            {
                list.Add(new IPEndPoint(ip, 53));
            }
        }

        return list;
    }
}

/// <summary>
/// A UDP stub resolver (RFC 1035 §4.2.1): one question per query, a random id checked on the answer, timeouts and
/// retries on <see cref="TimeProvider"/>, and a cache honouring each answer's TTL (RFC 1035 §3.2.1, RFC 2181 §8).
/// </summary>
internal sealed class DnsClient
{
    private readonly DnsClientOptions _options;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly ConcurrentDictionary<(string, DnsType), (DnsResponse Response, long ExpiresAt)> _cache = new();

    public DnsClient(DnsClientOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _servers = options.Nameservers.Count > 0 ? options.Nameservers
            : File.Exists("/etc/resolv.conf") ? DnsClientOptions.ParseResolvConf(File.ReadAllText("/etc/resolv.conf")) : [];
    }

    /// <summary>Queries sent on the wire (cache hits excluded).</summary>
    public long QueriesSent => Interlocked.Read(ref _queriesSent);

    private long _queriesSent;

    /// <summary>Answers <paramref name="name"/>/<paramref name="type"/>, from the cache while its TTL lasts.</summary>
    public async ValueTask<DnsResponse> QueryAsync(string name, DnsType type, CancellationToken ct)
    {
        var key = (name.TrimEnd('.').ToLowerInvariant(), type);
        if (_cache.TryGetValue(key, out var hit) && _time.GetTimestamp() < hit.ExpiresAt)
        {
            return hit.Response;
        }

        if (_servers.Count == 0)
        {
            throw new DnsLookupException($"no nameserver configured to resolve {name} {type}");
        }

        var query = new byte[512];
        var id = (ushort)Random.Shared.Next(0, 65536);
        var length = DnsMessage.WriteQuery(query, id, key.Item1, type);
        var buffer = new byte[4096];
        for (var attempt = 0; attempt < Math.Max(1, _options.Attempts); attempt++)
        {
            var server = _servers[attempt % _servers.Count];
            using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            using var timeout = new CancellationTokenSource(_options.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try
            {
                await socket.SendToAsync(query.AsMemory(0, length), SocketFlags.None, server, linked.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _queriesSent);
                while (true)
                {
                    var r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, server, linked.Token).ConfigureAwait(false);
                    // RFC 5452 §4.3: only an answer from the server we asked, with our id, is accepted.
                    if (!r.RemoteEndPoint.Equals(server) || !DnsMessage.TryRead(buffer.AsSpan(0, r.ReceivedBytes), out var response) || response!.Id != id)
                    {
                        continue;
                    }

                    // RFC 1035 §4.1.1: RCODE 3 (name error) is an answer (no records); other errors try the next server.
                    if (response.ResponseCode is not (0 or 3))
                    {
                        break;
                    }

                    Cache(key, response);
                    return response;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // timed out: next attempt
            }
            catch (SocketException)
            {
                // ICMP unreachable and the like: next attempt
            }
        }

        throw new DnsLookupException($"DNS {type} query for {name} got no usable answer from {string.Join(", ", _servers)} after {_options.Attempts} attempts of {_options.Timeout.TotalSeconds:0.#} s");
    }

    private void Cache((string, DnsType) key, DnsResponse response)
    {
        // RFC 2181 §5.2: the RRset's TTL is the smallest; an empty answer is kept briefly (RFC 2308 caps at the SOA minimum).
        var ttl = response.Answers.Count == 0 ? 30u : response.Answers.Min(a => a.Ttl);
        var seconds = Math.Min(ttl, _options.MaxTtl.TotalSeconds);
        if (seconds <= 0)
        {
            return;
        }

        _cache[key] = (response, _time.GetTimestamp() + (long)(seconds * _time.TimestampFrequency));
    }
}
