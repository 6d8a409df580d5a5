using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Speech.Tests.Tts;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void Push_StreamedTokens_EmitsSentenceOnceFollowingSpaceArrives()
    {
        var s = new SentenceSplitter();
        Assert.Empty(s.Push("Hello there"));
        Assert.Empty(s.Push("."));
        Assert.Equal(["Hello there."], s.Push(" How"));
        Assert.Empty(s.Push(" are you"));
        Assert.Equal("How are you", s.Flush());
        Assert.Null(s.Flush());
    }

    [Fact]
    public void Split_AbbreviationsNumbersAndQuotes_KeptTogether()
    {
        Assert.Equal(
            ["Mr. Smith paid 3.50 dollars.", "\"Really?\"", "Yes, e.g. today!", "Bye"],
            SentenceSplitter.Split("Mr. Smith paid 3.50 dollars. \"Really?\" Yes, e.g. today! Bye"));
    }

    [Fact]
    public void Split_RunOnText_CutAtCommaOrSpaceBeforeLimit()
    {
        var text = string.Join(", ", Enumerable.Repeat("and then some more words", 40));
        var parts = SentenceSplitter.Split(text);
        Assert.True(parts.Count > 3);
        Assert.All(parts, p => Assert.True(p.Length <= SentenceSplitter.MaxSentenceLength));
        Assert.Equal(WordCount(text), parts.Sum(WordCount));
    }

    [Fact]
    public void Split_EmptyAndWhitespace_Nothing()
    {
        Assert.Empty(SentenceSplitter.Split(""));
        Assert.Empty(SentenceSplitter.Split("  \n \t "));
    }

    [Fact]
    public void Push_RandomChunking_SameSentencesAsWholeText()
    {
        var rng = new Random(7);
        const string text = "Dr. No arrived. Then what? Nothing at all! It cost 2.5 million... Wow. Fine\nNext line";
        var whole = SentenceSplitter.Split(text);
        for (var iter = 0; iter < 500; iter++)
        {
            var s = new SentenceSplitter();
            var got = new List<string>();
            var i = 0;
            while (i < text.Length)
            {
                var n = rng.Next(1, 8);
                got.AddRange(s.Push(text.Substring(i, Math.Min(n, text.Length - i))));
                i += n;
            }

            if (s.Flush() is { } last)
            {
                got.Add(last);
            }

            Assert.Equal(whole, got);
        }
    }

    private static int WordCount(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
