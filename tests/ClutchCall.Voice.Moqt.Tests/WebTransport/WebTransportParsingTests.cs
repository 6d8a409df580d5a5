using System.IO.Pipelines;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.WebTransport;

namespace ClutchCall.Voice.Moqt.Tests.WebTransport;

public sealed class WebTransportParsingTests
{
    [Theory]
    [InlineData("\"moqt-15\", \"moq-00\"", new[] { "moqt-15", "moq-00" })]
    [InlineData("\"moq-00\"", new[] { "moq-00" })]
    [InlineData("  \"a\\\"b\" ,\t\"c\\\\d\";q=1", new[] { "a\"b", "c\\d" })]
    [InlineData("moq-00, \"moqt-16\";x=\"y\"", new[] { "moq-00", "moqt-16" })]
    [InlineData("", new string[0])]
    public void ParseList_WellFormed_ReturnsMembers(string text, string[] expected)
    {
        var members = new List<string>();
        Assert.True(StructuredFieldStrings.TryParseList(text, members));
        Assert.Equal(expected, members);
    }

    [Theory]
    [InlineData("\"unterminated")]
    [InlineData("\"a\", ")]
    [InlineData("\"bad\\escape\"")]
    [InlineData("1abc")]
    [InlineData("\"a\" \"b\"")]
    public void ParseList_Malformed_ReturnsFalse(string text) =>
        Assert.False(StructuredFieldStrings.TryParseList(text, []));

    [Fact]
    public void QuoteThenParse_RoundTrips()
    {
        var values = new[] { "moq-00", "we\"ird\\", "moqt-16" };
        var members = new List<string>();
        Assert.True(StructuredFieldStrings.TryParseList(StructuredFieldStrings.QuoteList(values), members));
        Assert.Equal(values, members);
        Assert.True(StructuredFieldStrings.TryParseItem(StructuredFieldStrings.Quote("moq-00"), out var one));
        Assert.Equal("moq-00", one);
    }

    [Fact]
    public void ErrorCodeMapping_RoundTripsAndSkipsGreaseCodepoints()
    {
        foreach (var code in new long[] { 0, 1, 0x1d, 0x1e, 0x1f, 0x3c, 0x10, 0xffff, uint.MaxValue })
        {
            var wire = Http3ErrorCode.ToWire(code);
            // RFC 9114 §8.1: 0x1f * N + 0x21 are reserved (GREASE) codes and must never carry a real one.
            Assert.NotEqual(0, (wire - 0x21) % 0x1f);
            Assert.Equal(code, Http3ErrorCode.FromWire(wire));
        }
    }

    [Fact]
    public async Task Fuzz_FrameReaderAndListParser_RandomInput_OnlyProtocolErrors()
    {
        var random = new Random(4242);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(0, 48)];
            random.NextBytes(bytes);
            var pipe = new Pipe();
            await pipe.Writer.WriteAsync(bytes, TestContext.Current.CancellationToken);
            await pipe.Writer.CompleteAsync();
            try
            {
                while (await Http3StreamReader.ReadFrameAsync(pipe.Reader, t => t <= 4, 16, TestContext.Current.CancellationToken) is not null)
                {
                }
            }
            catch (MoqtTransportProtocolException)
            {
                // Expected: truncated frames and lengths past the limit.
            }

            var text = new string(bytes.Select(b => (char)(b % 3 == 0 ? '"' : b % 5 == 0 ? ',' : (char)(0x20 + (b % 0x60)))).ToArray());
            StructuredFieldStrings.TryParseList(text, []);
            StructuredFieldStrings.TryParseItem(text, out _);
        }
    }
}
