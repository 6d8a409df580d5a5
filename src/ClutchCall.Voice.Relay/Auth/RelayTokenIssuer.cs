using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ClutchCall.Voice.Relay.Auth;

/// <summary>
/// Issues relay access tokens: compact JWS (RFC 7515 §7.1) JWTs (RFC 7519) signed with HS256
/// (RFC 7518 §3.2). The payload names the org, the tracks the holder may publish or subscribe,
/// and an expiry; <see cref="RelayTokenValidator"/> is the only reader.
/// </summary>
internal sealed class RelayTokenIssuer
{
    /// <summary>Longest lifetime a token may be issued for.</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromHours(1);

    /// <summary>The <c>iss</c> claim every relay token carries.</summary>
    public const string Issuer = "clutchcall-voice";

    // RFC 7515 §4.1.1 / RFC 7519 §5.1: {"alg":"HS256","typ":"JWT"} is the same bytes for every token.
    private static ReadOnlySpan<byte> HeaderJson => """{"alg":"HS256","typ":"JWT"}"""u8;

    private readonly RelayTokenKey _key;
    private readonly TimeProvider _time;

    public RelayTokenIssuer(RelayTokenKey key, TimeProvider time)
    {
        _key = key;
        _time = time;
    }

    /// <summary>
    /// Issues a token for <paramref name="orgId"/> allowing exactly <paramref name="grants"/> for
    /// <paramref name="ttl"/> (1 second .. <see cref="MaxTtl"/>).
    /// </summary>
    public IssuedRelayToken Issue(string orgId, IReadOnlyList<RelayTrackGrant> grants, TimeSpan ttl)
    {
        ArgumentException.ThrowIfNullOrEmpty(orgId);
        ArgumentNullException.ThrowIfNull(grants);
        if (grants.Count == 0)
        {
            throw new ArgumentException("A relay token needs at least one track grant.", nameof(grants));
        }

        if (ttl < TimeSpan.FromSeconds(1) || ttl > MaxTtl)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, $"Token lifetime must be between 1 s and {MaxTtl}.");
        }

        var now = _time.GetUtcNow();
        var issuedAt = now.ToUnixTimeSeconds();
        var expiresAt = issuedAt + (long)Math.Ceiling(ttl.TotalSeconds);
        var tokenId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

        var payload = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(payload))
        {
            // RFC 7519 §4.1: registered claims; "tracks" is this project's private claim.
            w.WriteStartObject();
            w.WriteString("iss", Issuer);
            w.WriteString("sub", orgId);
            w.WriteString("jti", tokenId);
            w.WriteNumber("iat", issuedAt);
            w.WriteNumber("exp", expiresAt);
            w.WriteStartArray("tracks");
            foreach (var g in grants)
            {
                w.WriteStartObject();
                w.WriteString("ns", g.Namespace);
                w.WriteString("track", g.Track);
                w.WriteString("act", g.Action == RelayAction.Publish ? "pub" : "sub");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        var signingInput = Base64Url.EncodeToString(HeaderJson) + "." + Base64Url.EncodeToString(payload.WrittenSpan);
        Span<byte> signature = stackalloc byte[32];
        _key.Sign(Encoding.ASCII.GetBytes(signingInput), signature);
        var token = signingInput + "." + Base64Url.EncodeToString(signature);
        return new IssuedRelayToken(token, tokenId, DateTimeOffset.FromUnixTimeSeconds(expiresAt));
    }
}

/// <summary>A freshly issued relay token and its expiry.</summary>
internal sealed record IssuedRelayToken(string Token, string TokenId, DateTimeOffset ExpiresAt);
