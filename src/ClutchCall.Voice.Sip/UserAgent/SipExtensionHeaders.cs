using System.Globalization;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>Who sends the session refreshes, as named in a Session-Expires <c>refresher</c> parameter (RFC 4028 §4).</summary>
internal enum SipRefresherParam
{
    /// <summary>No <c>refresher</c> parameter: the UAS picks (RFC 4028 §9).</summary>
    None,

    /// <summary>The UAC of the transaction that carried the header refreshes.</summary>
    Uac,

    /// <summary>The UAS of the transaction that carried the header refreshes.</summary>
    Uas,
}

/// <summary>A parsed Session-Expires value: the interval in seconds and the refresher (RFC 4028 §4).</summary>
internal readonly record struct SipSessionExpires(uint Seconds, SipRefresherParam Refresher);

/// <summary>A parsed RAck value: the RSeq, CSeq number and method of the response it acknowledges (RFC 3262 §7.2).</summary>
internal readonly record struct SipRAck(uint RSeq, uint CSeq, string Method);

/// <summary>
/// Readers and writers for the header fields of the session timer (RFC 4028: Session-Expires, Min-SE) and of
/// reliable provisional responses (RFC 3262: RSeq, RAck). Each reader takes a header value (as
/// <see cref="Messages.SipMessage.GetHeader"/> returns it) and never throws: bad input gives false and a readable error.
/// </summary>
internal static class SipExtensionHeaders
{
    /// <summary>Longest header value accepted; longer ones are refused before they are scanned.</summary>
    public const int MaxValueLength = 512;

    /// <summary>RFC 4028 §4: Session-Expires = delta-seconds *(SEMI se-params); se-params = refresher-param / generic-param.</summary>
    public static bool TryParseSessionExpires(string? value, out SipSessionExpires result, out string? error)
    {
        result = default;
        if (!TryReadLeadingNumber(value, "Session-Expires", out var seconds, out var rest, out error))
        {
            return false;
        }

        var refresher = SipRefresherParam.None;
        while (!rest.IsEmpty)
        {
            if (!TryReadParam(ref rest, out var name, out var paramValue, out error))
            {
                error = "Session-Expires: " + error;
                return false;
            }

            if (!name.Equals("refresher", StringComparison.OrdinalIgnoreCase))
            {
                continue; // generic-param
            }

            if (refresher != SipRefresherParam.None)
            {
                error = "Session-Expires: refresher parameter given twice";
                return false;
            }

            // RFC 4028 §4: refresher-param = "refresher" EQUAL ("uas" / "uac"), quoted strings of RFC 5234 being case-insensitive.
            refresher = paramValue.Equals("uac", StringComparison.OrdinalIgnoreCase) ? SipRefresherParam.Uac
                : paramValue.Equals("uas", StringComparison.OrdinalIgnoreCase) ? SipRefresherParam.Uas
                : SipRefresherParam.None;
            if (refresher == SipRefresherParam.None)
            {
                error = $"Session-Expires: refresher must be uac or uas, not '{Shorten(paramValue)}'";
                return false;
            }
        }

        result = new SipSessionExpires(seconds, refresher);
        return true;
    }

    /// <summary>RFC 4028 §5: Min-SE = delta-seconds *(SEMI generic-param).</summary>
    public static bool TryParseMinSe(string? value, out uint seconds, out string? error)
    {
        if (!TryReadLeadingNumber(value, "Min-SE", out seconds, out var rest, out error))
        {
            return false;
        }

        while (!rest.IsEmpty)
        {
            if (!TryReadParam(ref rest, out _, out _, out error))
            {
                error = "Min-SE: " + error;
                seconds = 0;
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 3262 §7.1: RSeq = response-num = 1*DIGIT, a value from 1 to 2**32-1.</summary>
    public static bool TryParseRSeq(string? value, out uint rseq, out string? error)
    {
        rseq = 0;
        if (!CheckLength(value, "RSeq", out error))
        {
            return false;
        }

        var s = value.AsSpan().Trim();
        if (!TryParseNumber(s, out rseq) || rseq == 0)
        {
            error = $"RSeq must be a number from 1 to 4294967295, not '{Shorten(s)}'";
            rseq = 0;
            return false;
        }

        return true;
    }

    /// <summary>RFC 3262 §7.2: RAck = response-num LWS CSeq-num LWS Method.</summary>
    public static bool TryParseRAck(string? value, out SipRAck result, out string? error)
    {
        result = default;
        if (!CheckLength(value, "RAck", out error))
        {
            return false;
        }

        var s = value.AsSpan().Trim();
        Span<Range> parts = stackalloc Range[4];
        var count = SplitOnWhitespace(s, parts);
        if (count != 3)
        {
            error = $"RAck must be 'response-num CSeq-num Method', not '{Shorten(s)}'";
            return false;
        }

        if (!TryParseNumber(s[parts[0]], out var rseq) || rseq == 0)
        {
            error = $"RAck: response-num must be a number from 1 to 4294967295, not '{Shorten(s[parts[0]])}'";
            return false;
        }

        // RFC 3261 §8.1.1.5: the CSeq number is a 32-bit unsigned integer.
        if (!TryParseNumber(s[parts[1]], out var cseq))
        {
            error = $"RAck: CSeq-num must be a 32-bit number, not '{Shorten(s[parts[1]])}'";
            return false;
        }

        var method = s[parts[2]];
        if (!SipChars.IsToken(method))
        {
            error = $"RAck: method '{Shorten(method)}' is not a token";
            return false;
        }

        result = new SipRAck(rseq, cseq, method.ToString());
        return true;
    }

    /// <summary>Writes a Session-Expires value (RFC 4028 §4).</summary>
    public static string FormatSessionExpires(uint seconds, SipRefresherParam refresher) => refresher switch
    {
        SipRefresherParam.Uac => seconds.ToString(CultureInfo.InvariantCulture) + ";refresher=uac",
        SipRefresherParam.Uas => seconds.ToString(CultureInfo.InvariantCulture) + ";refresher=uas",
        _ => seconds.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Writes a RAck value (RFC 3262 §7.2).</summary>
    public static string FormatRAck(uint rseq, uint cseq, string method) =>
        string.Create(CultureInfo.InvariantCulture, $"{rseq} {cseq} {method}");

    /// <summary>True when an option tag appears in any Require or Supported value list of the message (RFC 3261 §20.32, §20.37).</summary>
    public static bool Lists(Messages.SipMessage message, string headerName, string optionTag)
    {
        foreach (var v in message.GetHeaderValues(headerName))
        {
            if (v.Equals(optionTag, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool CheckLength([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value, string header, out string? error)
    {
        if (value is null || value.AsSpan().Trim().IsEmpty)
        {
            error = header + " is empty";
            return false;
        }

        if (value.Length > MaxValueLength)
        {
            error = $"{header} is longer than {MaxValueLength} characters";
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryReadLeadingNumber(string? value, string header, out uint number, out ReadOnlySpan<char> rest, out string? error)
    {
        number = 0;
        rest = default;
        if (!CheckLength(value, header, out error))
        {
            return false;
        }

        var s = value.AsSpan().Trim();
        var semi = s.IndexOf(';');
        var digits = (semi < 0 ? s : s[..semi]).TrimEnd();
        if (!TryParseNumber(digits, out number))
        {
            error = $"{header}: delta-seconds must be a number from 0 to 4294967295, not '{Shorten(digits)}'";
            return false;
        }

        rest = semi < 0 ? default : s[semi..];
        return true;
    }

    /// <summary>Reads <c>;name[=value]</c> (RFC 3261 §25.1 generic-param) from the front of <paramref name="s"/>.</summary>
    private static bool TryReadParam(ref ReadOnlySpan<char> s, out ReadOnlySpan<char> name, out ReadOnlySpan<char> value, out string? error)
    {
        name = default;
        value = default;
        s = s.TrimStart();
        if (s.IsEmpty || s[0] != ';')
        {
            error = $"expected ';' before '{Shorten(s)}'";
            return false;
        }

        s = s[1..];
        var end = s.IndexOf(';');
        var param = (end < 0 ? s : s[..end]).Trim();
        s = end < 0 ? default : s[end..];
        var eq = param.IndexOf('=');
        name = (eq < 0 ? param : param[..eq]).TrimEnd();
        value = eq < 0 ? default : param[(eq + 1)..].TrimStart();
        if (!SipChars.IsToken(name))
        {
            error = $"parameter name '{Shorten(name)}' is not a token";
            return false;
        }

        if (eq >= 0 && !IsGenValue(value))
        {
            error = $"parameter '{Shorten(name)}' has a malformed value '{Shorten(value)}'";
            return false;
        }

        error = null;
        return true;
    }

    // RFC 3261 §25.1: gen-value = token / host / quoted-string.
    private static bool IsGenValue(ReadOnlySpan<char> v)
    {
        if (v.IsEmpty)
        {
            return false;
        }

        if (v[0] == '"')
        {
            return v.Length >= 2 && v[^1] == '"' && !v[1..^1].ContainsAny('"', '\r', '\n');
        }

        foreach (var c in v)
        {
            if (!(SipChars.IsTokenChar(c) || c is ':' or '[' or ']'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> s, out uint value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 10)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static int SplitOnWhitespace(ReadOnlySpan<char> s, Span<Range> parts)
    {
        var count = 0;
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && SipChars.IsWhitespace(s[i]))
            {
                i++;
            }

            if (i == s.Length)
            {
                break;
            }

            var start = i;
            while (i < s.Length && !SipChars.IsWhitespace(s[i]))
            {
                i++;
            }

            if (count == parts.Length)
            {
                return count + 1;
            }

            parts[count++] = start..i;
        }

        return count;
    }

    private static string Shorten(ReadOnlySpan<char> s) => s.Length <= 40 ? s.ToString() : string.Concat(s[..40], "…");
}
