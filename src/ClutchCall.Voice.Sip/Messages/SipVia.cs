using System.Globalization;
using System.Text;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Messages;

/// <summary>One Via value (RFC 3261 §20.42, §25.1; rport per RFC 3581).</summary>
internal sealed class SipVia
{
    /// <summary>RFC 3261 §8.1.1.7: branch IDs of RFC 3261 transactions start with this cookie.</summary>
    public const string MagicCookie = "z9hG4bK";

    public SipVia(string transport, string host, int port, string? branch)
    {
        Transport = transport;
        Host = host;
        Port = port;
        if (branch is not null)
        {
            Parameters.Add(new("branch", branch));
        }
    }

    /// <summary>Transport in upper case (UDP, TCP, TLS, …).</summary>
    public string Transport { get; }

    public string Host { get; }

    /// <summary>Port of sent-by, or 0 when absent.</summary>
    public int Port { get; }

    public List<KeyValuePair<string, string?>> Parameters { get; } = [];

    public string? Branch => SipParams.Get(Parameters, "branch");

    public string? Received => SipParams.Get(Parameters, "received");

    /// <summary>RFC 3581 §3: rport present (value may be empty in a request).</summary>
    public bool HasRPort => SipParams.Has(Parameters, "rport");

    public int? RPort => int.TryParse(SipParams.Get(Parameters, "rport"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    /// <summary>RFC 3261 §17.2.3: the branch starts with the magic cookie and carries an identifier after it.</summary>
    public bool HasRfc3261Branch => Branch is { Length: > 7 } b && b.StartsWith(MagicCookie, StringComparison.Ordinal);

    public void SetParameter(string name, string? value)
    {
        for (var i = 0; i < Parameters.Count; i++)
        {
            if (string.Equals(Parameters[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                Parameters[i] = new(Parameters[i].Key, value);
                return;
            }
        }

        Parameters.Add(new(name, value));
    }

    public override string ToString()
    {
        var sb = new StringBuilder("SIP/2.0/").Append(Transport).Append(' ').Append(Host);
        if (Port > 0)
        {
            sb.Append(':').Append(Port.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var p in Parameters)
        {
            sb.Append(';').Append(p.Key);
            if (p.Value is not null)
            {
                sb.Append('=').Append(p.Value);
            }
        }

        return sb.ToString();
    }

    /// <summary>Parses one Via value: sent-protocol LWS sent-by *( SEMI via-params ).</summary>
    public static bool TryParse(string s, out SipVia? via)
    {
        via = null;
        var i = 0;
        if (!ReadToken(s, ref i, out var name) || !ReadSlash(s, ref i) || !ReadToken(s, ref i, out var version)
            || !ReadSlash(s, ref i) || !ReadToken(s, ref i, out var transport))
        {
            return false;
        }

        if (!string.Equals(name, "SIP", StringComparison.OrdinalIgnoreCase) || version != "2.0")
        {
            return false;
        }

        i = SipChars.SkipWs(s, i);
        var hostStart = i;
        if (i < s.Length && s[i] == '[')
        {
            var close = s.IndexOf(']', i);
            if (close < 0)
            {
                return false;
            }

            i = close + 1;
        }
        else
        {
            while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '-' or '.'))
            {
                i++;
            }
        }

        if (i == hostStart)
        {
            return false;
        }

        var host = s[hostStart..i];
        var port = 0;
        var j = SipChars.SkipWs(s, i);
        if (j < s.Length && s[j] == ':')
        {
            j = SipChars.SkipWs(s, j + 1);
            var ps = j;
            while (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                j++;
            }

            if (j == ps || j - ps > 5 || (port = int.Parse(s.AsSpan(ps, j - ps), CultureInfo.InvariantCulture)) > 65535)
            {
                return false;
            }

            i = j;
        }

        var result = new SipVia(transport.ToUpperInvariant(), host, port, null);
        if (!SipParams.TryParse(s, i, result.Parameters))
        {
            return false;
        }

        via = result;
        return true;
    }

    private static bool ReadToken(string s, ref int i, out string token)
    {
        i = SipChars.SkipWs(s, i);
        var start = i;
        while (i < s.Length && SipChars.IsTokenChar(s[i]))
        {
            i++;
        }

        token = s[start..i];
        return i > start;
    }

    private static bool ReadSlash(string s, ref int i)
    {
        // RFC 3261 §25.1: SLASH = SWS "/" SWS
        i = SipChars.SkipWs(s, i);
        if (i >= s.Length || s[i] != '/')
        {
            return false;
        }

        i++;
        return true;
    }
}
