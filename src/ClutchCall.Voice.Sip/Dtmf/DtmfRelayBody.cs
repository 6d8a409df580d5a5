using System.Globalization;

namespace ClutchCall.Voice.Sip.Dtmf;

/// <summary>
/// The <c>application/dtmf-relay</c> SIP INFO body used by carriers (<c>Signal=5</c>, <c>Duration=160</c>
/// lines). It has no RFC; the format is the de-facto one, parsed leniently.
/// </summary>
internal static class DtmfRelayBody
{
    public static bool TryParse(string body, out char digit, out int durationMs)
    {
        digit = '\0';
        durationMs = 0;
        var found = false;
        foreach (var raw in body.Split('\n'))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var name = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (name.Equals("Signal", StringComparison.OrdinalIgnoreCase))
            {
                // Some senders give the event number (10/11) rather than '*'/'#'.
                if (value.Length == 1 && TelephoneEvent.FromDigit(value[0]) is not null)
                {
                    digit = char.ToUpperInvariant(value[0]);
                    found = true;
                }
                else if (value is "10" or "11" or "12" or "13" or "14" or "15" or "16")
                {
                    digit = TelephoneEvent.ToDigit(byte.Parse(value, CultureInfo.InvariantCulture))!.Value;
                    found = true;
                }
                else
                {
                    return false;
                }
            }
            else if (name.Equals("Duration", StringComparison.OrdinalIgnoreCase))
            {
                _ = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out durationMs);
            }
        }

        return found;
    }

    public static string Build(char digit, int durationMs) =>
        string.Create(CultureInfo.InvariantCulture, $"Signal={digit}\r\nDuration={durationMs}\r\n");
}
