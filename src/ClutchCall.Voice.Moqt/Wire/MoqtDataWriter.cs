using System.Buffers;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// Writes data-stream and datagram headers (draft-ietf-moq-transport-14 §10). Extension blocks are passed as
/// already-encoded Key-Value-Pairs (build them with <see cref="MoqtExtensionHeaders"/>, or forward the bytes a reader
/// located), so a relay re-frames objects without decoding them. No allocation.
/// </summary>
internal static class MoqtDataWriter
{
    /// <summary>§10.4.2 SUBGROUP_HEADER: Type, Track Alias, Group ID, [Subgroup ID], Publisher Priority.</summary>
    public static void WriteSubgroupHeader(IBufferWriter<byte> writer, in MoqtSubgroupHeader header)
    {
        if ((byte)header.SubgroupIdMode > 2)
        {
            throw new ArgumentException("Undefined subgroup id mode.", nameof(header));
        }

        writer.WriteVarint(header.StreamType);
        writer.WriteVarint(header.TrackAlias);
        writer.WriteVarint(header.GroupId);
        if (header.SubgroupIdMode == MoqtSubgroupIdMode.Explicit)
        {
            writer.WriteVarint(header.SubgroupId);
        }

        writer.WriteByte(header.PublisherPriority);
    }

    /// <summary>Writes an object's header then its payload on a subgroup stream; advances <paramref name="cursor"/>.</summary>
    public static void WriteSubgroupObject(
        IBufferWriter<byte> writer, ref MoqtSubgroupCursor cursor, ulong objectId, ReadOnlySpan<byte> extensions,
        ReadOnlySpan<byte> payload, MoqtObjectStatus status = MoqtObjectStatus.Normal)
    {
        WriteSubgroupObjectHeader(writer, ref cursor, objectId, extensions, payload.Length, status);
        writer.WriteBytes(payload);
    }

    /// <summary>
    /// §10.4.2 Subgroup Object Fields up to the payload: Object ID Delta, [Extension Headers Length, Extension headers],
    /// Object Payload Length, [Object Status]. The caller then writes <paramref name="payloadLength"/> bytes.
    /// </summary>
    public static void WriteSubgroupObjectHeader(
        IBufferWriter<byte> writer, ref MoqtSubgroupCursor cursor, ulong objectId, ReadOnlySpan<byte> extensions,
        int payloadLength, MoqtObjectStatus status = MoqtObjectStatus.Normal)
    {
        ulong delta;
        if (cursor.LastObjectId is { } last)
        {
            // §10.4.2: objects in a subgroup stream have increasing ids; Delta = id - previous - 1.
            if (objectId <= last)
            {
                throw new ArgumentException($"Object {objectId} does not follow object {last} in this subgroup.", nameof(objectId));
            }

            delta = objectId - last - 1;
        }
        else
        {
            delta = objectId;
            if (cursor.Header.SubgroupIdMode == MoqtSubgroupIdMode.FirstObjectId)
            {
                cursor.SubgroupId = objectId;
            }
        }

        if (!cursor.Header.HasExtensions && !extensions.IsEmpty)
        {
            throw new ArgumentException("This subgroup stream type carries no extension headers.", nameof(extensions));
        }

        CheckObject(extensions, payloadLength, status);
        writer.WriteVarint(delta);
        if (cursor.Header.HasExtensions)
        {
            MoqtExtensionHeaders.WriteBlock(writer, extensions);
        }

        WriteLengthAndStatus(writer, payloadLength, status);
        cursor.LastObjectId = objectId;
    }

    /// <summary>§10.4.4 FETCH_HEADER: Type 0x05, Request ID.</summary>
    public static void WriteFetchHeader(IBufferWriter<byte> writer, ulong requestId)
    {
        writer.WriteVarint(MoqtStreamHeader.FetchStreamType);
        writer.WriteVarint(requestId);
    }

    /// <summary>
    /// §10.4.4 Fetch Object Fields: Group ID, Subgroup ID, Object ID, Publisher Priority, Extension Headers Length,
    /// [Extension headers], Object Payload Length, [Object Status], payload.
    /// </summary>
    public static void WriteFetchObject(
        IBufferWriter<byte> writer, ulong groupId, ulong subgroupId, ulong objectId, byte publisherPriority,
        ReadOnlySpan<byte> extensions, ReadOnlySpan<byte> payload, MoqtObjectStatus status = MoqtObjectStatus.Normal)
    {
        CheckObject(extensions, payload.Length, status);
        writer.WriteVarint(groupId);
        writer.WriteVarint(subgroupId);
        writer.WriteVarint(objectId);
        writer.WriteByte(publisherPriority);
        MoqtExtensionHeaders.WriteBlock(writer, extensions);
        WriteLengthAndStatus(writer, payload.Length, status);
        writer.WriteBytes(payload);
    }

    /// <summary>
    /// §10.3.1 OBJECT_DATAGRAM (payload) or OBJECT_DATAGRAM_STATUS (when <paramref name="status"/> is not Normal or
    /// the payload is empty). The type follows from the arguments: extensions present when
    /// <paramref name="extensions"/> is not empty; <paramref name="writeObjectId"/> false omits the Object ID field
    /// of a payload datagram for object 0 (types 0x04-0x07).
    /// </summary>
    public static void WriteDatagram(
        IBufferWriter<byte> writer, ulong trackAlias, ulong groupId, ulong objectId, byte publisherPriority,
        ReadOnlySpan<byte> extensions, ReadOnlySpan<byte> payload, bool endOfGroup = false,
        MoqtObjectStatus status = MoqtObjectStatus.Normal, bool writeObjectId = true)
    {
        if (!writeObjectId && objectId != 0)
        {
            throw new ArgumentException("Only object 0 may omit its Object ID field.", nameof(writeObjectId));
        }

        var isStatus = status != MoqtObjectStatus.Normal || payload.IsEmpty;
        if (isStatus && !payload.IsEmpty)
        {
            throw new ArgumentException("A status datagram carries no payload.", nameof(payload));
        }

        if (isStatus && endOfGroup)
        {
            throw new ArgumentException("Status datagrams have no end-of-group flag; send status EndOfGroup instead.", nameof(endOfGroup));
        }

        CheckObject(extensions, payload.Length, status);
        var header = new MoqtDatagramHeader
        {
            IsStatus = isStatus,
            HasExtensions = !extensions.IsEmpty,
            EndOfGroup = endOfGroup,
            HasObjectIdField = isStatus || writeObjectId,
        };
        writer.WriteVarint(header.DatagramType);
        writer.WriteVarint(trackAlias);
        writer.WriteVarint(groupId);
        if (header.HasObjectIdField)
        {
            writer.WriteVarint(objectId);
        }

        writer.WriteByte(publisherPriority);
        if (header.HasExtensions)
        {
            MoqtExtensionHeaders.WriteBlock(writer, extensions);
        }

        if (isStatus)
        {
            writer.WriteVarint((ulong)status);
        }
        else
        {
            writer.WriteBytes(payload);
        }
    }

    private static void WriteLengthAndStatus(IBufferWriter<byte> writer, int payloadLength, MoqtObjectStatus status)
    {
        writer.WriteVarint((ulong)payloadLength);

        // §10.4.2: "The Object Status field is only sent if the Object Payload Length is zero."
        if (payloadLength == 0)
        {
            writer.WriteVarint((ulong)status);
        }
    }

    private static void CheckObject(ReadOnlySpan<byte> extensions, int payloadLength, MoqtObjectStatus status)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(extensions.Length, MoqtExtensionHeaders.MaxBlockLength, nameof(extensions));

        // §10.2.1.1: "Any object with a status code other than zero MUST have an empty payload."
        if (status != MoqtObjectStatus.Normal && payloadLength != 0)
        {
            throw new ArgumentException($"A {status} object has no payload.", nameof(status));
        }
    }
}
