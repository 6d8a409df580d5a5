namespace ClutchCall.Voice.Sip.Parsing;

/// <summary>Why a SIP message was rejected by <see cref="SipMessageParser"/>.</summary>
internal enum SipParseErrorKind
{
    None = 0,
    Empty,
    TooLarge,
    TooManyHeaders,
    Incomplete,
    BadStartLine,
    VersionNotSupported,
    BadRequestUri,
    BadStatusCode,
    BadHeaderLine,
    BadHeaderValue,
    MissingHeader,
    DuplicateHeader,
    BadContentLength,
    BodyTruncated,
    CSeqMethodMismatch,
}

/// <summary>A parse error with the header it concerns and the status a UAS answers it with.</summary>
internal readonly record struct SipParseError(SipParseErrorKind Kind, string? Header = null)
{
    public static SipParseError None => default;

    public bool IsError => Kind != SipParseErrorKind.None;

    /// <summary>
    /// The response a UAS sends for a request failing this way (RFC 3261 §21.4.1 400, §21.5.6 505,
    /// §21.5.9 513), or 0 when nothing can be sent and the message is only dropped.
    /// </summary>
    public int StatusCode => Kind switch
    {
        SipParseErrorKind.None or SipParseErrorKind.Empty or SipParseErrorKind.Incomplete or SipParseErrorKind.BadStatusCode => 0,
        SipParseErrorKind.VersionNotSupported => 505,
        SipParseErrorKind.TooLarge => 513,
        _ => 400,
    };

    public string ReasonPhrase => Kind switch
    {
        SipParseErrorKind.VersionNotSupported => "Version Not Supported",
        SipParseErrorKind.TooLarge => "Message Too Large",
        SipParseErrorKind.TooManyHeaders => "Bad Request (too many header fields)",
        SipParseErrorKind.BadStartLine => "Bad Request (malformed Request-Line)",
        SipParseErrorKind.BadRequestUri => "Bad Request (malformed Request-URI)",
        SipParseErrorKind.BadHeaderLine => "Bad Request (malformed header field)",
        SipParseErrorKind.BadHeaderValue => $"Bad Request (malformed {Header})",
        SipParseErrorKind.MissingHeader => $"Bad Request (missing {Header})",
        SipParseErrorKind.DuplicateHeader => $"Bad Request (multiple {Header} values)",
        SipParseErrorKind.BadContentLength => "Bad Request (malformed Content-Length)",
        SipParseErrorKind.BodyTruncated => "Bad Request (Content-Length larger than message)",
        SipParseErrorKind.CSeqMethodMismatch => "Bad Request (CSeq method does not match)",
        _ => "Bad Request",
    };

    public override string ToString() => Header is null ? Kind.ToString() : $"{Kind} ({Header})";
}
