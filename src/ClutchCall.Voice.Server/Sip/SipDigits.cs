using ClutchCall.Voice.Server.Calls;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>DTMF digits as the API takes and records them.</summary>
internal static class SipDigits
{
    /// <summary>Transcript speaker of a received digit.</summary>
    public const string Speaker = CallService.DtmfSpeaker;

    /// <summary>Most digits one request may send (about 4 s of key presses).</summary>
    public const int MaxDigits = 32;

    /// <summary>Null when <paramref name="digits"/> can be sent as RFC 4733 events (§3.2: 0-9, *, #, A-D), else what is wrong.</summary>
    public static string? Check(string? digits)
    {
        if (string.IsNullOrEmpty(digits))
        {
            return "'digits' is required: 1 to 32 of 0-9, *, #, A-D (e.g. \"12#\").";
        }

        if (digits.Length > MaxDigits)
        {
            return $"'digits' may hold at most {MaxDigits} digits; got {digits.Length}.";
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c) && c is not ('*' or '#' or 'A' or 'B' or 'C' or 'D'))
            {
                return $"'digits' may contain only 0-9, *, #, A-D; found '{c}'.";
            }
        }

        return null;
    }
}
