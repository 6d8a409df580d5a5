using System.Buffers;
using System.Buffers.Binary;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// Writes control frames (draft-ietf-moq-transport-14 §9: Message Type (i), Message Length (16), Payload). The
/// payload is staged in a pooled per-thread buffer so its length can precede it.
/// </summary>
internal sealed class MoqtControlMessageWriter(IMoqtWireCodec codec)
{
    [ThreadStatic]
    private static PooledBufferWriter? _scratch;

    /// <summary>A writer for draft-14.</summary>
    public static MoqtControlMessageWriter Draft14 { get; } = new(Draft14Codec.Instance);

    public IMoqtWireCodec Codec => codec;

    /// <summary>Writes one frame; returns its length in bytes. Throws <see cref="ArgumentException"/> past 65,535 payload bytes.</summary>
    public int Write(IBufferWriter<byte> writer, MoqtControlMessage message)
    {
        var scratch = _scratch ??= new PooledBufferWriter();
        _scratch = null; // re-entrancy safe: a nested write gets its own buffer
        try
        {
            scratch.Reset();
            codec.WritePayload(scratch, message);
            var payload = scratch.WrittenSpan;
            if (payload.Length > MoqtControlMessageReader.MaxControlMessageLength)
            {
                throw new ArgumentException(
                    $"{message.Type} payload is {payload.Length} bytes; a control message holds at most 65,535.", nameof(message));
            }

            var typeLength = QuicVarint.Write(writer, codec.GetWireType(message));
            BinaryPrimitives.WriteUInt16BigEndian(writer.GetSpan(2), (ushort)payload.Length);
            writer.Advance(2);
            writer.WriteBytes(payload);
            return typeLength + 2 + payload.Length;
        }
        finally
        {
            scratch.Trim();
            _scratch = scratch;
        }
    }

    /// <summary>The frame as a new array (tests and one-off sends).</summary>
    public byte[] ToArray(MoqtControlMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }
}
