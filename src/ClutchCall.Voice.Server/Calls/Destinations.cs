namespace ClutchCall.Voice.Server.Calls;

/// <summary>Validation of call endpoints: E.164 numbers and the reserved test-line destinations.</summary>
internal static class Destinations
{
    /// <summary>The built-in test line that echoes what it hears.</summary>
    public const string SimEcho = "sim:echo";

    /// <summary>The built-in test line that speaks a known sentence and echoes.</summary>
    public const string SimSpeech = "sim:speech";

    public static bool IsSimulated(string to) => to is SimEcho or SimSpeech;

    /// <summary>ITU-T E.164 §6: '+', a non-zero country-code digit, at most 15 digits in total.</summary>
    public static bool IsE164(string? value)
    {
        if (value is null || value.Length < 3 || value.Length > 16 || value[0] != '+' || value[1] == '0')
        {
            return false;
        }

        foreach (var c in value.AsSpan(1))
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Null when <paramref name="value"/> is acceptable as field <paramref name="field"/>, else what is wrong.</summary>
    public static string? CheckNumber(string field, string? value, bool allowSimulated)
    {
        if (string.IsNullOrEmpty(value))
        {
            return $"'{field}' is required" + (allowSimulated ? $": an E.164 number such as +14155550100, or the test line '{SimEcho}' / '{SimSpeech}'." : ": an E.164 number such as +14155550100.");
        }

        if (allowSimulated && IsSimulated(value))
        {
            return null;
        }

        if (IsE164(value))
        {
            return null;
        }

        var shown = value.Length > 40 ? value[..40] + "…" : value;
        if (value.StartsWith("sim:", StringComparison.Ordinal))
        {
            return allowSimulated
                ? $"'{field}' names an unknown test line '{shown}'; the reserved test lines are '{SimEcho}' and '{SimSpeech}'."
                : $"'{field}' must be an E.164 number; test lines like '{shown}' are only valid as 'to'.";
        }

        return $"'{field}' must be an E.164 number: '+', then 2 to 15 digits starting with a non-zero country code, no spaces or punctuation (e.g. +14155550100); got '{shown}'.";
    }

    /// <summary>Agent ids: 1..64 of letters, digits, '_', '-', '.', ':'.</summary>
    public static string? CheckAgent(string field, string? agent)
    {
        if (agent is null)
        {
            return null;
        }

        if (agent.Length is 0 or > 64)
        {
            return $"'{field}' must be 1 to 64 characters long.";
        }

        foreach (var c in agent)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.' or ':'))
            {
                return $"'{field}' may contain only letters, digits, '_', '-', '.' and ':'; found '{c}'.";
            }
        }

        return null;
    }
}
