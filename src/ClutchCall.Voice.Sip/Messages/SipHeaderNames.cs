namespace ClutchCall.Voice.Sip.Messages;

/// <summary>Canonical header names and their compact forms (RFC 3261 §7.3.3, §20).</summary>
internal static class SipHeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string MaxForwards = "Max-Forwards";
    public const string Contact = "Contact";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string Require = "Require";
    public const string ProxyRequire = "Proxy-Require";
    public const string Supported = "Supported";
    public const string Unsupported = "Unsupported";
    public const string Accept = "Accept";
    public const string Allow = "Allow";
    public const string Route = "Route";
    public const string RecordRoute = "Record-Route";
    public const string Expires = "Expires";
    public const string UserAgent = "User-Agent";

    private static readonly Dictionary<string, string> Canonical = Build();

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> CanonicalBySpan =
        Canonical.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The canonical name for a header name as received (case-insensitive, compact forms expanded).</summary>
    public static string Canonicalize(ReadOnlySpan<char> name) =>
        CanonicalBySpan.TryGetValue(name, out var canonical) ? canonical : name.ToString();

    public static string Canonicalize(ReadOnlySpan<byte> asciiName)
    {
        Span<char> chars = stackalloc char[64];
        if (asciiName.Length > chars.Length)
        {
            return System.Text.Encoding.Latin1.GetString(asciiName);
        }

        for (var i = 0; i < asciiName.Length; i++)
        {
            chars[i] = (char)asciiName[i];
        }

        return Canonicalize(chars[..asciiName.Length]);
    }

    private static Dictionary<string, string> Build()
    {
        var names = new[]
        {
            Via, From, To, CallId, CSeq, MaxForwards, Contact, ContentLength, ContentType, Require, ProxyRequire,
            Supported, Unsupported, Accept, Allow, Route, RecordRoute, Expires, UserAgent, "Accept-Encoding",
            "Accept-Language", "Alert-Info", "Authentication-Info", "Authorization", "Call-Info", "Content-Disposition",
            "Content-Encoding", "Content-Language", "Date", "Error-Info", "In-Reply-To", "Min-Expires", "MIME-Version",
            "Organization", "Priority", "Proxy-Authenticate", "Proxy-Authorization", "Reply-To", "Retry-After",
            "Server", "Subject", "Timestamp", "Warning", "WWW-Authenticate", "Event", "Refer-To", "Referred-By",
            "Allow-Events", "Session-Expires", "Min-SE", "P-Asserted-Identity", "RSeq", "RAck", "Reason",
        };
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var n in names)
        {
            map[n] = n;
        }

        // RFC 3261 §7.3.3 and later extensions' compact forms.
        map["i"] = CallId;
        map["m"] = Contact;
        map["e"] = "Content-Encoding";
        map["l"] = ContentLength;
        map["c"] = ContentType;
        map["f"] = From;
        map["s"] = "Subject";
        map["k"] = Supported;
        map["t"] = To;
        map["v"] = Via;
        map["o"] = "Event";
        map["r"] = "Refer-To";
        map["b"] = "Referred-By";
        map["u"] = "Allow-Events";
        map["x"] = "Session-Expires";
        return map;
    }
}
