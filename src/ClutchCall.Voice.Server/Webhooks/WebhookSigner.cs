using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ClutchCall.Voice.Server.Webhooks;

/// <summary>
/// <c>ClutchCall-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;body&gt;")&gt;</c>.
/// The timestamp is signed with the body so a captured delivery cannot be replayed later.
/// </summary>
internal static class WebhookSigner
{
    public const string HeaderName = "ClutchCall-Signature";

    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var prefix = Encoding.UTF8.GetBytes(t + ".");
        var data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data);
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>A new per-webhook secret: <c>whsec_</c> + 32 base62 characters.</summary>
    public static string NewSecret() =>
        "whsec_" + RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 32);
}
