namespace ClutchCall.Voice.Speech.Turns;

/// <summary>Decides from partial recognition text whether the caller is in the middle of a number.</summary>
internal static class NumberHeuristics
{
    private static readonly string[] DigitWords =
    [
        "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "hundred", "thousand", "double", "triple",
    ];

    /// <summary>True when the text ends in a digit or a spoken digit word.</summary>
    public static bool EndsMidNumber(ReadOnlySpan<char> text)
    {
        text = text.TrimEnd();
        if (text.IsEmpty)
        {
            return false;
        }

        if (char.IsAsciiDigit(text[^1]))
        {
            return true;
        }

        var lastSpace = text.LastIndexOf(' ');
        var word = lastSpace < 0 ? text : text[(lastSpace + 1)..];
        foreach (var w in DigitWords)
        {
            if (word.Equals(w, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
