using System.Text;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Messages;

/// <summary>A name-addr or addr-spec with header parameters (From, To, Contact, Route; RFC 3261 §20.10, §25.1).</summary>
internal sealed class SipAddress
{
    public SipAddress(SipUri uri, string? displayName = null)
    {
        Uri = uri;
        DisplayName = displayName;
    }

    public string? DisplayName { get; }

    public SipUri Uri { get; }

    public List<KeyValuePair<string, string?>> Parameters { get; } = [];

    public string? Tag => SipParams.Get(Parameters, "tag");

    public string? GetParameter(string name) => SipParams.Get(Parameters, name);

    /// <summary>Writes the address in name-addr form, which is always safe (RFC 3261 §20.10).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (!string.IsNullOrEmpty(DisplayName))
        {
            sb.Append('"').Append(DisplayName.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\" ");
        }

        sb.Append('<').Append(Uri.Raw).Append('>');
        foreach (var p in Parameters)
        {
            sb.Append(';').Append(p.Key);
            if (p.Value is not null)
            {
                sb.Append('=').Append(SipChars.IsToken(p.Value) ? p.Value : "\"" + p.Value + "\"");
            }
        }

        return sb.ToString();
    }

    /// <summary>Parses one (already unfolded, trimmed) address value.</summary>
    public static bool TryParse(string s, out SipAddress? address)
    {
        address = null;
        var i = SipChars.SkipWs(s, 0);
        string? display = null;
        SipUri? uri;
        var lt = IndexOfUnquoted(s, '<');
        if (lt >= 0)
        {
            // RFC 3261 §25.1: name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
            if (i < s.Length && s[i] == '"')
            {
                if (!SipChars.TryReadQuoted(s, ref i, out var q))
                {
                    return false;
                }

                display = q;
                i = SipChars.SkipWs(s, i);
                if (i != lt)
                {
                    return false;
                }
            }
            else
            {
                // display-name = *(token LWS): every word must be a token.
                var words = s[i..lt].Trim();
                foreach (var w in words.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!SipChars.IsToken(w))
                    {
                        return false;
                    }
                }

                display = words.Length > 0 ? words : null;
            }

            var gt = s.IndexOf('>', lt + 1);
            if (gt < 0 || !SipUri.TryParse(s[(lt + 1)..gt], out uri))
            {
                return false;
            }

            i = gt + 1;
        }
        else
        {
            // RFC 3261 §20: in addr-spec form the URI ends at the first ";" (those are header
            // parameters), and a URI holding ",", "?" or ";" MUST be enclosed in "<>".
            var end = i;
            while (end < s.Length && s[end] != ';' && !SipChars.IsWhitespace(s[end]))
            {
                end++;
            }

            var spec = s[i..end];
            if (spec.Contains('?', StringComparison.Ordinal) || spec.Contains(',', StringComparison.Ordinal)
                || spec.Contains('"', StringComparison.Ordinal) || !SipUri.TryParse(spec, out uri))
            {
                return false;
            }

            i = end;
        }

        var result = new SipAddress(uri!, display);
        if (!SipParams.TryParse(s, i, result.Parameters))
        {
            return false;
        }

        address = result;
        return true;
    }

    private static int IndexOfUnquoted(string s, char c)
    {
        var inQuote = false;
        for (var i = 0; i < s.Length; i++)
        {
            if (inQuote)
            {
                if (s[i] == '\\')
                {
                    i++;
                }
                else if (s[i] == '"')
                {
                    inQuote = false;
                }
            }
            else if (s[i] == '"')
            {
                inQuote = true;
            }
            else if (s[i] == c)
            {
                return i;
            }
        }

        return -1;
    }
}
