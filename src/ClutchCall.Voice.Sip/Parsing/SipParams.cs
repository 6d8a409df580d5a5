namespace ClutchCall.Voice.Sip.Parsing;

/// <summary>Reads <c>*( SEMI generic-param )</c> (RFC 3261 §25.1).</summary>
internal static class SipParams
{
    /// <summary>
    /// Parses parameters starting at <paramref name="i"/> until the end of <paramref name="s"/>.
    /// generic-param = token [ EQUAL gen-value ]; gen-value = token / host / quoted-string.
    /// </summary>
    public static bool TryParse(string s, int i, List<KeyValuePair<string, string?>> into)
    {
        i = SipChars.SkipWs(s, i);
        while (i < s.Length)
        {
            if (s[i] != ';')
            {
                return false;
            }

            i = SipChars.SkipWs(s, i + 1);
            var nameStart = i;
            while (i < s.Length && SipChars.IsTokenChar(s[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                return false;
            }

            var name = s[nameStart..i];
            i = SipChars.SkipWs(s, i);
            string? value = null;
            if (i < s.Length && s[i] == '=')
            {
                i = SipChars.SkipWs(s, i + 1);
                if (i < s.Length && s[i] == '"')
                {
                    if (!SipChars.TryReadQuoted(s, ref i, out var q))
                    {
                        return false;
                    }

                    value = q;
                }
                else
                {
                    var vStart = i;
                    while (i < s.Length && (SipChars.IsTokenChar(s[i]) || s[i] is ':' or '[' or ']'))
                    {
                        i++;
                    }

                    if (i == vStart)
                    {
                        return false;
                    }

                    value = s[vStart..i];
                }

                i = SipChars.SkipWs(s, i);
            }

            into.Add(new(name, value));
        }

        return true;
    }

    public static string? Get(List<KeyValuePair<string, string?>> ps, string name)
    {
        foreach (var p in ps)
        {
            if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value ?? string.Empty;
            }
        }

        return null;
    }

    public static bool Has(List<KeyValuePair<string, string?>> ps, string name) => Get(ps, name) is not null;
}
