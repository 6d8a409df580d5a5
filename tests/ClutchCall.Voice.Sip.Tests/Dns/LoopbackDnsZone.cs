using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ClutchCall.Voice.Sip.Dns;

namespace ClutchCall.Voice.Sip.Tests.Dns;

/// <summary>
/// An authoritative DNS server for a test zone on 127.0.0.1: SRV and A records answered per RFC 1035 §4.1
/// (RFC 2782 RDATA for SRV), NXDOMAIN for anything else.
/// </summary>
internal sealed class LoopbackDnsZone : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<(string, DnsType), List<byte[]>> _records = [];
    private readonly Lock _gate = new();
    private readonly Task _loop;

    public LoopbackDnsZone()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(ServeAsync);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    public void AddA(string name, IPAddress address) => Add(name, DnsType.A, address.GetAddressBytes());

    public void AddSrv(string name, ushort priority, ushort weight, ushort port, string target)
    {
        var head = new byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(head, priority);
        BinaryPrimitives.WriteUInt16BigEndian(head.AsSpan(2), weight);
        BinaryPrimitives.WriteUInt16BigEndian(head.AsSpan(4), port);
        Add(name, DnsType.Srv, [.. head, .. Name(target)]);
    }

    private void Add(string name, DnsType type, byte[] data)
    {
        lock (_gate)
        {
            if (!_records.TryGetValue((name, type), out var list))
            {
                _records[(name, type)] = list = [];
            }

            list.Add(data);
        }
    }

    private static byte[] Name(string name)
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

    private async Task ServeAsync()
    {
        var buffer = new byte[512];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                await _socket.SendToAsync(Answer(buffer.AsSpan(0, r.ReceivedBytes)), SocketFlags.None, r.RemoteEndPoint);
            }
            catch (Exception)
            {
                return;
            }
        }
    }

    private byte[] Answer(ReadOnlySpan<byte> query)
    {
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
        List<byte[]> answers;
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
        foreach (var data in answers)
        {
            reply.AddRange([0xC0, 12]); // RFC 1035 §4.1.4: pointer to the question name
            var fixedPart = new byte[10];
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart, (ushort)type);
            BinaryPrimitives.WriteUInt16BigEndian(fixedPart.AsSpan(2), 1);
            BinaryPrimitives.WriteUInt32BigEndian(fixedPart.AsSpan(4), 60);
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
