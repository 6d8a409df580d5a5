namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>Object status (draft-ietf-moq-transport-14 §10.2.1.1).</summary>
internal enum MoqtObjectStatus : ulong
{
    Normal = 0x0,
    ObjectDoesNotExist = 0x1,
    EndOfGroup = 0x3,
    EndOfTrack = 0x4,
}

/// <summary>Subscription filter types (draft-ietf-moq-transport-14 §9.7).</summary>
internal enum MoqtFilterType : ulong
{
    NextGroupStart = 0x1,
    LargestObject = 0x2,
    AbsoluteStart = 0x3,
    AbsoluteRange = 0x4,
}

/// <summary>Group order (draft-ietf-moq-transport-14 §9.7): 0 means "the original publisher's order".</summary>
internal enum MoqtGroupOrder : byte
{
    Publisher = 0x0,
    Ascending = 0x1,
    Descending = 0x2,
}

/// <summary>FETCH types (draft-ietf-moq-transport-14 §9.16).</summary>
internal enum MoqtFetchType : ulong
{
    Standalone = 0x1,
    RelativeJoining = 0x2,
    AbsoluteJoining = 0x3,
}

/// <summary>Authorization token alias types (draft-ietf-moq-transport-14 §9.2.1.1).</summary>
internal enum MoqtTokenAliasType : ulong
{
    Delete = 0x0,
    Register = 0x1,
    UseAlias = 0x2,
    UseValue = 0x3,
}
