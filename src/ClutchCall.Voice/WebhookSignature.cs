using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ClutchCall.Voice;

/// <summary>
/// Verifies the <c>ClutchCall-Signature</c> header of a webhook delivery:
/// <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;")&gt;</c>.
/// Verify against the raw request body bytes, before any JSON parsing.
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header that carries the signature.</summary>
    public const string HeaderName = "ClutchCall-Signature";

    /// <summary>How far the signed timestamp may be from now by default (replay window).</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>True when <paramref name="header"/> is a valid signature of <paramref name="body"/> with <paramref name="secret"/>, made within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool Verify(string? header, ReadOnlySpan<byte> body, string secret, TimeSpan? tolerance = null, DateTimeOffset? now = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (string.IsNullOrEmpty(header) || header.Length > 1024)
        {
            return false;
        }

        long? timestamp = null;
        var candidates = new List<byte[]>(1);
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (key == "v1" && value.Length == 64)
            {
                try
                {
                    candidates.Add(Convert.FromHexString(value));
                }
                catch (FormatException)
                {
                    // Not hex: ignore this candidate.
                }
            }
        }

        if (timestamp is not { } ts || candidates.Count == 0)
        {
            return false;
        }

        var window = tolerance ?? DefaultTolerance;
        var current = (now ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        if (Math.Abs(current - ts) > (long)window.TotalSeconds)
        {
            return false;
        }

        var expected = Compute(secret, ts, body);
        var ok = false;
        foreach (var c in candidates)
        {
            ok |= CryptographicOperations.FixedTimeEquals(c, expected);
        }

        return ok;
    }

    /// <summary>Verifies a UTF-8 body given as a string.</summary>
    public static bool Verify(string? header, string body, string secret, TimeSpan? tolerance = null, DateTimeOffset? now = null) =>
        Verify(header, Encoding.UTF8.GetBytes(body), secret, tolerance, now);

    /// <summary>Builds a header value (for tests of your receiver).</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body, DateTimeOffset at)
    {
        var ts = at.ToUnixTimeSeconds();
        return $"t={ts.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(Compute(secret, ts, body))}";
    }

    private static byte[] Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data);
    }
}
