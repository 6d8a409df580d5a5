using System.Buffers;
using System.Text;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Tests.Parsing;

public sealed class SipMessageParserTests
{
    private const string Invite =
        "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@biloxi.example.com>\r\n" +
        "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Contact: <sip:alice@pc33.atlanta.example.com>\r\n" +
        "Content-Type: application/sdp\r\n" +
        "Content-Length: 4\r\n\r\n" +
        "v=0\n";

    [Fact]
    public void Parse_Invite_ReadsTypedHeaders()
    {
        Assert.True(SipMessageParser.TryParse(Encoding.UTF8.GetBytes(Invite), out var m, out _));

        Assert.Equal("INVITE", m!.Method);
        Assert.Equal("bob", m.RequestUri!.User);
        Assert.True(m.TopVia!.HasRPort);
        Assert.Null(m.TopVia.RPort);
        Assert.True(m.TopVia.HasRfc3261Branch);
        Assert.Equal("Alice", m.From!.DisplayName);
        Assert.Equal(70, m.MaxForwards);
        Assert.Equal("v=0\n", m.BodyText);
    }

    [Fact]
    public void Serialize_ParsedMessage_RoundTripsByteForByte()
    {
        var bytes = Encoding.UTF8.GetBytes(Invite);
        Assert.True(SipMessageParser.TryParse(bytes, out var m, out _));
        var w = new ArrayBufferWriter<byte>();

        SipMessageWriter.Write(m!, w);

        Assert.Equal(Invite, Encoding.UTF8.GetString(w.WrittenSpan));
    }

    [Fact]
    public void Parse_ContactStarAndTelUri_Accepted()
    {
        var text = Invite.Replace("Contact: <sip:alice@pc33.atlanta.example.com>", "Contact: *", StringComparison.Ordinal)
            .Replace("To: Bob <sip:bob@biloxi.example.com>", "To: <tel:+1-201-555-0123;phone-context=example.com>", StringComparison.Ordinal);
        Assert.True(SipMessageParser.TryParse(Encoding.UTF8.GetBytes(text), out var m, out var e), e.ToString());

        Assert.True(m!.IsContactWildcard);
        Assert.True(m.To!.Uri.IsTel);
        Assert.Equal("+1-201-555-0123", m.To.Uri.User);
    }

    [Fact]
    public void Parse_OverMaxSize_RejectedBeforeCopy()
    {
        var big = new byte[70_000];
        Assert.False(SipMessageParser.TryParse(big, out var m, out var e));
        Assert.Null(m);
        Assert.Equal(SipParseErrorKind.TooLarge, e.Kind);
    }

    [Fact]
    public void Parse_TooManyHeaders_Rejected()
    {
        var sb = new StringBuilder("OPTIONS sip:a@b SIP/2.0\r\n");
        for (var i = 0; i < 300; i++)
        {
            sb.Append("X-H: 1\r\n");
        }

        Assert.False(SipMessageParser.TryParse(Encoding.UTF8.GetBytes(sb.Append("\r\n").ToString()), out _, out var e));
        Assert.Equal(SipParseErrorKind.TooManyHeaders, e.Kind);
    }

    [Fact]
    public void Parse_Truncated_Incomplete()
    {
        var bytes = Encoding.UTF8.GetBytes(Invite)[..100];
        Assert.False(SipMessageParser.TryParse(bytes, out _, out var e));
        Assert.Equal(SipParseErrorKind.Incomplete, e.Kind);
    }

    [Fact]
    public void StreamFramer_SplitsPipelinedMessagesAndWaitsForPartialOnes()
    {
        var one = Encoding.UTF8.GetBytes(Invite);
        var stream = new byte[] { 13, 10, 13, 10 }.Concat(one).Concat(one).Concat(one[..50]).ToArray();
        var seq = new ReadOnlySequence<byte>(stream);

        Assert.True(SipStreamFramer.TryRead(ref seq, SipParserOptions.Default, out var a, out var e1));
        Assert.True(SipStreamFramer.TryRead(ref seq, SipParserOptions.Default, out var b, out var e2));
        Assert.False(SipStreamFramer.TryRead(ref seq, SipParserOptions.Default, out _, out var e3));

        Assert.False(e1.IsError || e2.IsError || e3.IsError);
        Assert.Equal("v=0\n", a!.BodyText);
        Assert.Equal("v=0\n", b!.BodyText);
        Assert.Equal(50, seq.Length);
    }

    [Fact]
    public void StreamFramer_OversizedContentLength_ErrorsBeforeBuffering()
    {
        var text = Invite.Replace("Content-Length: 4", "Content-Length: 900000", StringComparison.Ordinal);
        var seq = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(text));

        Assert.False(SipStreamFramer.TryRead(ref seq, SipParserOptions.Default, out _, out var e));
        Assert.Equal(SipParseErrorKind.TooLarge, e.Kind);
    }

    [Fact]
    public void Builder_Request_ParsesBack()
    {
        var msg = SipMessageBuilder.Request("OPTIONS", "sip:carrier.example.com")
            .Add("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc;rport")
            .Add("From", "<sip:bridge@127.0.0.1>;tag=1").Add("To", "<sip:carrier.example.com>")
            .Add("Call-ID", "x@y").Add("CSeq", "1 OPTIONS").Add("Max-Forwards", "70").Build();

        Assert.Equal("OPTIONS", msg.Method);
        Assert.Equal(0, msg.ContentLength);
    }
}
