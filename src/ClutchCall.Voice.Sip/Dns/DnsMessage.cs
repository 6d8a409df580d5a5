using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace ClutchCall.Voice.Sip.Dns;

/// <summary>Resource record types used by RFC 3263 resolution.</summary>
internal enum DnsType : ushort
{
    A = 1,
    Cname = 5,
    Aaaa = 28,
    Srv = 33,
    Naptr = 35,
}

/// <summary>RFC 2782 SRV data.</summary>
internal sealed record DnsSrv(ushort Priority, ushort Weight, ushort Port, string Target);

/// <summary>RFC 3403 §4.1 NAPTR data.</summary>
internal sealed record DnsNaptr(ushort Order, ushort Preference, string Flags, string Service, string Regexp, string Replacement);

/// <summary>One answer or additional record; exactly one of the data members is set for known types.</summary>
internal sealed record DnsRecord(string Name, DnsType Type, uint Ttl, IPAddress? Address = null, DnsSrv? Srv = null, DnsNaptr? Naptr = null);

/// <summary>A parsed DNS response (RFC 1035 §4.1).</summary>
internal sealed record DnsResponse(ushort Id, bool Truncated, int ResponseCode, IReadOnlyList<DnsRecord> Answers, IReadOnlyList<DnsRecord> Additional);

/// <summary>RFC 1035 §4 message reader and query writer over spans. The reader never throws: bad input returns false.</summary>
internal static class DnsMessage
{
    /// <summary>RFC 1035 §2.3.4: names are at most 255 octets, labels at most 63.</summary>
    private const int MaxNameLength = 255;
    private const int MaxPointerJumps = 32;
    private const int MaxRecords = 256;

    /// <summary>RFC 1035 §4.1.1/§4.1.2: a recursive query with one question; returns the bytes written, 0 if it does not fit.</summary>
    public static int WriteQuery(Span<byte> destination, ushort id, string name, DnsType type)
    {
        if (destination.Length < 12 + MaxNameLength + 2 + 4)
        {
            return 0;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0x0100); // RD
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], 1);
        destination[6..12].Clear();
        var pos = 12;
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            var n = Encoding.ASCII.GetByteCount(label);
            if (n is 0 or > 63 || pos + 1 + n > 12 + MaxNameLength)
            {
                return 0;
            }

            destination[pos++] = (byte)n;
            pos += Encoding.ASCII.GetBytes(label, destination[pos..]);
        }

        destination[pos++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[pos..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(pos + 2)..], 1); // IN
        return pos + 4;
    }

    /// <summary>Reads a response: header, skipped questions, answers and additional records (authority skipped).</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out DnsResponse? response)
    {
        response = null;
        if (message.Length < 12)
        {
            return false;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if ((flags & 0x8000) == 0)
        {
            return false; // not a response
        }

        int qd = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        int ns = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        int ar = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (an + ns + ar > MaxRecords)
        {
            return false;
        }

        var pos = 12;
        for (var i = 0; i < qd; i++)
        {
            if (!TryReadName(message, ref pos, out _) || pos + 4 > message.Length)
            {
                return false;
            }

            pos += 4;
        }

        var answers = new List<DnsRecord>(an);
        var additional = new List<DnsRecord>(ar);
        for (var i = 0; i < an + ns + ar; i++)
        {
            if (!TryReadRecord(message, ref pos, out var record))
            {
                return false;
            }

            if (record is null)
            {
                continue;
            }

            if (i < an)
            {
                answers.Add(record);
            }
            else if (i >= an + ns)
            {
                additional.Add(record);
            }
        }

        response = new DnsResponse(id, (flags & 0x0200) != 0, flags & 0x000F, answers, additional);
        return true;
    }

    /// <summary>RFC 1035 §4.1.3; record is null (and true returned) for a type we do not use.</summary>
    private static bool TryReadRecord(ReadOnlySpan<byte> m, ref int pos, out DnsRecord? record)
    {
        record = null;
        if (!TryReadName(m, ref pos, out var name) || pos + 10 > m.Length)
        {
            return false;
        }

        var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(m[pos..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(m[(pos + 4)..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(m[(pos + 8)..]);
        pos += 10;
        if (pos + length > m.Length)
        {
            return false;
        }

        var end = pos + length;
        var data = m.Slice(pos, length);
        var p = pos;
        pos = end;
        // RFC 2181 §8: a TTL with the top bit set is treated as zero.
        ttl = ttl > int.MaxValue ? 0 : ttl;
        switch (type)
        {
            case DnsType.A when length == 4:
                record = new DnsRecord(name, type, ttl, new IPAddress(data));
                return true;
            case DnsType.Aaaa when length == 16:
                record = new DnsRecord(name, type, ttl, new IPAddress(data));
                return true;
            case DnsType.A or DnsType.Aaaa:
                return false;
            case DnsType.Srv:
                // RFC 2782: priority, weight, port, target (not compressed per the RFC, but accepted if it is).
                if (length < 7)
                {
                    return false;
                }

                var srvPos = p + 6;
                if (!TryReadName(m, ref srvPos, out var target) || srvPos != end)
                {
                    return false;
                }

                record = new DnsRecord(name, type, ttl, Srv: new DnsSrv(
                    BinaryPrimitives.ReadUInt16BigEndian(data), BinaryPrimitives.ReadUInt16BigEndian(data[2..]), BinaryPrimitives.ReadUInt16BigEndian(data[4..]), target));
                return true;
            case DnsType.Naptr:
                // RFC 3403 §4.1: order, preference, three character-strings, replacement name.
                if (length < 4 + 3 + 1)
                {
                    return false;
                }

                var q = p + 4;
                if (!TryReadString(m, end, ref q, out var flags) || !TryReadString(m, end, ref q, out var service)
                    || !TryReadString(m, end, ref q, out var regexp) || !TryReadName(m, ref q, out var replacement) || q != end)
                {
                    return false;
                }

                record = new DnsRecord(name, type, ttl, Naptr: new DnsNaptr(
                    BinaryPrimitives.ReadUInt16BigEndian(data), BinaryPrimitives.ReadUInt16BigEndian(data[2..]), flags, service, regexp, replacement));
                return true;
            default:
                return true;
        }
    }

    /// <summary>RFC 1035 §3.3 character-string: a length octet and that many octets.</summary>
    private static bool TryReadString(ReadOnlySpan<byte> m, int end, ref int pos, out string value)
    {
        value = string.Empty;
        if (pos >= end || pos + 1 + m[pos] > end)
        {
            return false;
        }

        value = Encoding.ASCII.GetString(m.Slice(pos + 1, m[pos]));
        pos += 1 + m[pos];
        return true;
    }

    /// <summary>RFC 1035 §4.1.4: labels and compression pointers; loops and over-long names are rejected.</summary>
    private static bool TryReadName(ReadOnlySpan<byte> m, ref int pos, out string name)
    {
        name = string.Empty;
        Span<byte> buffer = stackalloc byte[MaxNameLength + 1];
        var written = 0;
        var p = pos;
        var jumps = 0;
        var after = -1;
        while (true)
        {
            if (p >= m.Length)
            {
                return false;
            }

            var len = m[p];
            if ((len & 0xC0) == 0xC0)
            {
                if (p + 1 >= m.Length || ++jumps > MaxPointerJumps)
                {
                    return false;
                }

                if (after < 0)
                {
                    after = p + 2;
                }

                p = ((len & 0x3F) << 8) | m[p + 1];
                continue;
            }

            if ((len & 0xC0) != 0)
            {
                return false; // RFC 6891 extended label types are not used here
            }

            if (len == 0)
            {
                p++;
                break;
            }

            if (p + 1 + len > m.Length || written + len + 1 > MaxNameLength)
            {
                return false;
            }

            if (written > 0)
            {
                buffer[written++] = (byte)'.';
            }

            m.Slice(p + 1, len).CopyTo(buffer[written..]);
            written += len;
            p += 1 + len;
        }

        pos = after >= 0 ? after : p;
        name = written == 0 ? "." : Encoding.ASCII.GetString(buffer[..written]);
        return true;
    }
}
