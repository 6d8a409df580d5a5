using System.Buffers.Binary;
using System.Text;

namespace ClutchCall.Voice.Sip.Rtp;

/// <summary>RTCP packet types (RFC 3550 §12.1).</summary>
internal enum RtcpPacketType : byte
{
    SenderReport = 200,
    ReceiverReport = 201,
    SourceDescription = 202,
    Goodbye = 203,
    Application = 204,
}

/// <summary>A reception report block (RFC 3550 §6.4.1).</summary>
internal readonly record struct RtcpReportBlock(uint Ssrc, byte FractionLost, int CumulativeLost, uint ExtendedHighestSequence, uint Jitter, uint LastSenderReport, uint DelaySinceLastSenderReport);

/// <summary>Sender information of an SR (RFC 3550 §6.4.1).</summary>
internal readonly record struct RtcpSenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount);

/// <summary>What a compound RTCP packet carried.</summary>
internal sealed class RtcpCompound
{
    public uint? SenderSsrc { get; set; }

    public RtcpSenderInfo? SenderInfo { get; set; }

    public List<RtcpReportBlock> Reports { get; } = [];

    /// <summary>SDES CNAME items by SSRC.</summary>
    public Dictionary<uint, string> CNames { get; } = [];

    public List<uint> Byes { get; } = [];

    public string? ByeReason { get; set; }
}

/// <summary>Compound RTCP reader and writers (RFC 3550 §6.1, §6.4–6.6, validity checks of §A.2).</summary>
internal static class Rtcp
{
    /// <summary>Parses a compound packet. Returns false when the §A.2 validity checks fail.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out RtcpCompound? compound)
    {
        compound = null;
        var result = new RtcpCompound();
        var first = true;
        while (!data.IsEmpty)
        {
            if (data.Length < 4 || data[0] >> 6 != 2)
            {
                return false;
            }

            var padding = (data[0] & 0x20) != 0;
            var count = data[0] & 0x1F;
            var type = data[1];
            var length = (BinaryPrimitives.ReadUInt16BigEndian(data[2..]) + 1) * 4;
            // §A.2: the first packet is SR or RR; padding only on the last; lengths add up.
            if (length > data.Length || (first && type is not (200 or 201)) || (padding && length != data.Length))
            {
                return false;
            }

            var body = data[4..length];
            if (padding)
            {
                var pad = body.IsEmpty ? 0 : body[^1];
                if (pad == 0 || pad > body.Length)
                {
                    return false;
                }

                body = body[..^pad];
            }

            if (!ReadPacket((RtcpPacketType)type, count, body, result))
            {
                return false;
            }

            first = false;
            data = data[length..];
        }

        compound = result;
        return !first;
    }

    private static bool ReadPacket(RtcpPacketType type, int count, ReadOnlySpan<byte> body, RtcpCompound result)
    {
        switch (type)
        {
            case RtcpPacketType.SenderReport:
            case RtcpPacketType.ReceiverReport:
                var infoLength = type == RtcpPacketType.SenderReport ? 20 : 0;
                if (body.Length < 4 + infoLength + (24 * count))
                {
                    return false;
                }

                result.SenderSsrc = BinaryPrimitives.ReadUInt32BigEndian(body);
                if (infoLength > 0)
                {
                    result.SenderInfo = new RtcpSenderInfo(
                        BinaryPrimitives.ReadUInt64BigEndian(body[4..]),
                        BinaryPrimitives.ReadUInt32BigEndian(body[12..]),
                        BinaryPrimitives.ReadUInt32BigEndian(body[16..]),
                        BinaryPrimitives.ReadUInt32BigEndian(body[20..]));
                }

                var blocks = body[(4 + infoLength)..];
                for (var i = 0; i < count; i++)
                {
                    var b = blocks[(24 * i)..];
                    var lost = (int)(BinaryPrimitives.ReadUInt32BigEndian(b[4..]) & 0xFFFFFF);
                    if ((lost & 0x800000) != 0)
                    {
                        lost |= unchecked((int)0xFF000000);
                    }

                    result.Reports.Add(new RtcpReportBlock(
                        BinaryPrimitives.ReadUInt32BigEndian(b), b[4], lost,
                        BinaryPrimitives.ReadUInt32BigEndian(b[8..]), BinaryPrimitives.ReadUInt32BigEndian(b[12..]),
                        BinaryPrimitives.ReadUInt32BigEndian(b[16..]), BinaryPrimitives.ReadUInt32BigEndian(b[20..])));
                }

                return true;
            case RtcpPacketType.SourceDescription:
                // §6.5: chunks of SSRC then items (type, length, text) ended by a zero octet, padded to 32 bits.
                var pos = 0;
                for (var c = 0; c < count; c++)
                {
                    if (body.Length < pos + 4)
                    {
                        return false;
                    }

                    var ssrc = BinaryPrimitives.ReadUInt32BigEndian(body[pos..]);
                    pos += 4;
                    while (true)
                    {
                        if (pos >= body.Length)
                        {
                            return false;
                        }

                        var itemType = body[pos];
                        if (itemType == 0)
                        {
                            pos = (pos + 4) & ~3;
                            break;
                        }

                        if (pos + 2 > body.Length || pos + 2 + body[pos + 1] > body.Length)
                        {
                            return false;
                        }

                        if (itemType == 1)
                        {
                            result.CNames[ssrc] = Encoding.UTF8.GetString(body.Slice(pos + 2, body[pos + 1]));
                        }

                        pos += 2 + body[pos + 1];
                    }
                }

                return true;
            case RtcpPacketType.Goodbye:
                if (body.Length < 4 * count)
                {
                    return false;
                }

                for (var i = 0; i < count; i++)
                {
                    result.Byes.Add(BinaryPrimitives.ReadUInt32BigEndian(body[(4 * i)..]));
                }

                var rest = body[(4 * count)..];
                if (rest.Length > 0 && rest.Length >= 1 + rest[0])
                {
                    result.ByeReason = Encoding.UTF8.GetString(rest.Slice(1, rest[0]));
                }

                return true;
            default:
                // APP and unknown types are skipped (§6.7).
                return true;
        }
    }

    /// <summary>Writes an SR (with sender info) or, when <paramref name="sender"/> is null, an RR. Returns bytes written or 0.</summary>
    public static int WriteReport(Span<byte> destination, uint ssrc, RtcpSenderInfo? sender, ReadOnlySpan<RtcpReportBlock> blocks)
    {
        var count = Math.Min(blocks.Length, 31);
        var length = 8 + (sender is null ? 0 : 20) + (24 * count);
        if (destination.Length < length)
        {
            return 0;
        }

        WriteHeader(destination, count, sender is null ? RtcpPacketType.ReceiverReport : RtcpPacketType.SenderReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        var pos = 8;
        if (sender is { } s)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[pos..], s.NtpTimestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(pos + 8)..], s.RtpTimestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(pos + 12)..], s.PacketCount);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(pos + 16)..], s.OctetCount);
            pos += 20;
        }

        for (var i = 0; i < count; i++)
        {
            var b = blocks[i];
            var d = destination[pos..];
            BinaryPrimitives.WriteUInt32BigEndian(d, b.Ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(d[4..], ((uint)b.FractionLost << 24) | ((uint)b.CumulativeLost & 0xFFFFFF));
            BinaryPrimitives.WriteUInt32BigEndian(d[8..], b.ExtendedHighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(d[12..], b.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(d[16..], b.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(d[20..], b.DelaySinceLastSenderReport);
            pos += 24;
        }

        return length;
    }

    /// <summary>Writes an SDES packet with one CNAME chunk (§6.5.1). Returns bytes written or 0.</summary>
    public static int WriteSdesCname(Span<byte> destination, uint ssrc, string cname)
    {
        var nameLength = Math.Min(Encoding.UTF8.GetByteCount(cname), 255);
        var chunk = 4 + 2 + nameLength + 1;
        var length = 4 + ((chunk + 3) & ~3);
        if (destination.Length < length || Encoding.UTF8.GetByteCount(cname) > 255)
        {
            return 0;
        }

        destination[..length].Clear();
        WriteHeader(destination, 1, RtcpPacketType.SourceDescription, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        destination[8] = 1;
        destination[9] = (byte)nameLength;
        Encoding.UTF8.GetBytes(cname, destination[10..]);
        return length;
    }

    /// <summary>Writes a BYE for one SSRC (§6.6). Returns bytes written or 0.</summary>
    public static int WriteBye(Span<byte> destination, uint ssrc)
    {
        if (destination.Length < 8)
        {
            return 0;
        }

        WriteHeader(destination, 1, RtcpPacketType.Goodbye, 8);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        return 8;
    }

    private static void WriteHeader(Span<byte> d, int count, RtcpPacketType type, int length)
    {
        d[0] = (byte)(0x80 | count);
        d[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)((length / 4) - 1));
    }
}

/// <summary>Builds reception report blocks from receive statistics (RFC 3550 §6.4.1, §A.3).</summary>
internal sealed class RtcpReceiverReportGenerator(TimeProvider time)
{
    private uint _lastSrMiddle;
    private long _lastSrArrival;

    /// <summary>Notes an SR from the source, for the LSR/DLSR fields.</summary>
    public void OnSenderReport(RtcpSenderInfo info)
    {
        // §6.4.1: LSR is the middle 32 bits of the SR's 64-bit NTP timestamp.
        _lastSrMiddle = (uint)(info.NtpTimestamp >> 16);
        _lastSrArrival = time.GetTimestamp();
    }

    public RtcpReportBlock CreateBlock(RtpSourceStatistics stats)
    {
        uint dlsr = 0;
        if (_lastSrMiddle != 0)
        {
            // §6.4.1: DLSR in units of 1/65536 seconds.
            var elapsed = time.GetElapsedTime(_lastSrArrival);
            dlsr = (uint)Math.Min(elapsed.TotalSeconds * 65536, uint.MaxValue);
        }

        return new RtcpReportBlock(stats.Ssrc, stats.TakeFractionLost(), stats.CumulativeLost, stats.ExtendedHighestSequence, stats.Jitter, _lastSrMiddle, dlsr);
    }
}
