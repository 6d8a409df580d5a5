using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ClutchCall.Voice.Sip.Dns;

namespace ClutchCall.Voice.Sip.Tests.Dns;

/// <summary>
/// An authoritative DNS server for a test zone on 127.0.0.1: records answered per RFC 1035 §4.1 (RFC 2782
/// RDATA for SRV, RFC 3403 for NAPTR), NXDOMAIN for anything else. <c>silent</c> never answers;
/// <see cref="Garbage"/> replaces every answer with random bytes carrying the query id.
/// </summary>
internal sealed class LoopbackDnsZone : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<(string, DnsType), List<(uint Ttl, byte[] Data)>> _records = [];
    private readonly Lock _gate = new();
    private readonly bool _silent;
    private readonly Task _loop;
    private int _queries;

    public LoopbackDnsZone(bool silent = false)
    {
        _silent = silent;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(ServeAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Queries received so far (answered or not).</summary>
    public int Queries => Volatile.Read(ref _queries);

    public bool Garbage { get; set; }

    public void AddA(string name, IPAddress address) => Add(name, DnsType.A, address.GetAddressBytes());

    public void AddSrv(string name, ushort priority, ushort weight, ushort port, string target) =>
        Add(name, DnsType.Srv, Srv(priority, weight, port, target));

    public void Add(string name, DnsType type, byte[] data, uint ttl = 300)
    {
        lock (_gate)
        {
            if (!_records.TryGetValue((name, type), out var list))
            {
                _records[(name, type)] = list = [];
            }

            list.Add((ttl, data));
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _records.Clear();
        }
    }

    /// <summary>RFC 1035 §3.1 name: length-prefixed labels ending in a zero byte.</summary>
    public static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    /// <summary>RFC 2782 SRV RDATA.</summary>
    public static byte[] Srv(ushort priority, ushort weight, ushort port, string target)
    {
        var head = new byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(head, priority);
        BinaryPrimitives.WriteUInt16BigEndian(head.AsSpan(2), weight);
        BinaryPrimitives.WriteUInt16BigEndian(head.AsSpan(4), port);
        return [.. head, .. Name(target)];
    }

    /// <summary>RFC 3403 §4.1 NAPTR RDATA with an empty regexp.</summary>
    public static byte[] Naptr(ushort order, ushort preference, string flags, string service, string replacement)
    {
        static byte[] CharString(string s) => [(byte)s.Length, .. Encoding.ASCII.GetBytes(s)];
        var head = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(head, order);
        BinaryPrimitives.WriteUInt16BigEndian(head.AsSpan(2), preference);
        return [.. head, .. CharString(flags), .. CharString(service), .. CharString(string.Empty), .. Name(replacement)];
    }

    private async Task ServeAsync()
    {
        var buffer = new byte[512];
        var random = new Random(7);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                Interlocked.Increment(ref _queries);
                if (_silent)
                {
                    continue;
                }

                var query = buffer.AsSpan(0, r.ReceivedBytes);
                var reply = Garbage ? RandomReply(query, random) : Answer(query);
                await _socket.SendToAsync(reply, SocketFlags.None, r.RemoteEndPoint);
            }
            catch (Exception)
            {
                return;
            }
        }
    }

    private static byte[] RandomReply(ReadOnlySpan<byte> query, Random random)
    {
        var reply = new byte[random.Next(2, 300)];
        random.NextBytes(reply);
        query[..2].CopyTo(reply);
        if (reply.Length > 3)
        {
            reply[2] |= 0x80;
            reply[3] &= 0xF0; // RCODE 0, so the garbage reaches the record parser
        }

        return reply;
    }

    private byte[] Answer(ReadOnlySpan<byte> query)
    {
        // Question: labels from offset 12, then QTYPE.
        var pos = 12;
        var name = new StringBuilder();
        while (query[pos] != 0)
        {
            if (name.Length > 0)
            {
                name.Append('.');
            }

            name.Append(Encoding.ASCII.GetString(query.Slice(pos + 1, query[pos])));
            pos += query[pos] + 1;
        }

        var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(query[(pos + 1)..]);
        List<(uint Ttl, byte[] Data)> answers;
        lock (_gate)
        {
            answers = _records.TryGetValue((name.ToString(), type), out var l) ? [.. l] : [];
        }

        var reply = new List<byte>(query[..(pos + 5)].ToArray());
        reply[2] = 0x84; // QR, AA
        reply[3] = (byte)(answers.Count == 0 ? 3 : 0); // NXDOMAIN when nothing matches
        reply[6] = 0;
        reply[7] = (byte)answers.Count;
        reply[8] = reply[9] = reply[10] = reply[11] = 0;
        foreach (var (ttl, data) in answers)
        {
            reply.AddRange([0xC0, 12]); // RFC 1035 §4.1.4: pointer to the question name
            var fixedPart = new byte[10];
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart, (ushort)type);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart.AsSpan(2), 1);
            BinaryPrimitives.WriteUInt32BigEndian(fixedPart.AsSpan(4), ttl);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart.AsSpan(8), (ushort)data.Length);
            reply.AddRange(fixedPart);
            reply.AddRange(data);
        }

        return [.. reply];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}
