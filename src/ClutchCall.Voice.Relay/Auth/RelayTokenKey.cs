using System.Security.Cryptography;

namespace ClutchCall.Voice.Relay.Auth;

/// <summary>
/// The shared HMAC-SHA256 secret that signs relay tokens. The control plane issues with it and every
/// relay node validates with it, so a multi-node deployment configures the same key everywhere.
/// </summary>
internal sealed class RelayTokenKey
{
    /// <summary>RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits).</summary>
    public const int MinimumBytes = 32;

    private readonly byte[] _key;

    public RelayTokenKey(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinimumBytes)
        {
            throw new ArgumentException($"A relay token key needs at least {MinimumBytes} bytes; got {key.Length}.", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>A fresh random key (for single-process deployments and tests).</summary>
    public static RelayTokenKey CreateRandom() => new(RandomNumberGenerator.GetBytes(MinimumBytes));

    /// <summary>Parses a base64 key from configuration.</summary>
    public static RelayTokenKey FromBase64(string base64)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new ArgumentException("The relay token key is not valid base64.", nameof(base64));
        }

        return new RelayTokenKey(bytes);
    }

    /// <summary>The key as base64 (to persist a generated key).</summary>
    public string ToBase64() => Convert.ToBase64String(_key);

    /// <summary>HMAC-SHA256 of <paramref name="data"/> into <paramref name="destination"/> (32 bytes).</summary>
    public void Sign(ReadOnlySpan<byte> data, Span<byte> destination) => HMACSHA256.HashData(_key, data, destination);
}
