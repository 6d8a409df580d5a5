using System.Buffers;
using System.Text;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>Encodes QMux frames into an <see cref="IBufferWriter{T}"/> (one call per frame).</summary>
internal static class QmuxFrameWriter
{
    /// <summary>Largest STREAM header: type (1) + stream id (8) + offset (8) + length (8).</summary>
    public const int MaxStreamHeaderLength = 25;

    // RFC 9000 §19.8: always send OFF and LEN (type 0x0e, 0x0f with FIN), so every frame is self-delimiting.
    public static void WriteStream(IBufferWriter<byte> writer, long streamId, long offset, ReadOnlySpan<byte> data, bool fin)
    {
        Varint(writer, (ulong)QmuxFrameType.Stream | 0x04 | 0x02 | (fin ? 0x01UL : 0));
        Varint(writer, (ulong)streamId);
        Varint(writer, (ulong)offset);
        Varint(writer, (ulong)data.Length);
        writer.Write(data);
    }

    // RFC 9000 §19.4.
    public static void WriteResetStream(IBufferWriter<byte> writer, long streamId, long errorCode, long finalSize)
    {
        Varint(writer, (ulong)QmuxFrameType.ResetStream);
        Varint(writer, (ulong)streamId);
        Varint(writer, (ulong)errorCode);
        Varint(writer, (ulong)finalSize);
    }

    // RFC 9000 §19.5.
    public static void WriteStopSending(IBufferWriter<byte> writer, long streamId, long errorCode)
    {
        Varint(writer, (ulong)QmuxFrameType.StopSending);
        Varint(writer, (ulong)streamId);
        Varint(writer, (ulong)errorCode);
    }

    /// <summary>MAX_DATA, MAX_STREAMS, *_BLOCKED and QX_PING: a type and one value (RFC 9000 §19.9, §19.11, §19.12, §19.14).</summary>
    public static void WriteValue(IBufferWriter<byte> writer, QmuxFrameType type, long value)
    {
        Varint(writer, (ulong)type);
        Varint(writer, (ulong)value);
    }

    /// <summary>MAX_STREAM_DATA and STREAM_DATA_BLOCKED (RFC 9000 §19.10, §19.13).</summary>
    public static void WriteStreamValue(IBufferWriter<byte> writer, QmuxFrameType type, long streamId, long value)
    {
        Varint(writer, (ulong)type);
        Varint(writer, (ulong)streamId);
        Varint(writer, (ulong)value);
    }

    /// <summary>
    /// CONNECTION_CLOSE (transport error, with the offending frame type) or APPLICATION_CLOSE
    /// (RFC 9000 §19.19). The reason is truncated to <paramref name="maxReasonBytes"/> UTF-8 bytes.
    /// </summary>
    public static void WriteClose(IBufferWriter<byte> writer, bool application, long errorCode, string reason, int maxReasonBytes = 1024)
    {
        Varint(writer, (ulong)(application ? QmuxFrameType.ApplicationClose : QmuxFrameType.ConnectionClose));
        Varint(writer, (ulong)errorCode);
        if (!application)
        {
            Varint(writer, 0);
        }

        var total = Encoding.UTF8.GetByteCount(reason);
        Span<byte> scratch = stackalloc byte[256];
        var bytes = total <= scratch.Length ? scratch[..total] : new byte[total];
        Encoding.UTF8.GetBytes(reason, bytes);
        var length = Math.Min(total, maxReasonBytes);
        Varint(writer, (ulong)length);
        writer.Write(bytes[..length]);
    }

    // RFC 9221 §4: DATAGRAM with Length (0x31).
    public static void WriteDatagram(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload)
    {
        Varint(writer, (ulong)QmuxFrameType.DatagramWithLength);
        Varint(writer, (ulong)payload.Length);
        writer.Write(payload);
    }

    /// <summary>QX_TRANSPORT_PARAMETERS: type, length, then RFC 9000 §18 (id, length, value) entries.</summary>
    public static void WriteTransportParameters(IBufferWriter<byte> writer, in QmuxTransportParameters parameters, QmuxVersion version)
    {
        var body = new ArrayBufferWriter<byte>(96);
        parameters.WriteTo(body, version);
        Varint(writer, (ulong)QmuxFrameType.TransportParameters);
        Varint(writer, (ulong)body.WrittenCount);
        writer.Write(body.WrittenSpan);
    }

    private static void Varint(IBufferWriter<byte> writer, ulong value) => QuicVarint.Write(writer, value);
}
