using System.Globalization;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Messages;

/// <summary>CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16).</summary>
internal readonly record struct SipCSeq(uint Number, string Method)
{
    public override string ToString() => Number.ToString(CultureInfo.InvariantCulture) + " " + Method;

    public static bool TryParse(string s, out SipCSeq cseq)
    {
        cseq = default;
        var i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        // RFC 3261 §8.1.1.5: a 32-bit unsigned integer, less than 2**31.
        if (i == 0 || !uint.TryParse(s.AsSpan(0, i), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n >= 0x8000_0000u)
        {
            return false;
        }

        var m = s[i..].Trim();
        if (i == s.Length || !SipChars.IsWhitespace(s[i]) || !SipChars.IsToken(m))
        {
            return false;
        }

        cseq = new SipCSeq(n, m);
        return true;
    }
}
