namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// Setup parameter types, a namespace constant across versions (draft-ietf-moq-transport-14 §9.2, §9.3.2).
/// Even keys carry a varint, odd keys a length-prefixed byte string (§1.4.2).
/// </summary>
internal enum MoqtSetupParameterKey : ulong
{
    /// <summary>§9.3.2.2: path of the MoQ URI (native QUIC, client only).</summary>
    Path = 0x01,

    /// <summary>§9.3.2.3: initial Maximum Request ID for the peer.</summary>
    MaxRequestId = 0x02,

    /// <summary>§9.3.2.5: an authorization token (repeatable).</summary>
    AuthorizationToken = 0x03,

    /// <summary>§9.3.2.4: bytes of registered tokens the sender will cache.</summary>
    MaxAuthTokenCacheSize = 0x04,

    /// <summary>
    /// §9.3.2.1: authority of the MoQ URI. (Draft-14 also lists MOQT_IMPLEMENTATION under 0x05; the codec vectors and
    /// this codec treat 0x05 as AUTHORITY.)
    /// </summary>
    Authority = 0x05,
}

/// <summary>Version-specific parameter types for every non-setup message (draft-ietf-moq-transport-14 §9.2.1).</summary>
internal enum MoqtParameterKey : ulong
{
    /// <summary>§9.2.1.2: milliseconds the relay keeps trying to forward an object.</summary>
    DeliveryTimeout = 0x02,

    /// <summary>§9.2.1.1: an authorization token (repeatable).</summary>
    AuthorizationToken = 0x03,

    /// <summary>§9.2.1.3: milliseconds an object may be served from cache.</summary>
    MaxCacheDuration = 0x04,
}

/// <summary>Object extension header types (draft-ietf-moq-transport-14 §10.2.1.2, §11).</summary>
internal enum MoqtExtensionHeaderKey : ulong
{
    /// <summary>§11.2: a nested block of immutable key-value pairs.</summary>
    ImmutableExtensions = 0x0B,

    /// <summary>§11.1: number of prior groups that will never exist.</summary>
    PriorGroupIdGap = 0x3C,

    /// <summary>§11.3: number of prior objects that will never exist.</summary>
    PriorObjectIdGap = 0x3E,

    /// <summary>
    /// ClutchCall's capture timestamp of an audio frame, microseconds since the Unix epoch, as a varint. Even key in
    /// the first-come-first-served range (16384 and above, draft-ietf-moq-transport-14 §13); encodes as 4 bytes.
    /// </summary>
    CaptureTimestamp = 0x4356,
}
