using System.Buffers;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// Object extension headers: a block of Key-Value-Pairs (draft-ietf-moq-transport-14 §10.2.1.2, §1.4.2). Helpers
/// read and write them in place, with no allocation, including ClutchCall's capture timestamp
/// (<see cref="MoqtExtensionHeaderKey.CaptureTimestamp"/>, microseconds as a varint).
/// </summary>
internal static class MoqtExtensionHeaders
{
    /// <summary>Local limit on one object's extension block; longer blocks are refused as a PROTOCOL_VIOLATION.</summary>
    public const int MaxBlockLength = 16 * 1024;

    /// <summary>Bytes the capture-timestamp extension takes.</summary>
    public static int CaptureTimestampLength(ulong micros) =>
        QuicVarint.GetLength((ulong)MoqtExtensionHeaderKey.CaptureTimestamp) + QuicVarint.GetLength(micros);

    /// <summary>Writes the capture-timestamp extension into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int WriteCaptureTimestamp(Span<byte> destination, ulong micros)
    {
        var n = QuicVarint.Write(destination, (ulong)MoqtExtensionHeaderKey.CaptureTimestamp);
        return n + QuicVarint.Write(destination[n..], micros);
    }

    /// <summary>Writes one extension with a varint value (even key).</summary>
    public static int WriteVarint(Span<byte> destination, ulong key, ulong value)
    {
        if ((key & 1) != 0)
        {
            throw new ArgumentException("Odd extension keys carry bytes.", nameof(key));
        }

        var n = QuicVarint.Write(destination, key);
        return n + QuicVarint.Write(destination[n..], value);
    }

    /// <summary>Writes one extension with a byte-string value (odd key).</summary>
    public static int WriteBytes(Span<byte> destination, ulong key, ReadOnlySpan<byte> value)
    {
        if ((key & 1) == 0)
        {
            throw new ArgumentException("Even extension keys carry a varint.", nameof(key));
        }

        var n = QuicVarint.Write(destination, key);
        n += QuicVarint.Write(destination[n..], (ulong)value.Length);
        value.CopyTo(destination[n..]);
        return n + value.Length;
    }

    /// <summary>Finds the capture timestamp in a well-formed block.</summary>
    public static bool TryGetCaptureTimestamp(ReadOnlySpan<byte> block, out ulong micros)
    {
        foreach (var header in new Enumerator(block))
        {
            if (header.Key == (ulong)MoqtExtensionHeaderKey.CaptureTimestamp)
            {
                micros = header.Value;
                return true;
            }
        }

        micros = 0;
        return false;
    }

    /// <summary>
    /// Checks that <paramref name="block"/> is a whole number of Key-Value-Pairs (§1.4.2; byte values at most
    /// 2^16-1) and picks out the capture timestamp. Throws PROTOCOL_VIOLATION otherwise.
    /// </summary>
    public static void Validate(ReadOnlySpan<byte> block, out ulong? captureTimestampMicros)
    {
        captureTimestampMicros = null;
        var reader = new MoqtSpanReader(block);
        while (!reader.End)
        {
            if (!TryReadOne(ref reader, out var header))
            {
                throw MoqtProtocolException.Violation("Object extension headers do not parse as Key-Value-Pairs.");
            }

            if (header.Key == (ulong)MoqtExtensionHeaderKey.CaptureTimestamp)
            {
                captureTimestampMicros = header.Value;
            }
        }
    }

    /// <summary>Writes a whole extension block (already-encoded Key-Value-Pairs) after its varint length.</summary>
    public static void WriteBlock(IBufferWriter<byte> writer, ReadOnlySpan<byte> block) => writer.WriteLengthPrefixed(block);

    private static bool TryReadOne(scoped ref MoqtSpanReader reader, out ExtensionHeader header)
    {
        header = default;
        if (!reader.TryReadVarint(out var key))
        {
            return false;
        }

        if ((key & 1) == 0)
        {
            if (!reader.TryReadVarint(out var value))
            {
                return false;
            }

            header = new ExtensionHeader(key, value, default);
            return true;
        }

        if (!reader.TryReadVarint(out var length) || length > MoqtParameter.MaxValueLength
            || !reader.TryReadBytes((int)length, out var bytes))
        {
            return false;
        }

        header = new ExtensionHeader(key, 0, bytes);
        return true;
    }

    /// <summary>One extension header, viewed in place.</summary>
    internal readonly ref struct ExtensionHeader(ulong key, ulong value, ReadOnlySpan<byte> bytes)
    {
        public ulong Key { get; } = key;

        /// <summary>Varint value (even keys).</summary>
        public ulong Value { get; } = value;

        /// <summary>Byte value (odd keys).</summary>
        public ReadOnlySpan<byte> Bytes { get; } = bytes;

        public bool IsVarint => (Key & 1) == 0;
    }

    /// <summary>Walks a block; stops at the first malformed pair (blocks from the readers are already validated).</summary>
    internal ref struct Enumerator(ReadOnlySpan<byte> block)
    {
        private MoqtSpanReader _reader = new(block);
        private ExtensionHeader _current;

        public readonly ExtensionHeader Current => _current;

        public readonly Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            var reader = _reader;
            if (reader.End || !TryReadOne(ref reader, out var header))
            {
                return false;
            }

            _reader = reader;
            _current = header;
            return true;
        }
    }
}
