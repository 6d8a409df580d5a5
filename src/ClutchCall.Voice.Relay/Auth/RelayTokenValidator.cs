using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ClutchCall.Voice.Relay.Auth;

/// <summary>
/// Validates relay tokens written by <see cref="RelayTokenIssuer"/>. Never throws on bad input:
/// every malformed, tampered, expired or foreign token yields false and a short reason.
/// </summary>
internal sealed class RelayTokenValidator
{
    /// <summary>Longest token accepted before any decoding.</summary>
    public const int MaxTokenLength = 4096;

    /// <summary>Clock difference tolerated between issuer and relay.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(30);

    private const int MaxTracks = 16;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 4 };

    private readonly RelayTokenKey _key;
    private readonly long _skewSeconds;

    public RelayTokenValidator(RelayTokenKey key, TimeSpan? clockSkew = null)
    {
        _key = key;
        var skew = clockSkew ?? DefaultClockSkew;
        if (skew < TimeSpan.Zero || skew > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentOutOfRangeException(nameof(clockSkew), skew, "Clock skew must be between 0 and 5 minutes.");
        }

        _skewSeconds = (long)skew.TotalSeconds;
    }

    /// <summary>Checks <paramref name="token"/> at time <paramref name="now"/>.</summary>
    public bool TryValidate(string? token, DateTimeOffset now, out RelayGrant grant, out string error)
    {
        grant = null!;
        if (string.IsNullOrEmpty(token))
        {
            error = "token is empty";
            return false;
        }

        if (token.Length > MaxTokenLength)
        {
            error = $"token is longer than {MaxTokenLength} characters";
            return false;
        }

        // RFC 7515 §7.1: compact serialization is exactly three base64url parts separated by '.'.
        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == token.Length - 1 || token.IndexOf('.', second + 1) >= 0)
        {
            error = "token is not a compact JWS (header.payload.signature)";
            return false;
        }

        var headerPart = token.AsSpan(0, first);
        var payloadPart = token.AsSpan(first + 1, second - first - 1);
        var signaturePart = token.AsSpan(second + 1);

        if (!TryDecode(headerPart, out var header) || !TryDecode(payloadPart, out var payload) || !TryDecode(signaturePart, out var signature))
        {
            error = "token part is not valid base64url";
            return false;
        }

        // RFC 8725 §3.1: the algorithm is fixed by the verifier, never taken on trust from the header.
        if (!HeaderIsHs256(header))
        {
            error = "token alg must be HS256";
            return false;
        }

        // RFC 7518 §3.2: HMAC over the ASCII signing input, compared in constant time.
        Span<byte> expected = stackalloc byte[32];
        var signingInputLength = second;
        var signingInput = new byte[signingInputLength];
        if (Encoding.ASCII.GetBytes(token.AsSpan(0, signingInputLength), signingInput) != signingInputLength)
        {
            error = "token is not ASCII";
            return false;
        }

        _key.Sign(signingInput, expected);
        if (signature.Length != expected.Length || !CryptographicOperations.FixedTimeEquals(signature, expected))
        {
            error = "token signature does not match";
            return false;
        }

        return TryReadPayload(payload, now, out grant, out error);
    }

    private static bool TryDecode(ReadOnlySpan<char> part, out byte[] bytes)
    {
        bytes = [];
        if (!Base64Url.IsValid(part, out var length))
        {
            return false;
        }

        bytes = new byte[length];
        return Base64Url.TryDecodeFromChars(part, bytes, out var written) && written == length;
    }

    private static bool HeaderIsHs256(byte[] header)
    {
        try
        {
            using var doc = JsonDocument.Parse(header, ParseOptions);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("alg", out var alg)
                && alg.ValueKind == JsonValueKind.String
                && alg.ValueEquals("HS256")
                && !doc.RootElement.TryGetProperty("crit", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private bool TryReadPayload(byte[] payload, DateTimeOffset now, out RelayGrant grant, out string error)
    {
        grant = null!;
        try
        {
            using var doc = JsonDocument.Parse(payload, ParseOptions);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "token payload is not a JSON object";
                return false;
            }

            if (!TryString(root, "iss", out var iss) || iss != RelayTokenIssuer.Issuer)
            {
                error = "token issuer is not " + RelayTokenIssuer.Issuer;
                return false;
            }

            if (!TryString(root, "sub", out var orgId) || orgId.Length == 0
                || !TryString(root, "jti", out var tokenId)
                || !TryLong(root, "iat", out var iat)
                || !TryLong(root, "exp", out var exp))
            {
                error = "token payload lacks sub, jti, iat or exp";
                return false;
            }

            // RFC 7519 §4.1.4: reject at or after exp, allowing a bounded clock skew.
            var nowSeconds = now.ToUnixTimeSeconds();
            if (nowSeconds >= exp + _skewSeconds)
            {
                error = "token has expired";
                return false;
            }

            if (iat > nowSeconds + _skewSeconds)
            {
                error = "token is issued in the future";
                return false;
            }

            if (exp <= iat || exp - iat > (long)RelayTokenIssuer.MaxTtl.TotalSeconds)
            {
                error = "token lifetime is out of bounds";
                return false;
            }

            if (!root.TryGetProperty("tracks", out var tracksElement) || tracksElement.ValueKind != JsonValueKind.Array
                || tracksElement.GetArrayLength() is 0 or > MaxTracks)
            {
                error = "token has no valid track list";
                return false;
            }

            var tracks = new List<RelayTrackGrant>(tracksElement.GetArrayLength());
            foreach (var t in tracksElement.EnumerateArray())
            {
                if (t.ValueKind != JsonValueKind.Object
                    || !TryString(t, "ns", out var ns) || ns.Length == 0
                    || !TryString(t, "track", out var track) || track.Length == 0
                    || !TryString(t, "act", out var act) || act is not ("pub" or "sub"))
                {
                    error = "token track entry is malformed";
                    return false;
                }

                tracks.Add(new RelayTrackGrant(ns, track, act == "pub" ? RelayAction.Publish : RelayAction.Subscribe));
            }

            grant = new RelayGrant(orgId, tokenId, tracks, DateTimeOffset.FromUnixTimeSeconds(iat), DateTimeOffset.FromUnixTimeSeconds(exp));
            error = string.Empty;
            return true;
        }
        catch (JsonException)
        {
            error = "token payload is not valid JSON";
            return false;
        }
    }

    private static bool TryString(JsonElement obj, string name, out string value)
    {
        value = string.Empty;
        if (!obj.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = e.GetString() ?? string.Empty;
        return true;
    }

    private static bool TryLong(JsonElement obj, string name, out long value)
    {
        value = 0;
        return obj.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value)
            && value is >= 0 and <= 253402300799; // RFC 7519 §2 NumericDate, bounded to year 9999.
    }
}
