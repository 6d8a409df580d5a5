using System.Buffers;
using System.Text;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>One decoded header field.</summary>
internal readonly record struct QpackField(string Name, string Value);

/// <summary>Why a header block could not be decoded.</summary>
internal enum QpackStatus
{
    Success,

    /// <summary>The block ended inside a field (RFC 9204 §4.5: a malformed block is QPACK_DECOMPRESSION_FAILED).</summary>
    Truncated,

    /// <summary>A reference into the dynamic table, which this endpoint never allows (capacity 0, RFC 9204 §3.2.3).</summary>
    DynamicReference,

    /// <summary>A static index past the table, bad Huffman, an integer overflow or a limit exceeded.</summary>
    Invalid,
}

/// <summary>
/// QPACK header blocks without a dynamic table (RFC 9204): decodes indexed static fields, literals with a static
/// name reference and literals with literal names (Huffman or raw), and encodes responses the same way.
/// </summary>
internal static class QpackHeaderCodec
{
    /// <summary>Longest name or value accepted.</summary>
    public const int MaxStringLength = 8192;

    /// <summary>Most fields accepted in one block.</summary>
    public const int MaxFields = 64;

    /// <summary>Decodes a complete HEADERS frame payload.</summary>
    public static QpackStatus TryDecode(ReadOnlySpan<byte> block, List<QpackField> fields)
    {
        var position = 0;

        // RFC 9204 §4.5.1: Required Insert Count (8-bit prefix) and Delta Base (sign bit + 7-bit prefix).
        if (!TryReadInteger(block, ref position, 8, out var requiredInsertCount) || !TryReadInteger(block, ref position, 7, out _))
        {
            return QpackStatus.Truncated;
        }

        if (requiredInsertCount != 0)
        {
            return QpackStatus.DynamicReference;
        }

        while (position < block.Length)
        {
            if (fields.Count >= MaxFields)
            {
                return QpackStatus.Invalid;
            }

            var first = block[position];
            QpackStatus status;
            if ((first & 0x80) != 0)
            {
                // RFC 9204 §4.5.2 Indexed Field Line: 1 T index(6).
                status = ReadIndexed(block, ref position, (first & 0x40) != 0, fields);
            }
            else if ((first & 0x40) != 0)
            {
                // RFC 9204 §4.5.4 Literal Field Line with Name Reference: 01 N T index(4), value.
                status = ReadLiteralWithNameReference(block, ref position, (first & 0x10) != 0, fields);
            }
            else if ((first & 0x20) != 0)
            {
                // RFC 9204 §4.5.6 Literal Field Line with Literal Name: 001 N H length(3) name, value.
                status = ReadLiteralWithLiteralName(block, ref position, fields);
            }
            else
            {
                // RFC 9204 §4.5.3 / §4.5.5: post-base forms only address the dynamic table.
                status = QpackStatus.DynamicReference;
            }

            if (status != QpackStatus.Success)
            {
                return status;
            }
        }

        return QpackStatus.Success;
    }

    private static QpackStatus ReadIndexed(ReadOnlySpan<byte> block, ref int position, bool isStatic, List<QpackField> fields)
    {
        if (!TryReadInteger(block, ref position, 6, out var index))
        {
            return QpackStatus.Truncated;
        }

        if (!isStatic)
        {
            return QpackStatus.DynamicReference;
        }

        if (index >= (ulong)QpackStaticTable.Count)
        {
            return QpackStatus.Invalid;
        }

        var (name, value) = QpackStaticTable.Get((int)index);
        fields.Add(new QpackField(name, value));
        return QpackStatus.Success;
    }

    private static QpackStatus ReadLiteralWithNameReference(ReadOnlySpan<byte> block, ref int position, bool isStatic, List<QpackField> fields)
    {
        if (!TryReadInteger(block, ref position, 4, out var index))
        {
            return QpackStatus.Truncated;
        }

        if (!isStatic)
        {
            return QpackStatus.DynamicReference;
        }

        if (index >= (ulong)QpackStaticTable.Count)
        {
            return QpackStatus.Invalid;
        }

        var status = ReadString(block, ref position, 7, out var value);
        if (status == QpackStatus.Success)
        {
            fields.Add(new QpackField(QpackStaticTable.Get((int)index).Name, value));
        }

        return status;
    }

    private static QpackStatus ReadLiteralWithLiteralName(ReadOnlySpan<byte> block, ref int position, List<QpackField> fields)
    {
        var status = ReadString(block, ref position, 3, out var name);
        if (status != QpackStatus.Success)
        {
            return status;
        }

        status = ReadString(block, ref position, 7, out var value);
        if (status == QpackStatus.Success)
        {
            fields.Add(new QpackField(name, value));
        }

        return status;
    }

    /// <summary>RFC 9204 §4.1.2: H flag just above an N-bit length prefix, then the (maybe Huffman) bytes.</summary>
    private static QpackStatus ReadString(ReadOnlySpan<byte> block, ref int position, int prefixBits, out string value)
    {
        value = string.Empty;
        if (position >= block.Length)
        {
            return QpackStatus.Truncated;
        }

        var huffman = (block[position] & (1 << prefixBits)) != 0;
        if (!TryReadInteger(block, ref position, prefixBits, out var length))
        {
            return QpackStatus.Truncated;
        }

        if (length > MaxStringLength)
        {
            return QpackStatus.Invalid;
        }

        if (length > (ulong)(block.Length - position))
        {
            return QpackStatus.Truncated;
        }

        var raw = block.Slice(position, (int)length);
        position += (int)length;
        if (!huffman)
        {
            value = Encoding.Latin1.GetString(raw);
            return QpackStatus.Success;
        }

        // Huffman output is at most 8/5 of the input (5 bits is the shortest code).
        var scratch = ArrayPool<byte>.Shared.Rent((raw.Length * 8 / 5) + 1);
        try
        {
            if (!HuffmanCodec.TryDecode(raw, scratch, out var written) || written > MaxStringLength)
            {
                return QpackStatus.Invalid;
            }

            value = Encoding.Latin1.GetString(scratch, 0, written);
            return QpackStatus.Success;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>RFC 7541 §5.1 prefixed integer (used by RFC 9204 §4.1.1); the flag bits above the prefix are ignored.</summary>
    public static bool TryReadInteger(ReadOnlySpan<byte> source, ref int position, int prefixBits, out ulong value)
    {
        value = 0;
        if (position >= source.Length)
        {
            return false;
        }

        var mask = (1 << prefixBits) - 1;
        value = (ulong)(source[position++] & mask);
        if (value < (ulong)mask)
        {
            return true;
        }

        var shift = 0;
        while (true)
        {
            if (position >= source.Length || shift > 56)
            {
                // Truncated, or more continuation bytes than a 62-bit value needs.
                value = 0;
                return false;
            }

            var b = source[position++];
            value += (ulong)(b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }
    }

    /// <summary>RFC 7541 §5.1: writes <paramref name="value"/> with an N-bit prefix, OR-ing <paramref name="flags"/> into the first byte.</summary>
    public static void WriteInteger(IBufferWriter<byte> writer, byte flags, int prefixBits, ulong value)
    {
        var span = writer.GetSpan(11);
        var mask = (ulong)((1 << prefixBits) - 1);
        var count = 0;
        if (value < mask)
        {
            span[count++] = (byte)(flags | (byte)value);
        }
        else
        {
            span[count++] = (byte)(flags | (byte)mask);
            value -= mask;
            while (value >= 0x80)
            {
                span[count++] = (byte)((value & 0x7F) | 0x80);
                value >>= 7;
            }

            span[count++] = (byte)value;
        }

        writer.Advance(count);
    }

    /// <summary>Starts a header block: Required Insert Count 0, Delta Base 0 (RFC 9204 §4.5.1).</summary>
    public static void WritePrefix(IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(2);
        span[0] = 0;
        span[1] = 0;
        writer.Advance(2);
    }

    /// <summary>RFC 9204 §4.5.2: an indexed static field.</summary>
    public static void WriteIndexedStatic(IBufferWriter<byte> writer, int index) => WriteInteger(writer, 0xC0, 6, (ulong)index);

    /// <summary>RFC 9204 §4.5.4: literal value with a static name reference, raw (no Huffman).</summary>
    public static void WriteLiteralWithStaticName(IBufferWriter<byte> writer, int nameIndex, string value)
    {
        WriteInteger(writer, 0x50, 4, (ulong)nameIndex);
        WriteString(writer, 7, value);
    }

    /// <summary>RFC 9204 §4.5.6: literal name and value, raw (no Huffman).</summary>
    public static void WriteLiteral(IBufferWriter<byte> writer, string name, string value)
    {
        var bytes = Encoding.Latin1.GetBytes(name);
        WriteInteger(writer, 0x20, 3, (ulong)bytes.Length);
        writer.Write(bytes);
        WriteString(writer, 7, value);
    }

    private static void WriteString(IBufferWriter<byte> writer, int prefixBits, string value)
    {
        var bytes = Encoding.Latin1.GetBytes(value);
        WriteInteger(writer, 0, prefixBits, (ulong)bytes.Length);
        writer.Write(bytes);
    }
}
