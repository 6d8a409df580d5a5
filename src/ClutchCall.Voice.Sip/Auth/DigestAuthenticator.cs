using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClutchCall.Voice.Sip.Messages;

namespace ClutchCall.Voice.Sip.Auth;

/// <summary>Digest credentials for a trunk.</summary>
internal sealed record DigestCredentials(string Username, string Password);

/// <summary>
/// Answers Digest challenges (RFC 3261 §22, RFC 7616, RFC 8760 for SHA-256 in SIP). The algorithm is the
/// challenge's; with several challenges the strongest supported one is taken (RFC 8760 §2.4).
/// </summary>
internal static class DigestAuthenticator
{
    /// <summary>Picks the challenge to answer from a 401/407: SHA-256 before MD5, unsupported ones skipped.</summary>
    public static DigestChallenge? PickChallenge(SipMessage response)
    {
        var header = response.StatusCode == 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
        DigestChallenge? best = null;
        foreach (var h in response.Headers)
        {
            if (!string.Equals(h.Name, header, StringComparison.OrdinalIgnoreCase)
                || !DigestChallenge.TryParse(h.Value, out var c) || !c!.IsSupported)
            {
                continue;
            }

            if (best is null || (Rank(c.Algorithm) > Rank(best.Algorithm)))
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>The header name that carries the answer to a 401 (Authorization) or 407 (Proxy-Authorization).</summary>
    public static string AnswerHeaderFor(int statusCode) => statusCode == 407 ? "Proxy-Authorization" : "Authorization";

    /// <summary>
    /// Builds the credentials value. RFC 7616 §3.4.1: with qop=auth,
    /// response = H(H(A1):nonce:nc:cnonce:qop:H(A2)); without qop (RFC 2069 compatibility) H(H(A1):nonce:H(A2)).
    /// §3.4.2: A1 = user:realm:password, for -sess H(user:realm:password):nonce:cnonce. §3.4.3: A2 = method:uri.
    /// </summary>
    public static string CreateAuthorization(DigestChallenge challenge, DigestCredentials credentials, string method, string uri, uint nonceCount, string cnonce)
    {
        var hash = HashFor(challenge.Algorithm) ?? throw new NotSupportedException($"digest algorithm {challenge.Algorithm}");
        var sess = challenge.Algorithm.EndsWith("-sess", StringComparison.OrdinalIgnoreCase);
        var ha1 = hash($"{credentials.Username}:{challenge.Realm}:{credentials.Password}");
        if (sess)
        {
            ha1 = hash($"{ha1}:{challenge.Nonce}:{cnonce}");
        }

        var ha2 = hash($"{method}:{uri}");
        var useQop = challenge.Qop.Contains("auth", StringComparer.OrdinalIgnoreCase);
        var nc = nonceCount.ToString("x8", CultureInfo.InvariantCulture);
        var response = useQop
            ? hash($"{ha1}:{challenge.Nonce}:{nc}:{cnonce}:auth:{ha2}")
            : hash($"{ha1}:{challenge.Nonce}:{ha2}");

        var sb = new StringBuilder("Digest ");
        sb.Append(CultureInfo.InvariantCulture, $"username=\"{credentials.Username}\", realm=\"{challenge.Realm}\", nonce=\"{challenge.Nonce}\", uri=\"{uri}\", response=\"{response}\", algorithm={challenge.Algorithm}");
        if (challenge.Opaque is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $", opaque=\"{challenge.Opaque}\"");
        }

        if (useQop)
        {
            // RFC 7616 §3.4: qop and nc are unquoted.
            sb.Append(CultureInfo.InvariantCulture, $", qop=auth, nc={nc}, cnonce=\"{cnonce}\"");
        }

        return sb.ToString();
    }

    public static string NewCnonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    internal static Func<string, string>? HashFor(string algorithm) => algorithm.ToUpperInvariant() switch
    {
        "MD5" or "MD5-SESS" => s => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s))),
        "SHA-256" or "SHA-256-SESS" => s => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s))),
        _ => null,
    };

    private static int Rank(string algorithm) => algorithm.StartsWith("SHA-256", StringComparison.OrdinalIgnoreCase) ? 2 : 1;
}
