using System.Buffers.Binary;

namespace ClutchCall.Voice.Sip.Rtp;

/// <summary>The fixed RTP header fields plus where the payload sits (RFC 3550 §5.1).</summary>
internal readonly record struct RtpHeader(
    bool Marker,
    byte PayloadType,
    ushort SequenceNumber,
    uint Timestamp,
    uint Ssrc,
    byte CsrcCount = 0,
    bool HasExtension = false,
    ushort ExtensionProfile = 0,
    int HeaderLength = RtpPacket.FixedHeaderLength,
    int PaddingLength = 0);

/// <summary>RTP packet reader and writer (RFC 3550 §5.1). Allocation-free.</summary>
internal static class RtpPacket
{
    public const int FixedHeaderLength = 12;

    /// <summary>
    /// Reads a packet. Returns false for anything that is not a well-formed version-2 RTP packet
    /// (RFC 3550 §A.1 header validity checks); callers count and drop those.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out RtpHeader header, out ReadOnlySpan<byte> payload)
    {
        header = default;
        payload = default;
        if (packet.Length < FixedHeaderLength)
        {
            return false;
        }

        var b0 = packet[0];
        // RFC 3550 §5.1: V=2.
        if (b0 >> 6 != 2)
        {
            return false;
        }

        var padding = (b0 & 0x20) != 0;
        var extension = (b0 & 0x10) != 0;
        var cc = (byte)(b0 & 0x0F);
        var b1 = packet[1];
        var pt = (byte)(b1 & 0x7F);
        // RFC 5761 §4: payload types 72-76 with the marker bit set are RTCP SR/RR/SDES/BYE/APP.
        if (pt is >= 72 and <= 76)
        {
            return false;
        }

        var offset = FixedHeaderLength + (4 * cc);
        if (packet.Length < offset)
        {
            return false;
        }

        ushort profile = 0;
        if (extension)
        {
            // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the words.
            if (packet.Length < offset + 4)
            {
                return false;
            }

            profile = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
            var words = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
            offset += 4 + (4 * words);
            if (packet.Length < offset)
            {
                return false;
            }
        }

        var end = packet.Length;
        var padLength = 0;
        if (padding)
        {
            // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
            padLength = packet[^1];
            if (padLength == 0 || end - padLength < offset)
            {
                return false;
            }

            end -= padLength;
        }

        header = new RtpHeader(
            (b1 & 0x80) != 0,
            pt,
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[8..]),
            cc,
            extension,
            profile,
            offset,
            padLength);
        payload = packet[offset..end];
        return true;
    }

    /// <summary>Reads the CSRC at <paramref name="index"/> from a packet whose header was read.</summary>
    public static uint ReadCsrc(ReadOnlySpan<byte> packet, int index) =>
        BinaryPrimitives.ReadUInt32BigEndian(packet[(FixedHeaderLength + (4 * index))..]);

    /// <summary>Writes a header without CSRCs or extension followed by the payload; returns the bytes written or 0 if it does not fit.</summary>
    public static int Write(Span<byte> destination, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload)
    {
        var total = FixedHeaderLength + payload.Length;
        if (destination.Length < total || payloadType > 127)
        {
            return 0;
        }

        destination[0] = 0x80;
        destination[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        payload.CopyTo(destination[FixedHeaderLength..]);
        return total;
    }
}
