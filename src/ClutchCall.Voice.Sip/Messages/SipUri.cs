using System.Globalization;
using System.Text;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Messages;

/// <summary>
/// A SIP, SIPS or tel URI (RFC 3261 §19.1, RFC 3966), or any other absolute URI kept opaque.
/// </summary>
internal sealed class SipUri
{
    private SipUri(string raw, string scheme)
    {
        Raw = raw;
        Scheme = scheme;
    }

    /// <summary>The URI exactly as received.</summary>
    public string Raw { get; }

    /// <summary>The scheme in lower case (<c>sip</c>, <c>sips</c>, <c>tel</c>, …).</summary>
    public string Scheme { get; }

    public bool IsSip => Scheme is "sip" or "sips";

    public bool IsTel => Scheme == "tel";

    /// <summary>User part (escapes kept); for tel the subscriber number.</summary>
    public string? User { get; private set; }

    public string? Password { get; private set; }

    public string Host { get; private set; } = string.Empty;

    /// <summary>Port, or 0 when absent.</summary>
    public int Port { get; private set; }

    public List<KeyValuePair<string, string?>> Parameters { get; } = [];

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>Returns the value of a URI parameter (names compare case-insensitively, RFC 3261 §19.1.4).</summary>
    public bool TryGetParameter(string name, out string? value)
    {
        foreach (var p in Parameters)
        {
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public string? Transport => TryGetParameter("transport", out var v) ? v : null;

    public override string ToString() => Raw;

    /// <summary>Builds a sip: URI.</summary>
    public static SipUri Sip(string? user, string host, int port = 0, string? transport = null)
    {
        var sb = new StringBuilder("sip:");
        if (!string.IsNullOrEmpty(user))
        {
            sb.Append(user).Append('@');
        }

        sb.Append(host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? "[" + host + "]" : host);
        if (port > 0)
        {
            sb.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        if (transport is not null)
        {
            sb.Append(";transport=").Append(transport);
        }

        return TryParse(sb.ToString(), out var uri) ? uri! : throw new ArgumentException("invalid SIP URI parts", nameof(host));
    }

    /// <summary>Parses a URI. Returns false when it is not a syntactically valid absolute URI.</summary>
    public static bool TryParse(string s, out SipUri? uri)
    {
        uri = null;
        // RFC 3261 §19.1.1 / §25.1: URIs carry no unescaped whitespace or controls.
        foreach (var c in s)
        {
            if (c <= ' ' || c == 0x7F)
            {
                return false;
            }
        }

        var colon = s.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !SipChars.IsScheme(s.AsSpan(0, colon)))
        {
            return false;
        }

        var scheme = s[..colon].ToLowerInvariant();
        var result = new SipUri(s, scheme);
        var rest = s[(colon + 1)..];
        var ok = scheme switch
        {
            "sip" or "sips" => result.ParseSip(rest),
            "tel" => result.ParseTel(rest),
            _ => rest.Length > 0,
        };
        if (!ok)
        {
            return false;
        }

        uri = result;
        return true;
    }

    private bool ParseSip(string rest)
    {
        // RFC 3261 §25.1: SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ].
        // Neither uri-parameters nor headers may hold an unescaped "@", so the last one ends userinfo.
        var at = rest.LastIndexOf('@');
        var hostStart = 0;
        if (at >= 0)
        {
            var userinfo = rest[..at];
            if (userinfo.Length == 0)
            {
                return false;
            }

            var pw = userinfo.IndexOf(':', StringComparison.Ordinal);
            User = pw >= 0 ? userinfo[..pw] : userinfo;
            Password = pw >= 0 ? userinfo[(pw + 1)..] : null;
            if (User.Length == 0)
            {
                return false;
            }

            hostStart = at + 1;
        }

        var end = rest.IndexOfAny([';', '?'], hostStart);
        var hostport = end < 0 ? rest[hostStart..] : rest[hostStart..end];
        if (!ParseHostPort(hostport))
        {
            return false;
        }

        if (end < 0)
        {
            return true;
        }

        var q = rest.IndexOf('?', end);
        var paramPart = q < 0 ? rest[end..] : rest[end..q];
        if (!ParseParams(paramPart))
        {
            return false;
        }

        if (q >= 0)
        {
            // RFC 3261 §25.1: headers = "?" header *( "&" header ); header = hname "=" hvalue
            foreach (var h in rest[(q + 1)..].Split('&'))
            {
                var eq = h.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    return false;
                }

                Headers.Add(new(h[..eq], h[(eq + 1)..]));
            }
        }

        return true;
    }

    private bool ParseTel(string rest)
    {
        // RFC 3966 §3: telephone-subscriber *par
        var semi = rest.IndexOf(';', StringComparison.Ordinal);
        User = semi < 0 ? rest : rest[..semi];
        if (User.Length == 0)
        {
            return false;
        }

        foreach (var c in User)
        {
            if (!(char.IsAsciiDigit(c) || char.IsAsciiHexDigit(c) || c is '+' or '-' or '.' or '(' or ')' or '*' or '#'))
            {
                return false;
            }
        }

        return semi < 0 || ParseParams(rest[semi..]);
    }

    private bool ParseParams(string part)
    {
        if (part.Length == 0)
        {
            return true;
        }

        foreach (var p in part[1..].Split(';'))
        {
            if (p.Length == 0)
            {
                return false;
            }

            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq == 0)
            {
                return false;
            }

            Parameters.Add(eq < 0 ? new(p, null) : new(p[..eq], p[(eq + 1)..]));
        }

        return true;
    }

    private bool ParseHostPort(string hostport)
    {
        if (hostport.Length == 0)
        {
            return false;
        }

        string host;
        string? port = null;
        if (hostport[0] == '[')
        {
            // RFC 3261 §25.1: IPv6reference = "[" IPv6address "]"
            var close = hostport.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = hostport[..(close + 1)];
            if (close + 1 < hostport.Length)
            {
                if (hostport[close + 1] != ':')
                {
                    return false;
                }

                port = hostport[(close + 2)..];
            }

            if (!System.Net.IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out _))
            {
                return false;
            }
        }
        else
        {
            var c = hostport.IndexOf(':', StringComparison.Ordinal);
            host = c < 0 ? hostport : hostport[..c];
            port = c < 0 ? null : hostport[(c + 1)..];
            if (host.Length == 0)
            {
                return false;
            }

            foreach (var ch in host)
            {
                // RFC 3261 §25.1: hostname = *( domainlabel "." ) toplabel [ "." ]; IPv4address
                if (!(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.'))
                {
                    return false;
                }
            }
        }

        Host = host;
        if (port is not null)
        {
            if (port.Length is 0 or > 5 || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535)
            {
                return false;
            }

            Port = p;
        }

        return true;
    }
}
