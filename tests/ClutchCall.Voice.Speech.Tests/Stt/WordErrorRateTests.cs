using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.Tests.Stt;

public sealed class WordErrorRateTests
{
    [Theory]
    [InlineData("a b c", "a b c", 0.0)]
    [InlineData("a b c", "a x c", 1.0 / 3)]
    [InlineData("a b c", "a c", 1.0 / 3)]
    [InlineData("a b c", "a b c d", 1.0 / 3)]
    [InlineData("Hello, World!", "hello world", 0.0)]
    [InlineData("", "", 0.0)]
    [InlineData("", "x", 1.0)]
    [InlineData("a b", "", 1.0)]
    public void Compute_KnownEdits_ReturnsRate(string reference, string hypothesis, double expected)
    {
        Assert.Equal(expected, WordErrorRate.Compute(reference, hypothesis), 6);
    }
}
