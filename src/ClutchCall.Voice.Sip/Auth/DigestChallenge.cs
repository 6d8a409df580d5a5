using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Auth;

/// <summary>A <c>Digest</c> challenge from WWW-Authenticate or Proxy-Authenticate (RFC 7616 §3.3, RFC 3261 §22.4).</summary>
internal sealed record DigestChallenge(string Realm, string Nonce, string Algorithm, string? Opaque, IReadOnlyList<string> Qop, bool Stale)
{
    /// <summary>Parses one header value; false when it is not a well-formed Digest challenge.</summary>
    public static bool TryParse(string value, out DigestChallenge? challenge)
    {
        challenge = null;
        var s = value.Trim();
        if (!s.StartsWith("Digest", StringComparison.OrdinalIgnoreCase) || s.Length < 7 || !SipChars.IsWhitespace(s[6]))
        {
            return false;
        }

        var ps = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 6;
        while (i < s.Length)
        {
            i = SipChars.SkipWs(s, i);
            if (i < s.Length && s[i] == ',')
            {
                i++;
                continue;
            }

            var start = i;
            while (i < s.Length && SipChars.IsTokenChar(s[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }

            var name = s[start..i];
            i = SipChars.SkipWs(s, i);
            if (i >= s.Length || s[i] != '=')
            {
                return false;
            }

            i = SipChars.SkipWs(s, i + 1);
            string v;
            if (i < s.Length && s[i] == '"')
            {
                if (!SipChars.TryReadQuoted(s, ref i, out v))
                {
                    return false;
                }
            }
            else
            {
                var vs = i;
                while (i < s.Length && s[i] != ',' && !SipChars.IsWhitespace(s[i]))
                {
                    i++;
                }

                v = s[vs..i];
            }

            ps[name] = v;
        }

        // RFC 7616 §3.3: realm and nonce are required; algorithm defaults to MD5.
        if (!ps.TryGetValue("realm", out var realm) || !ps.TryGetValue("nonce", out var nonce))
        {
            return false;
        }

        var qop = ps.TryGetValue("qop", out var q)
            ? q.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        challenge = new DigestChallenge(realm, nonce, ps.GetValueOrDefault("algorithm") ?? "MD5", ps.GetValueOrDefault("opaque"), qop,
            string.Equals(ps.GetValueOrDefault("stale"), "true", StringComparison.OrdinalIgnoreCase));
        return true;
    }

    /// <summary>True for the algorithms this UA computes: MD5, SHA-256 and their -sess variants (RFC 8760 §2).</summary>
    public bool IsSupported => DigestAuthenticator.HashFor(Algorithm) is not null;
}
