namespace ClutchCall.Voice.Sip.Parsing;

/// <summary>Character classes of the SIP grammar.</summary>
internal static class SipChars
{
    // RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" )
    public static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~';

    public static bool IsTokenChar(byte b) => b < 0x80 && IsTokenChar((char)b);

    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    // RFC 3261 §25.1: absoluteURI scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    public static bool IsScheme(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || !char.IsAsciiLetter(s[0]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Replaces each LWS run (CRLF folding included, RFC 3261 §7.3.1) with a single space.</summary>
    public static string Unfold(string value)
    {
        if (value.IndexOfAny(['\r', '\n']) < 0)
        {
            return value;
        }

        var sb = new System.Text.StringBuilder(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (c is '\r' or '\n')
            {
                while (sb.Length > 0 && sb[^1] is ' ' or '\t')
                {
                    sb.Length--;
                }

                while (i < value.Length && IsWhitespace(value[i]))
                {
                    i++;
                }

                sb.Append(' ');
                continue;
            }

            sb.Append(c);
            i++;
        }

        return sb.ToString();
    }

    /// <summary>Splits a header value on commas that are outside quoted strings and angle brackets (RFC 3261 §7.3.1).</summary>
    public static bool TrySplitList(string value, List<string> parts)
    {
        var start = 0;
        var inQuote = false;
        var inAngle = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuote)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuote = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inQuote = true;
                    break;
                case '<':
                    inAngle = true;
                    break;
                case '>':
                    inAngle = false;
                    break;
                case ',' when !inAngle:
                    parts.Add(value[start..i].Trim());
                    start = i + 1;
                    break;
            }
        }

        if (inQuote)
        {
            return false;
        }

        parts.Add(value[start..].Trim());
        return true;
    }

    /// <summary>Reads a quoted-string at <paramref name="i"/> (RFC 3261 §25.1), unescaping quoted-pairs.</summary>
    public static bool TryReadQuoted(string s, ref int i, out string value)
    {
        value = string.Empty;
        if (i >= s.Length || s[i] != '"')
        {
            return false;
        }

        var sb = new System.Text.StringBuilder();
        for (var j = i + 1; j < s.Length; j++)
        {
            var c = s[j];
            if (c == '\\')
            {
                // RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
                if (j + 1 >= s.Length || s[j + 1] is '\r' or '\n' || s[j + 1] > 0x7F)
                {
                    return false;
                }

                sb.Append(s[j + 1]);
                j++;
                continue;
            }

            if (c == '"')
            {
                i = j + 1;
                value = sb.ToString();
                return true;
            }

            sb.Append(c);
        }

        return false;
    }

    public static int SkipWs(string s, int i)
    {
        while (i < s.Length && IsWhitespace(s[i]))
        {
            i++;
        }

        return i;
    }
}
