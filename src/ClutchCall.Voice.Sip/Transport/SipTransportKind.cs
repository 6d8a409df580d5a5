namespace ClutchCall.Voice.Sip.Transport;

/// <summary>The transports of RFC 3261 §18 a user agent speaks (the Via transport token).</summary>
internal enum SipTransportKind
{
    Udp,
    Tcp,
    Tls,
}

/// <summary>Names of <see cref="SipTransportKind"/> as written in Via and in URI transport parameters.</summary>
internal static class SipTransportKinds
{
    /// <summary>RFC 3261 §25.1: the transport token of Via (upper case) for a kind.</summary>
    public static string ViaToken(this SipTransportKind kind) => kind switch
    {
        SipTransportKind.Tcp => "TCP",
        SipTransportKind.Tls => "TLS",
        _ => "UDP",
    };

    /// <summary>RFC 3261 §19.1.1: the transport URI parameter value (lower case).</summary>
    public static string UriToken(this SipTransportKind kind) => kind switch
    {
        SipTransportKind.Tcp => "tcp",
        SipTransportKind.Tls => "tls",
        _ => "udp",
    };

    /// <summary>Parses udp, tcp or tls (any case); false for anything else.</summary>
    public static bool TryParse(string? text, out SipTransportKind kind)
    {
        kind = SipTransportKind.Udp;
        switch (text?.Trim().ToUpperInvariant())
        {
            case "UDP":
                return true;
            case "TCP":
                kind = SipTransportKind.Tcp;
                return true;
            case "TLS":
                kind = SipTransportKind.Tls;
                return true;
            default:
                return false;
        }
    }
}
