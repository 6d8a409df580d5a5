using System.Security.Cryptography;
using System.Text;
using ClutchCall.Voice.Server.Storage;

namespace ClutchCall.Voice.Server.Auth;

/// <summary>
/// API key format and checking. A key is <c>ccv_live_</c> followed by 40 base62 characters; its
/// first 17 characters (<c>ccv_live_</c> + 8) are its public id, stored in clear to find the row.
/// Only the SHA-256 of the whole key is stored, compared in constant time.
/// </summary>
internal sealed class ApiKeys(IOrgStore store, TimeProvider time)
{
    public const string Prefix = "ccv_live_";
    private const int RandomLength = 40;
    private const int KeyIdLength = 17;
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Creates, stores and returns a new key. The plaintext exists only in the return value.</summary>
    public async Task<(string Key, ApiKeyRecord Record)> CreateAsync(string orgId, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var key = Prefix + RandomNumberGenerator.GetString(Alphabet, RandomLength);
        var record = new ApiKeyRecord(key[..KeyIdLength], orgId, Hash(key), scopes, time.GetUtcNow(), null);
        await store.InsertKeyAsync(record, cancellationToken).ConfigureAwait(false);
        return (key, record);
    }

    /// <summary>The key's record when <paramref name="presented"/> is a live key; null otherwise.</summary>
    public async Task<ApiKeyRecord?> AuthenticateAsync(string presented, CancellationToken cancellationToken)
    {
        if (presented.Length != Prefix.Length + RandomLength || !presented.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var record = await store.GetKeyAsync(presented[..KeyIdLength], cancellationToken).ConfigureAwait(false);
        if (record is null || record.RevokedAt is not null)
        {
            return null;
        }

        return CryptographicOperations.FixedTimeEquals(Hash(presented), record.Sha256) ? record : null;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
