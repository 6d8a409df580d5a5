using System.Buffers;
using System.Buffers.Binary;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>Small helpers that fill an <see cref="IBufferWriter{T}"/> with MoQT field encodings.</summary>
internal static class MoqtBufferWriterExtensions
{
    public static void WriteVarint(this IBufferWriter<byte> writer, ulong value) => QuicVarint.Write(writer, value);

    public static void WriteByte(this IBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    public static void WriteUInt16(this IBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    public static void WriteBytes(this IBufferWriter<byte> writer, ReadOnlySpan<byte> value)
    {
        if (!value.IsEmpty)
        {
            writer.Write(value);
        }
    }

    /// <summary>draft-ietf-moq-transport-14 §1.4 "x (b)": varint length then the bytes.</summary>
    public static void WriteLengthPrefixed(this IBufferWriter<byte> writer, ReadOnlySpan<byte> value)
    {
        QuicVarint.Write(writer, (ulong)value.Length);
        writer.WriteBytes(value);
    }
}
