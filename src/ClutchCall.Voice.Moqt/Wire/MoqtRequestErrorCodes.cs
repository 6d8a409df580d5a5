namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>SUBSCRIBE_ERROR codes, also used by TRACK_STATUS_ERROR (draft-ietf-moq-transport-14 §9.9, §9.22, §13.1.2).</summary>
internal enum MoqtSubscribeErrorCode : ulong
{
    InternalError = 0x0,
    Unauthorized = 0x1,
    Timeout = 0x2,
    NotSupported = 0x3,
    TrackDoesNotExist = 0x4,
    InvalidRange = 0x5,
    MalformedAuthToken = 0x10,
    ExpiredAuthToken = 0x12,
}

/// <summary>PUBLISH_DONE status codes (draft-ietf-moq-transport-14 §9.12, §13.1.3).</summary>
internal enum MoqtPublishDoneCode : ulong
{
    InternalError = 0x0,
    Unauthorized = 0x1,
    TrackEnded = 0x2,
    SubscriptionEnded = 0x3,
    GoingAway = 0x4,
    Expired = 0x5,
    TooFarBehind = 0x6,
    MalformedTrack = 0x7,
}

/// <summary>PUBLISH_ERROR codes (draft-ietf-moq-transport-14 §9.15, §13.1.4).</summary>
internal enum MoqtPublishErrorCode : ulong
{
    InternalError = 0x0,
    Unauthorized = 0x1,
    Timeout = 0x2,
    NotSupported = 0x3,
    Uninterested = 0x4,
}

/// <summary>FETCH_ERROR codes (draft-ietf-moq-transport-14 §9.18, §13.1.5).</summary>
internal enum MoqtFetchErrorCode : ulong
{
    InternalError = 0x0,
    Unauthorized = 0x1,
    Timeout = 0x2,
    NotSupported = 0x3,
    TrackDoesNotExist = 0x4,
    InvalidRange = 0x5,
    NoObjects = 0x6,
    InvalidJoiningRequestId = 0x7,
    UnknownStatusInRange = 0x8,
    MalformedTrack = 0x9,
    MalformedAuthToken = 0x10,
    ExpiredAuthToken = 0x12,
}

/// <summary>
/// PUBLISH_NAMESPACE_ERROR codes, also used by PUBLISH_NAMESPACE_CANCEL
/// (draft-ietf-moq-transport-14 §9.25, §9.27, §13.1.6).
/// </summary>
internal enum MoqtPublishNamespaceErrorCode : ulong
{
    InternalError = 0x0,
    Unauthorized = 0x1,
    Timeout = 0x2,
    NotSupported = 0x3,
    Uninterested = 0x4,
    MalformedAuthToken = 0x10,
    ExpiredAuthToken = 0x12,
}

/// <summary>SUBSCRIBE_NAMESPACE_ERROR codes (draft-ietf-moq-transport-14 §9.30, §13.1.7).</summary>
internal enum MoqtSubscribeNamespaceErrorCode : ulong
{
    InternalError = 0x0,
    Unauthorized = 0x1,
    Timeout = 0x2,
    NotSupported = 0x3,
    NamespacePrefixUnknown = 0x4,
    NamespacePrefixOverlap = 0x5,
    MalformedAuthToken = 0x10,
    ExpiredAuthToken = 0x12,
}

/// <summary>RESET_STREAM / RESET_STREAM_AT codes for data streams (draft-ietf-moq-transport-14 §10.4.3, §13.1.8).</summary>
internal enum MoqtStreamResetErrorCode : ulong
{
    InternalError = 0x0,
    Cancelled = 0x1,
    DeliveryTimeout = 0x2,
    SessionClosed = 0x3,
}
