using System.Text;
using System.Xml;
using System.Xml.Linq;
using ClutchCall.Voice.Speech.Cloud;

namespace ClutchCall.Voice.Speech.Tests.Cloud;

/// <summary>Fixed-seed fuzzing of the cloud engines' parsers and the SSML escaper.</summary>
public sealed class CloudParserFuzzTests
{
    private const int Iterations = 5000;

    private static readonly string DeepgramSeed =
        """{"type":"Results","is_final":true,"speech_final":true,"channel":{"alternatives":[{"transcript":"hi there","confidence":0.9,"words":[{"word":"hi","start":0.1,"end":0.2,"confidence":0.8},{"word":"there","start":0.3,"end":0.6}]}]}}""";

    private static readonly string AzureSeed =
        """{"RecognitionStatus":"Success","DisplayText":"Hi there.","NBest":[{"Confidence":0.9,"Lexical":"hi there","Display":"Hi there.","Words":[{"Word":"hi","Offset":1000000,"Duration":2000000},{"Word":"there","Offset":3000000,"Duration":3000000}]}]}""";

    private static IEnumerable<byte[]> Inputs(string seed, int salt)
    {
        var rng = new Random(1234 + salt);
        var seedBytes = Encoding.UTF8.GetBytes(seed);
        string[] tokens = ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "1e400", "\"\\ud800\"", "\"type\"", "\"Results\"", "\"NBest\"", "\"Words\""];
        for (var i = 0; i < Iterations; i++)
        {
            switch (i % 4)
            {
                case 0:
                    var random = new byte[rng.Next(0, 120)];
                    rng.NextBytes(random);
                    yield return random;
                    break;
                case 1:
                    var flipped = (byte[])seedBytes.Clone();
                    for (var k = rng.Next(1, 8); k > 0; k--)
                    {
                        flipped[rng.Next(flipped.Length)] = (byte)rng.Next(256);
                    }

                    yield return flipped;
                    break;
                case 2:
                    yield return seedBytes.AsSpan(0, rng.Next(seedBytes.Length)).ToArray();
                    break;
                default:
                    var s = seed;
                    for (var k = rng.Next(1, 4); k > 0; k--)
                    {
                        var at = rng.Next(s.Length);
                        s = s[..at] + tokens[rng.Next(tokens.Length)] + s[Math.Min(s.Length, at + rng.Next(0, 6))..];
                    }

                    yield return Encoding.UTF8.GetBytes(s);
                    break;
            }
        }
    }

    [Fact]
    public void DeepgramParse_Fuzz_OnlyProtocolErrors()
    {
        var parsed = 0;
        foreach (var input in Inputs(DeepgramSeed, 1))
        {
            try
            {
                var m = DeepgramMessageReader.Parse(input);
                Assert.All(m.Words, w => Assert.True(w.End >= w.Start && w.Start >= TimeSpan.Zero));
                parsed++;
            }
            catch (SpeechEngineException ex)
            {
                Assert.Equal(SpeechEngineErrorKind.Protocol, ex.Kind);
            }
        }

        Assert.InRange(parsed, 1, Iterations - 1);
    }

    [Fact]
    public void AzureParse_Fuzz_OnlyProtocolOrReportedErrors()
    {
        var parsed = 0;
        foreach (var input in Inputs(AzureSeed, 2))
        {
            try
            {
                var r = AzureRecognitionReader.Parse(input);
                Assert.True(r.IsFinal);
                Assert.All(r.Words, w => Assert.True(w.End >= w.Start && w.Start >= TimeSpan.Zero));
                parsed++;
            }
            catch (SpeechEngineException ex)
            {
                Assert.True(ex.Kind is SpeechEngineErrorKind.Protocol or SpeechEngineErrorKind.EngineFailure, ex.Message);
            }
        }

        Assert.InRange(parsed, 1, Iterations - 1);
    }

    [Fact]
    public void Ssml_FuzzText_AlwaysWellFormedAndTextPreserved()
    {
        var rng = new Random(99);
        for (var i = 0; i < Iterations; i++)
        {
            var chars = new char[rng.Next(0, 60)];
            for (var k = 0; k < chars.Length; k++)
            {
                chars[k] = (k + i) % 3 == 0 ? "<>&\"'/=!?-[]"[rng.Next(12)] : (char)rng.Next(0, 0x10000);
            }

            var text = new string(chars);
            var doc = XDocument.Parse(Ssml.Build(text, "voice", "en-US"), LoadOptions.PreserveWhitespace);
            var expected = new StringBuilder();
            for (var k = 0; k < text.Length; k++)
            {
                if (char.IsHighSurrogate(text[k]) && k + 1 < text.Length && char.IsLowSurrogate(text[k + 1]))
                {
                    expected.Append(text[k]).Append(text[++k]);
                }
                else if (XmlConvert.IsXmlChar(text[k]))
                {
                    expected.Append(text[k]);
                }
            }

            // XML 1.0 §2.11: a parser normalises CR and CRLF to LF.
            Assert.Equal(expected.ToString().Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'), doc.Root!.Value);
        }
    }
}
