using System.Buffers;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// Reads data-stream and datagram headers (draft-ietf-moq-transport-14 §10) without copying payloads. Stream reads
/// return false on partial input and leave state untouched; malformed input throws
/// <see cref="MoqtProtocolException"/> (PROTOCOL_VIOLATION).
/// </summary>
internal static class MoqtDataReader
{
    /// <summary>Local limit on one object's payload; larger objects are refused as a PROTOCOL_VIOLATION.</summary>
    public const int MaxObjectPayloadLength = 16 * 1024 * 1024;

    private const int SmallHeader = 64;

    private delegate bool SpanParser<TState, TResult>(ReadOnlySpan<byte> span, ref TState state, out TResult result);

    // ---------------------------------------------------------------- stream headers

    /// <summary>
    /// §10: a unidirectional stream starts with its type: 0x10-0x1D SUBGROUP_HEADER (§10.4.2) or 0x05 FETCH_HEADER
    /// (§10.4.4); "An endpoint that receives an unknown stream ... type MUST close the session."
    /// </summary>
    public static bool TryReadStreamHeader(ReadOnlySpan<byte> buffer, out MoqtStreamHeader header, out int consumed)
    {
        header = default;
        consumed = 0;
        var r = new MoqtSpanReader(buffer);
        if (!r.TryReadVarint(out var type))
        {
            return false;
        }

        if (type == MoqtStreamHeader.FetchStreamType)
        {
            if (!r.TryReadVarint(out var requestId))
            {
                return false;
            }

            header = MoqtStreamHeader.ForFetch(requestId);
            consumed = r.Position;
            return true;
        }

        if (!MoqtSubgroupHeader.TryDecodeStreamType(type, out var mode, out var extensions, out var endOfGroup))
        {
            throw MoqtProtocolException.Violation($"Unknown data stream type 0x{type:x}.");
        }

        ulong subgroupId = 0;
        if (!r.TryReadVarint(out var alias) || !r.TryReadVarint(out var group)
            || (mode == MoqtSubgroupIdMode.Explicit && !r.TryReadVarint(out subgroupId))
            || !r.TryReadByte(out var priority))
        {
            return false;
        }

        header = MoqtStreamHeader.ForSubgroup(new MoqtSubgroupHeader(alias, group, subgroupId, priority, mode, extensions, endOfGroup));
        consumed = r.Position;
        return true;
    }

    /// <summary>Reads the stream header and slices it off <paramref name="buffer"/>.</summary>
    public static bool TryReadStreamHeader(ref ReadOnlySequence<byte> buffer, out MoqtStreamHeader header)
    {
        var unused = 0;
        if (!TryParse(buffer, ref unused, static (ReadOnlySpan<byte> s, ref int _, out (MoqtStreamHeader H, int N) result) =>
            {
                var ok = TryReadStreamHeader(s, out var h, out var n);
                result = (h, n);
                return ok;
            }, SmallHeader, out var parsed))
        {
            header = default;
            return false;
        }

        header = parsed.H;
        buffer = buffer.Slice(parsed.N);
        return true;
    }

    // ---------------------------------------------------------------- subgroup objects

    /// <summary>
    /// §10.4.2 Subgroup Object Fields: Object ID Delta, [Extension Headers Length, Extension headers], Object Payload
    /// Length, [Object Status when the length is 0]. Returns once the header is complete (the payload may still be
    /// arriving) and advances <paramref name="cursor"/>.
    /// </summary>
    public static bool TryReadSubgroupObjectHeader(ReadOnlySpan<byte> buffer, ref MoqtSubgroupCursor cursor, out MoqtObjectHeader header)
    {
        header = default;
        var r = new MoqtSpanReader(buffer);
        if (!r.TryReadVarint(out var delta))
        {
            return false;
        }

        if (!TryReadObjectTail(ref r, cursor.Header.HasExtensions, out var extOffset, out var extLength, out var timestamp,
            out var payloadLength, out var status))
        {
            return false;
        }

        // §10.4.2: "The Object ID Delta + 1 is added to the previous Object ID ... The Object ID is the Object ID
        // Delta if it's the first Object in the Subgroup stream."
        ulong objectId;
        if (cursor.LastObjectId is { } last)
        {
            if (delta >= QuicVarint.MaxValue - last)
            {
                throw MoqtProtocolException.Violation("Object ID Delta overflows the Object ID.");
            }

            objectId = last + delta + 1;
        }
        else
        {
            objectId = delta;
            if (cursor.Header.SubgroupIdMode == MoqtSubgroupIdMode.FirstObjectId)
            {
                cursor.SubgroupId = objectId;
            }
        }

        cursor.LastObjectId = objectId;
        header = new MoqtObjectHeader
        {
            GroupId = cursor.Header.GroupId,
            SubgroupId = cursor.SubgroupId,
            ObjectId = objectId,
            PublisherPriority = cursor.Header.PublisherPriority,
            Status = status,
            HeaderLength = r.Position,
            ExtensionsOffset = extOffset,
            ExtensionsLength = extLength,
            PayloadLength = payloadLength,
            CaptureTimestampMicros = timestamp,
        };
        return true;
    }

    /// <summary>Header-only read over a sequence; <see cref="MoqtObjectHeader.HeaderLength"/> bytes are the header.</summary>
    public static bool TryReadSubgroupObjectHeader(in ReadOnlySequence<byte> buffer, ref MoqtSubgroupCursor cursor, out MoqtObjectHeader header) =>
        TryParse(buffer, ref cursor, static (ReadOnlySpan<byte> s, ref MoqtSubgroupCursor c, out MoqtObjectHeader h) =>
            TryReadSubgroupObjectHeader(s, ref c, out h), SmallHeader, out header);

    /// <summary>
    /// Reads a whole object (header and payload) and slices it off <paramref name="buffer"/>; the payload is a slice
    /// of the input. Returns false, with <paramref name="cursor"/> untouched, until the payload is complete.
    /// </summary>
    public static bool TryReadSubgroupObject(
        ref ReadOnlySequence<byte> buffer, ref MoqtSubgroupCursor cursor, out MoqtObjectHeader header, out ReadOnlySequence<byte> payload)
    {
        var trial = cursor;
        if (!TryReadSubgroupObjectHeader(buffer, ref trial, out header) || buffer.Length < header.TotalLength)
        {
            payload = default;
            return false;
        }

        cursor = trial;
        payload = buffer.Slice(header.HeaderLength, header.PayloadLength);
        buffer = buffer.Slice(header.TotalLength);
        return true;
    }

    // ---------------------------------------------------------------- fetch objects

    /// <summary>
    /// §10.4.4 Fetch Object Fields: Group ID, Subgroup ID, Object ID, Publisher Priority, Extension Headers Length,
    /// [Extension headers], Object Payload Length, [Object Status when the length is 0].
    /// </summary>
    public static bool TryReadFetchObjectHeader(ReadOnlySpan<byte> buffer, out MoqtObjectHeader header)
    {
        header = default;
        var r = new MoqtSpanReader(buffer);
        if (!r.TryReadVarint(out var group) || !r.TryReadVarint(out var subgroup) || !r.TryReadVarint(out var objectId)
            || !r.TryReadByte(out var priority))
        {
            return false;
        }

        if (!TryReadObjectTail(ref r, hasExtensions: true, out var extOffset, out var extLength, out var timestamp,
            out var payloadLength, out var status))
        {
            return false;
        }

        header = new MoqtObjectHeader
        {
            GroupId = group,
            SubgroupId = subgroup,
            ObjectId = objectId,
            PublisherPriority = priority,
            Status = status,
            HeaderLength = r.Position,
            ExtensionsOffset = extOffset,
            ExtensionsLength = extLength,
            PayloadLength = payloadLength,
            CaptureTimestampMicros = timestamp,
        };
        return true;
    }

    public static bool TryReadFetchObjectHeader(in ReadOnlySequence<byte> buffer, out MoqtObjectHeader header)
    {
        var unused = 0;
        return TryParse(buffer, ref unused, static (ReadOnlySpan<byte> s, ref int _, out MoqtObjectHeader h) =>
            TryReadFetchObjectHeader(s, out h), SmallHeader, out header);
    }

    /// <summary>Reads a whole fetch object and slices it off <paramref name="buffer"/>; the payload is a slice of the input.</summary>
    public static bool TryReadFetchObject(ref ReadOnlySequence<byte> buffer, out MoqtObjectHeader header, out ReadOnlySequence<byte> payload)
    {
        if (!TryReadFetchObjectHeader(buffer, out header) || buffer.Length < header.TotalLength)
        {
            payload = default;
            return false;
        }

        payload = buffer.Slice(header.HeaderLength, header.PayloadLength);
        buffer = buffer.Slice(header.TotalLength);
        return true;
    }

    // ---------------------------------------------------------------- datagrams

    /// <summary>
    /// §10.3.1 OBJECT_DATAGRAM (types 0x00-0x07) and OBJECT_DATAGRAM_STATUS (0x20-0x21). Returns false for a
    /// truncated datagram (drop it). Unknown types, an empty extension block when extensions are flagged, and bytes
    /// after a status throw PROTOCOL_VIOLATION.
    /// </summary>
    public static bool TryReadDatagram(ReadOnlySpan<byte> datagram, out MoqtDatagramHeader header)
    {
        header = default;
        var r = new MoqtSpanReader(datagram);
        if (!r.TryReadVarint(out var type))
        {
            return false;
        }

        bool isStatus;
        if (type <= 0x07)
        {
            isStatus = false;
        }
        else if (type is 0x20 or 0x21)
        {
            isStatus = true;
        }
        else
        {
            // §10: "An endpoint that receives an unknown stream or datagram type MUST close the session."
            throw MoqtProtocolException.Violation($"Unknown datagram type 0x{type:x}.");
        }

        var hasExtensions = (type & 1) != 0;
        var endOfGroup = !isStatus && (type & 2) != 0;
        var hasObjectId = isStatus || (type & 4) == 0;
        ulong objectId = 0;
        if (!r.TryReadVarint(out var alias) || !r.TryReadVarint(out var group)
            || (hasObjectId && !r.TryReadVarint(out objectId)) || !r.TryReadByte(out var priority))
        {
            return false;
        }

        int extOffset = 0, extLength = 0;
        ulong? timestamp = null;
        if (hasExtensions)
        {
            if (!TryReadExtensionBlock(ref r, out extOffset, out extLength, out timestamp))
            {
                return false;
            }

            // §10.3.1: "Extensions Present as Yes and a Extension Headers Length of 0 ... MUST close the session with
            // PROTOCOL_VIOLATION."
            if (extLength == 0)
            {
                throw MoqtProtocolException.Violation("Datagram flags extensions but carries none.");
            }
        }

        var status = MoqtObjectStatus.Normal;
        if (isStatus)
        {
            if (!r.TryReadVarint(out var rawStatus))
            {
                return false;
            }

            status = CheckStatus(rawStatus);
            if (!r.End)
            {
                throw MoqtProtocolException.Violation("OBJECT_DATAGRAM_STATUS carries bytes after its status.");
            }
        }

        header = new MoqtDatagramHeader
        {
            TrackAlias = alias,
            GroupId = group,
            ObjectId = objectId,
            HasObjectIdField = hasObjectId,
            PublisherPriority = priority,
            EndOfGroup = endOfGroup,
            HasExtensions = hasExtensions,
            IsStatus = isStatus,
            Status = status,
            ExtensionsOffset = extOffset,
            ExtensionsLength = extLength,
            PayloadOffset = r.Position,
            PayloadLength = r.Remaining,
            CaptureTimestampMicros = timestamp,
        };
        return true;
    }

    // ---------------------------------------------------------------- shared

    private static bool TryReadObjectTail(
        ref MoqtSpanReader r, bool hasExtensions, out int extOffset, out int extLength, out ulong? timestamp,
        out int payloadLength, out MoqtObjectStatus status)
    {
        extOffset = extLength = payloadLength = 0;
        timestamp = null;
        status = MoqtObjectStatus.Normal;
        if (hasExtensions && !TryReadExtensionBlock(ref r, out extOffset, out extLength, out timestamp))
        {
            return false;
        }

        if (!r.TryReadVarint(out var length))
        {
            return false;
        }

        if (length > MaxObjectPayloadLength)
        {
            throw MoqtProtocolException.Violation($"Object payload of {length} bytes exceeds the limit of {MaxObjectPayloadLength}.");
        }

        payloadLength = (int)length;

        // §10.4.2: "The Object Status field is only sent if the Object Payload Length is zero."
        if (payloadLength == 0)
        {
            if (!r.TryReadVarint(out var rawStatus))
            {
                return false;
            }

            status = CheckStatus(rawStatus);
        }

        return true;
    }

    private static bool TryReadExtensionBlock(ref MoqtSpanReader r, out int offset, out int length, out ulong? timestamp)
    {
        offset = length = 0;
        timestamp = null;
        if (!r.TryReadVarint(out var raw))
        {
            return false;
        }

        if (raw > MoqtExtensionHeaders.MaxBlockLength)
        {
            throw MoqtProtocolException.Violation(
                $"Extension headers of {raw} bytes exceed the limit of {MoqtExtensionHeaders.MaxBlockLength}.");
        }

        offset = r.Position;
        if (!r.TryReadBytes((int)raw, out var block))
        {
            return false;
        }

        length = (int)raw;
        MoqtExtensionHeaders.Validate(block, out timestamp);
        return true;
    }

    // §10.2.1.1: statuses other than 0, 1, 3, 4 are a protocol error. (§10.2.1.2 also forbids extension headers on
    // an "Object Does Not Exist" object; the codec vectors decode such a datagram (type 0x21, status 1) as valid, so
    // that rule is left to the session, which sees the status and ExtensionsLength.)
    private static MoqtObjectStatus CheckStatus(ulong raw) =>
        raw is 0 or 1 or 3 or 4 ? (MoqtObjectStatus)raw : throw MoqtProtocolException.Violation($"Object status {raw} is not defined.");

    /// <summary>
    /// Runs a span parser over a sequence. A contiguous first segment is parsed in place; otherwise a short prefix is
    /// copied to the stack, and only a header with a large extension block is linearised into a pooled array.
    /// </summary>
    private static bool TryParse<TState, TResult>(
        in ReadOnlySequence<byte> buffer, ref TState state, SpanParser<TState, TResult> parser, int smallHeader, out TResult result)
    {
        var first = buffer.FirstSpan;
        if (buffer.IsSingleSegment)
        {
            return parser(first, ref state, out result);
        }

        if (parser(first, ref state, out result))
        {
            return true;
        }

        Span<byte> small = stackalloc byte[smallHeader];
        var n = (int)Math.Min(buffer.Length, smallHeader);
        buffer.Slice(0, n).CopyTo(small);
        if (parser(small[..n], ref state, out result))
        {
            return true;
        }

        if (buffer.Length <= smallHeader)
        {
            return false;
        }

        var max = (int)Math.Min(buffer.Length, smallHeader + MoqtExtensionHeaders.MaxBlockLength);
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            buffer.Slice(0, max).CopyTo(rented);
            return parser(rented.AsSpan(0, max), ref state, out result);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
