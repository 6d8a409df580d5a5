namespace ClutchCall.Voice.Server.Auth;

/// <summary>API key scopes. <see cref="All"/> grants every other scope.</summary>
internal static class Scopes
{
    public const string Calls = "voice:calls";
    public const string Audio = "voice:audio";
    public const string Agents = "voice:agents";
    public const string All = "voice:*";

    public static IReadOnlyList<string> Known { get; } = [Calls, Audio, Agents, All];

    /// <summary>Parses a comma- or space-separated list; null and a message when a scope is unknown or the list is empty.</summary>
    public static IReadOnlyList<string>? TryParse(string text, out string error)
    {
        var scopes = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var s in scopes)
        {
            if (!Known.Contains(s))
            {
                error = $"Unknown scope '{s}'; known scopes are {string.Join(", ", Known)}.";
                return null;
            }
        }

        if (scopes.Length == 0)
        {
            error = "At least one scope is required.";
            return null;
        }

        error = string.Empty;
        return scopes;
    }

    public static bool Grants(IReadOnlyList<string> held, string required) => held.Contains(All) || held.Contains(required);
}
