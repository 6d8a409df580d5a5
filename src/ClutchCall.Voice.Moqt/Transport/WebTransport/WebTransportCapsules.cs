using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>
/// Capsules on the CONNECT stream's DATA (RFC 9297 §3.2: type varint, length varint, value). Only
/// CLOSE_WEBTRANSPORT_SESSION matters here; DRAIN, DATAGRAM and GREASE capsules are skipped.
/// </summary>
internal static class WebTransportCapsules
{
    /// <summary>draft-ietf-webtrans-http3-02 §5: CLOSE_WEBTRANSPORT_SESSION.</summary>
    public const ulong CloseSession = 0x2843;

    /// <summary>Longest reason accepted and sent (draft-ietf-webtrans-http3-02 §5: at most 1024 bytes).</summary>
    public const int MaxReasonBytes = 1024;

    /// <summary>Reads one capsule; false on partial input. Throws for a capsule longer than <paramref name="maxLength"/>.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, long maxLength, out ulong type, out ReadOnlySequence<byte> value)
    {
        type = 0;
        value = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!QuicVarint.TryRead(ref reader, out type) || !QuicVarint.TryRead(ref reader, out var length))
        {
            return false;
        }

        if (length > (ulong)maxLength)
        {
            throw new MoqtTransportProtocolException(Http3ErrorCode.ExcessiveLoad, $"capsule 0x{type:x} of {length} bytes");
        }

        if (reader.Remaining < (long)length)
        {
            return false;
        }

        value = buffer.Slice(reader.Position, (long)length);
        buffer = buffer.Slice(value.End);
        return true;
    }

    /// <summary>Parses a CLOSE_WEBTRANSPORT_SESSION value: 32-bit code, UTF-8 reason. False if shorter than 4 bytes or the reason is too long.</summary>
    public static bool TryParseClose(ReadOnlySequence<byte> value, out uint code, out string reason)
    {
        code = 0;
        reason = string.Empty;
        if (value.Length < 4 || value.Length - 4 > MaxReasonBytes)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[4];
        value.Slice(0, 4).CopyTo(head);
        code = BinaryPrimitives.ReadUInt32BigEndian(head);
        reason = Encoding.UTF8.GetString(value.Slice(4));
        return true;
    }

    /// <summary>Writes a DATA frame carrying one CLOSE_WEBTRANSPORT_SESSION capsule.</summary>
    public static void WriteCloseInDataFrame(IBufferWriter<byte> writer, uint code, string reason)
    {
        var reasonBytes = Encoding.UTF8.GetBytes(reason);
        var reasonLength = Math.Min(reasonBytes.Length, MaxReasonBytes);
        var capsuleValue = 4 + reasonLength;
        var capsuleLength = QuicVarint.GetLength(CloseSession) + QuicVarint.GetLength((ulong)capsuleValue) + capsuleValue;
        Http3FrameCodec.WriteHeader(writer, Http3FrameType.Data, capsuleLength);
        QuicVarint.Write(writer, CloseSession);
        QuicVarint.Write(writer, (ulong)capsuleValue);
        BinaryPrimitives.WriteUInt32BigEndian(writer.GetSpan(4), code);
        writer.Advance(4);
        writer.Write(reasonBytes.AsSpan(0, reasonLength));
    }
}
