using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// QUIC variable-length integers (RFC 9000 §16): the two high bits of the first byte give the
/// length (1, 2, 4 or 8 bytes), the rest is the value in network byte order. The only varint
/// encoder/decoder in the project. Writes use the shortest encoding
/// (draft-ietf-moq-transport-14 §1.4: "SHOULD be encoded using the least number of bytes");
/// reads accept any valid encoding, minimal or not.
/// </summary>
internal static class QuicVarint
{
    /// <summary>RFC 9000 §16: the largest encodable value, 2^62 - 1.</summary>
    public const ulong MaxValue = (1UL << 62) - 1;

    /// <summary>The longest encoding in bytes.</summary>
    public const int MaxLength = 8;

    /// <summary>Bytes the minimal encoding of <paramref name="value"/> takes. Throws past <see cref="MaxValue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetLength(ulong value) => value switch
    {
        <= 63 => 1,
        <= 16383 => 2,
        <= 1073741823 => 4,
        <= MaxValue => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "A QUIC varint holds at most 2^62 - 1."),
    };

    /// <summary>Encoded length announced by a first byte (RFC 9000 §16, two most significant bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetEncodedLength(byte firstByte) => 1 << (firstByte >> 6);

    /// <summary>Reads one varint. Returns false when <paramref name="source"/> holds only part of it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int bytesRead)
    {
        if (source.IsEmpty)
        {
            value = 0;
            bytesRead = 0;
            return false;
        }

        var length = GetEncodedLength(source[0]);
        if (source.Length < length)
        {
            value = 0;
            bytesRead = 0;
            return false;
        }

        value = length switch
        {
            1 => source[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(source) & 0x3FFFu,
            4 => BinaryPrimitives.ReadUInt32BigEndian(source) & 0x3FFF_FFFFu,
            _ => BinaryPrimitives.ReadUInt64BigEndian(source) & MaxValue,
        };
        bytesRead = length;
        return true;
    }

    /// <summary>Reads one varint and advances <paramref name="reader"/>; leaves it untouched on partial input.</summary>
    public static bool TryRead(ref SequenceReader<byte> reader, out ulong value)
    {
        var unread = reader.UnreadSpan;
        if (unread.Length >= MaxLength || (!unread.IsEmpty && unread.Length >= GetEncodedLength(unread[0])))
        {
            TryRead(unread, out value, out var read);
            reader.Advance(read);
            return true;
        }

        if (!reader.TryPeek(out var first))
        {
            value = 0;
            return false;
        }

        Span<byte> scratch = stackalloc byte[MaxLength];
        var length = GetEncodedLength(first);
        if (!reader.TryCopyTo(scratch[..length]))
        {
            value = 0;
            return false;
        }

        TryRead(scratch[..length], out value, out _);
        reader.Advance(length);
        return true;
    }

    /// <summary>Writes the minimal encoding of <paramref name="value"/>; returns the bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Write(Span<byte> destination, ulong value)
    {
        var length = GetLength(value);
        WriteWithLength(destination, value, length);
        return length;
    }

    /// <summary>
    /// Writes <paramref name="value"/> in exactly <paramref name="length"/> bytes (1, 2, 4 or 8), for
    /// fields reserved before their value is known. Throws when the value does not fit.
    /// </summary>
    public static void WriteWithLength(Span<byte> destination, ulong value, int length)
    {
        if (length < GetLength(value) || length is not (1 or 2 or 4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"{value} does not fit a {length}-byte varint.");
        }

        if (destination.Length < length)
        {
            throw new ArgumentException("Destination too small for the varint.", nameof(destination));
        }

        switch (length)
        {
            case 1:
                destination[0] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(value | 0x4000));
                break;
            case 4:
                BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)value | 0x8000_0000u);
                break;
            default:
                BinaryPrimitives.WriteUInt64BigEndian(destination, value | 0xC000_0000_0000_0000UL);
                break;
        }
    }

    /// <summary>Writes the minimal encoding of <paramref name="value"/> to <paramref name="writer"/>.</summary>
    public static int Write(IBufferWriter<byte> writer, ulong value)
    {
        var length = GetLength(value);
        WriteWithLength(writer.GetSpan(length), value, length);
        writer.Advance(length);
        return length;
    }
}
