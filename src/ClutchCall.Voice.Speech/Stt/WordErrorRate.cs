using System.Text;

namespace ClutchCall.Voice.Speech.Stt;

/// <summary>Word error rate: word-level Levenshtein distance over normalised words, divided by the reference length.</summary>
internal static class WordErrorRate
{
    /// <summary>(substitutions + deletions + insertions) / reference words. 0 for two empty texts.</summary>
    public static double Compute(string reference, string hypothesis)
    {
        var r = Normalise(reference);
        var h = Normalise(hypothesis);
        if (r.Length == 0)
        {
            return h.Length == 0 ? 0 : 1;
        }

        var prev = new int[h.Length + 1];
        var cur = new int[h.Length + 1];
        for (var j = 0; j <= h.Length; j++)
        {
            prev[j] = j;
        }

        for (var i = 1; i <= r.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= h.Length; j++)
            {
                var sub = prev[j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1);
                cur[j] = Math.Min(sub, Math.Min(prev[j] + 1, cur[j - 1] + 1));
            }

            (prev, cur) = (cur, prev);
        }

        return (double)prev[h.Length] / r.Length;
    }

    /// <summary>Lower-case words with punctuation removed ("Mr." stays "mr", "don't" stays "don't").</summary>
    public static string[] Normalise(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(char.IsLetterOrDigit(c) || c == '\'' ? char.ToLowerInvariant(c) : ' ');
        }

        return sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
