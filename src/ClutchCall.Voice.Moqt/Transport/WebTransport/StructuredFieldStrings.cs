using System.Text;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>
/// The structured-field forms WebTransport protocol negotiation uses (draft-ietf-webtrans-http3 §3.3):
/// <c>wt-available-protocols</c> is a List of Strings, <c>wt-protocol</c> one String (RFC 8941 §3.1, §3.3.3).
/// </summary>
internal static class StructuredFieldStrings
{
    /// <summary>Most list members read.</summary>
    public const int MaxMembers = 32;

    /// <summary>
    /// Parses a List whose members are Strings (or Tokens, accepted leniently); parameters are skipped.
    /// Returns false on malformed input (RFC 8941 §4.2: the whole field is then ignored).
    /// </summary>
    public static bool TryParseList(ReadOnlySpan<char> text, List<string> members)
    {
        var position = 0;
        SkipSpaces(text, ref position);
        while (position < text.Length)
        {
            if (members.Count >= MaxMembers || !TryParseItem(text, ref position, out var item))
            {
                return false;
            }

            members.Add(item);
            SkipParameters(text, ref position);
            SkipSpaces(text, ref position);
            if (position == text.Length)
            {
                return true;
            }

            if (text[position] != ',')
            {
                return false;
            }

            position++;
            SkipSpaces(text, ref position);
            if (position == text.Length)
            {
                return false; // RFC 8941 §4.2.1: a trailing comma fails parsing.
            }
        }

        return true;
    }

    /// <summary>Parses a single String item (parameters skipped). False when malformed.</summary>
    public static bool TryParseItem(ReadOnlySpan<char> text, out string value)
    {
        var position = 0;
        SkipSpaces(text, ref position);
        if (!TryParseItem(text, ref position, out value))
        {
            return false;
        }

        SkipParameters(text, ref position);
        SkipSpaces(text, ref position);
        return position == text.Length;
    }

    /// <summary>Serialises a String (RFC 8941 §4.1.6): quoted, with '"' and '\' escaped.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.Append('"').ToString();
    }

    /// <summary>Serialises a List of Strings.</summary>
    public static string QuoteList(IEnumerable<string> values) => string.Join(", ", values.Select(Quote));

    private static bool TryParseItem(ReadOnlySpan<char> text, ref int position, out string value)
    {
        value = string.Empty;
        if (position >= text.Length)
        {
            return false;
        }

        if (text[position] == '"')
        {
            // RFC 8941 §4.2.5: printable ASCII, '\' escapes only '"' and '\'.
            var builder = new StringBuilder();
            position++;
            while (position < text.Length)
            {
                var c = text[position++];
                if (c == '\\')
                {
                    if (position >= text.Length || text[position] is not ('"' or '\\'))
                    {
                        return false;
                    }

                    builder.Append(text[position++]);
                }
                else if (c == '"')
                {
                    value = builder.ToString();
                    return true;
                }
                else if (c < 0x20 || c > 0x7e)
                {
                    return false;
                }
                else
                {
                    builder.Append(c);
                }
            }

            return false;
        }

        // RFC 8941 §4.2.6: a Token starts with ALPHA or '*'.
        var start = position;
        if (!(char.IsAsciiLetter(text[position]) || text[position] == '*'))
        {
            return false;
        }

        while (position < text.Length && IsTokenChar(text[position]))
        {
            position++;
        }

        value = text[start..position].ToString();
        return true;
    }

    private static void SkipParameters(ReadOnlySpan<char> text, ref int position)
    {
        // RFC 8941 §4.2.3.2: parameters are ";key[=value]"; their values are not needed here.
        while (position < text.Length && text[position] == ';')
        {
            position++;
            while (position < text.Length && text[position] is not (';' or ',') && text[position] != '"')
            {
                position++;
            }

            if (position < text.Length && text[position] == '"')
            {
                TryParseItem(text, ref position, out _);
            }
        }
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is ':' or '/' or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    private static void SkipSpaces(ReadOnlySpan<char> text, ref int position)
    {
        while (position < text.Length && text[position] is ' ' or '\t')
        {
            position++;
        }
    }
}
