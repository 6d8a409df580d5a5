using System.Text;

namespace ClutchCall.Voice.Speech.Tts;

/// <summary>
/// Cuts streamed text into sentences as early as it safely can: at ., ! or ? (plus closing quotes or
/// brackets) followed by whitespace, or at a newline; not after common abbreviations (Mr., Dr., e.g.)
/// or inside numbers (3.14). Very long runs are cut at the last comma or space past
/// <see cref="MaxSentenceLength"/> so a run-on reply still starts speaking promptly.
/// </summary>
internal sealed class SentenceSplitter
{
    public const int MaxSentenceLength = 240;

    private static readonly string[] Abbreviations = ["mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "no", "approx"];

    private readonly StringBuilder _pending = new();

    /// <summary>Adds text; returns the sentences it completed (possibly none).</summary>
    public IEnumerable<string> Push(string chunk)
    {
        _pending.Append(chunk);
        var output = new List<string>();
        while (TryCut(out var sentence))
        {
            if (sentence.Length > 0)
            {
                output.Add(sentence);
            }
        }

        return output;
    }

    /// <summary>Returns whatever text remains as a last sentence (or null).</summary>
    public string? Flush()
    {
        var rest = Normalise(_pending.ToString());
        _pending.Clear();
        return rest.Length == 0 ? null : rest;
    }

    /// <summary>Splits a whole text.</summary>
    public static List<string> Split(string text)
    {
        var s = new SentenceSplitter();
        var list = s.Push(text).ToList();
        if (s.Flush() is { } last)
        {
            list.Add(last);
        }

        return list;
    }

    private bool TryCut(out string sentence)
    {
        var text = _pending.ToString();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                return Take(text, i + 1, out sentence);
            }

            if (c is '.' or '!' or '?' or '…')
            {
                var end = i + 1;
                while (end < text.Length && text[end] is '"' or '\'' or ')' or ']' or '”' or '’' or '.' or '!' or '?')
                {
                    end++;
                }

                if (end >= text.Length)
                {
                    break; // need to see what follows before cutting
                }

                if (!char.IsWhiteSpace(text[end]) || (c == '.' && IsAbbreviation(text, i)))
                {
                    continue;
                }

                return Take(text, end, out sentence);
            }
        }

        if (text.Length > MaxSentenceLength)
        {
            var cut = text.LastIndexOf(',', MaxSentenceLength);
            if (cut < MaxSentenceLength / 3)
            {
                cut = text.LastIndexOf(' ', MaxSentenceLength);
            }

            return Take(text, cut < MaxSentenceLength / 3 ? MaxSentenceLength : cut + 1, out sentence);
        }

        sentence = string.Empty;
        return false;
    }

    private bool Take(string text, int length, out string sentence)
    {
        sentence = Normalise(text[..length]);
        _pending.Remove(0, length);
        return true;
    }

    private static bool IsAbbreviation(string text, int dot)
    {
        var start = dot;
        while (start > 0 && (char.IsLetter(text[start - 1]) || text[start - 1] == '.'))
        {
            start--;
        }

        var word = text[start..dot].ToLowerInvariant();
        return word.Length == 1 || Array.IndexOf(Abbreviations, word) >= 0; // single letters: initials
    }

    private static string Normalise(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
