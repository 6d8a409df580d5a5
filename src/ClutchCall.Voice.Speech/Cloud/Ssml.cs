using System.Text;
using System.Xml;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>
/// Builds the SSML document Azure TTS takes
/// (https://learn.microsoft.com/azure/ai-services/speech-service/speech-synthesis-markup-structure):
/// <c>&lt;speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="…"&gt;&lt;voice name="…"&gt;text&lt;/voice&gt;&lt;/speak&gt;</c>.
/// Arbitrary text is escaped so it can never become markup.
/// </summary>
internal static class Ssml
{
    public static string Build(string text, string voice, string language)
    {
        var sb = new StringBuilder(text.Length + 160);
        sb.Append("<speak version=\"1.0\" xmlns=\"http://www.w3.org/2001/10/synthesis\" xml:lang=\"");
        AppendEscaped(sb, language);
        sb.Append("\"><voice name=\"");
        AppendEscaped(sb, voice);
        sb.Append("\">");
        AppendEscaped(sb, text);
        sb.Append("</voice></speak>");
        return sb.ToString();
    }

    /// <summary>
    /// XML 1.0 §2.4 (character data) and §3.3.3 (attribute values): escapes the five markup
    /// characters; drops characters that XML 1.0 §2.2 does not allow at all (most C0 controls,
    /// lone surrogates, U+FFFE/U+FFFF), since no escape can carry them.
    /// </summary>
    public static void AppendEscaped(StringBuilder sb, string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
                    {
                        sb.Append(c).Append(text[++i]);
                    }
                    else if (XmlConvert.IsXmlChar(c))
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }
    }
}
