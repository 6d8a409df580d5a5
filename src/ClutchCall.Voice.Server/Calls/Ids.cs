using System.Security.Cryptography;

namespace ClutchCall.Voice.Server.Calls;

/// <summary>Identifier formats: a two-letter kind then 32 lowercase hex digits (128 random bits).</summary>
internal static class Ids
{
    public static string NewCallSid() => "CA" + RandomHex();

    public static string NewOrgId() => "OR" + RandomHex();

    public static string NewWebhookId() => "WH" + RandomHex();

    public static string NewEventId() => "EV" + RandomHex();

    /// <summary>True for "CA" + 32 lowercase hex digits.</summary>
    public static bool IsCallSid(string? value) => HasShape(value, "CA");

    public static bool IsWebhookId(string? value) => HasShape(value, "WH");

    private static bool HasShape(string? value, string prefix)
    {
        if (value is null || value.Length != 34 || !value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in value.AsSpan(2))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string RandomHex() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
