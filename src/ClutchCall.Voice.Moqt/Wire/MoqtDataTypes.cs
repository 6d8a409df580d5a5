namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>How a SUBGROUP_HEADER names its subgroup (draft-ietf-moq-transport-14 §10.4.2, type table).</summary>
internal enum MoqtSubgroupIdMode : byte
{
    /// <summary>No field; the subgroup id is 0 (types 0x10-0x11, 0x18-0x19).</summary>
    Zero = 0,

    /// <summary>No field; the subgroup id is the first object's id (types 0x12-0x13, 0x1A-0x1B).</summary>
    FirstObjectId = 1,

    /// <summary>An explicit Subgroup ID field (types 0x14-0x15, 0x1C-0x1D).</summary>
    Explicit = 2,
}

/// <summary>What a unidirectional data stream carries (draft-ietf-moq-transport-14 §10).</summary>
internal enum MoqtDataStreamKind : byte
{
    Subgroup,
    Fetch,
}

/// <summary>
/// SUBGROUP_HEADER (draft-ietf-moq-transport-14 §10.4.2). <see cref="SubgroupId"/> is 0 for
/// <see cref="MoqtSubgroupIdMode.Zero"/>; for <see cref="MoqtSubgroupIdMode.FirstObjectId"/> it is known once the
/// first object is read (see <see cref="MoqtSubgroupCursor.SubgroupId"/>).
/// </summary>
internal readonly record struct MoqtSubgroupHeader(
    ulong TrackAlias,
    ulong GroupId,
    ulong SubgroupId,
    byte PublisherPriority,
    MoqtSubgroupIdMode SubgroupIdMode = MoqtSubgroupIdMode.Explicit,
    bool HasExtensions = true,
    bool EndOfGroup = false)
{
    public const ulong FirstStreamType = 0x10;
    public const ulong LastStreamType = 0x1D;

    /// <summary>§10.4.2: bit 0 extensions, bits 1-2 subgroup id mode, bit 3 end of group.</summary>
    public ulong StreamType =>
        FirstStreamType | (HasExtensions ? 1UL : 0) | ((ulong)SubgroupIdMode << 1) | (EndOfGroup ? 0x08UL : 0);

    /// <summary>Decodes a stream type of 0x10-0x1D; false for the undefined 0x16, 0x17 and anything outside.</summary>
    public static bool TryDecodeStreamType(ulong type, out MoqtSubgroupIdMode mode, out bool hasExtensions, out bool endOfGroup)
    {
        mode = (MoqtSubgroupIdMode)((type >> 1) & 0x3);
        hasExtensions = (type & 1) != 0;
        endOfGroup = (type & 0x08) != 0;
        return type is >= FirstStreamType and <= LastStreamType && (byte)mode <= 2;
    }
}

/// <summary>The header that opens a data stream (draft-ietf-moq-transport-14 §10.4.2, §10.4.4).</summary>
internal readonly record struct MoqtStreamHeader(MoqtDataStreamKind Kind, MoqtSubgroupHeader Subgroup, ulong FetchRequestId)
{
    /// <summary>§10.4.4 FETCH_HEADER stream type.</summary>
    public const ulong FetchStreamType = 0x05;

    public static MoqtStreamHeader ForSubgroup(in MoqtSubgroupHeader header) => new(MoqtDataStreamKind.Subgroup, header, 0);

    public static MoqtStreamHeader ForFetch(ulong requestId) => new(MoqtDataStreamKind.Fetch, default, requestId);
}

/// <summary>
/// One object's header as read from a subgroup or fetch stream. The payload is not copied: it is the
/// <see cref="PayloadLength"/> bytes that follow <see cref="HeaderLength"/> bytes into the buffer the header was
/// read from. Extension headers are bytes [<see cref="ExtensionsOffset"/>, +<see cref="ExtensionsLength"/>) of that
/// buffer (walk them with <see cref="MoqtExtensionHeaders"/>).
/// </summary>
internal readonly record struct MoqtObjectHeader
{
    public ulong GroupId { get; init; }

    public ulong SubgroupId { get; init; }

    public ulong ObjectId { get; init; }

    public byte PublisherPriority { get; init; }

    /// <summary>Normal unless the object is a zero-length status object (§10.2.1.1).</summary>
    public MoqtObjectStatus Status { get; init; }

    /// <summary>Bytes from the start of the object to its payload.</summary>
    public int HeaderLength { get; init; }

    public int ExtensionsOffset { get; init; }

    public int ExtensionsLength { get; init; }

    public int PayloadLength { get; init; }

    /// <summary>The <see cref="MoqtExtensionHeaderKey.CaptureTimestamp"/> extension, when present.</summary>
    public ulong? CaptureTimestampMicros { get; init; }

    /// <summary>Header plus payload.</summary>
    public int TotalLength => HeaderLength + PayloadLength;

    public Location Location => new(GroupId, ObjectId);
}

/// <summary>
/// Reading/writing state of one subgroup stream: the header and the previous object id, from which each Object ID
/// Delta is resolved (draft-ietf-moq-transport-14 §10.4.2). One per stream; pass by ref.
/// </summary>
internal struct MoqtSubgroupCursor(MoqtSubgroupHeader header)
{
    public MoqtSubgroupHeader Header { get; } = header;

    /// <summary>The last object read or written, or null before the first.</summary>
    public ulong? LastObjectId { get; set; }

    /// <summary>The subgroup id, resolved from the first object for <see cref="MoqtSubgroupIdMode.FirstObjectId"/>.</summary>
    public ulong SubgroupId { get; set; } = header.SubgroupIdMode == MoqtSubgroupIdMode.Zero ? 0 : header.SubgroupId;
}

/// <summary>
/// OBJECT_DATAGRAM / OBJECT_DATAGRAM_STATUS header (draft-ietf-moq-transport-14 §10.3.1). The payload is bytes
/// [<see cref="PayloadOffset"/>, end of datagram).
/// </summary>
internal readonly record struct MoqtDatagramHeader
{
    public ulong TrackAlias { get; init; }

    public ulong GroupId { get; init; }

    /// <summary>0 when the type omits the Object ID field.</summary>
    public ulong ObjectId { get; init; }

    public bool HasObjectIdField { get; init; } = true;

    public byte PublisherPriority { get; init; }

    public bool EndOfGroup { get; init; }

    public bool HasExtensions { get; init; }

    /// <summary>True for OBJECT_DATAGRAM_STATUS (types 0x20-0x21): a status, no payload.</summary>
    public bool IsStatus { get; init; }

    public MoqtObjectStatus Status { get; init; }

    public int ExtensionsOffset { get; init; }

    public int ExtensionsLength { get; init; }

    public int PayloadOffset { get; init; }

    public int PayloadLength { get; init; }

    public ulong? CaptureTimestampMicros { get; init; }

    public MoqtDatagramHeader()
    {
    }

    /// <summary>§10.3.1 type table: 0x00-0x07 are bit 0 extensions, bit 1 end of group, bit 2 no Object ID; 0x20/0x21 status.</summary>
    public ulong DatagramType => IsStatus
        ? 0x20UL | (HasExtensions ? 1UL : 0)
        : (HasExtensions ? 1UL : 0) | (EndOfGroup ? 2UL : 0) | (HasObjectIdField ? 0 : 4UL);
}
