using System.Buffers;
using System.Text;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.WebTransport;

namespace ClutchCall.Voice.Moqt.Tests.Transport;

public sealed class WebTransportCodecTests
{
    // RFC 7541 Appendix C.4 and C.6 Huffman-coded literals.
    [Theory]
    [InlineData("www.example.com", "f1e3c2e5f23a6ba0ab90f4ff")]
    [InlineData("no-cache", "a8eb10649cbf")]
    [InlineData("custom-key", "25a849e95ba97d7f")]
    [InlineData("custom-value", "25a849e95bb8e8b4bf")]
    [InlineData("302", "6402")]
    [InlineData("private", "aec3771a4b")]
    [InlineData("Mon, 21 Oct 2013 20:13:21 GMT", "d07abe941054d444a8200595040b8166e082a62d1bff")]
    [InlineData("https://www.example.com", "9d29ad171863c78f0b97c8e9ae82ae43d3")]
    public void Huffman_Rfc7541AppendixC_EncodesAndDecodes(string text, string hex)
    {
        var expected = Convert.FromHexString(hex);
        var encoded = new byte[HuffmanCodec.GetEncodedLength(Encoding.ASCII.GetBytes(text))];
        Assert.Equal(expected.Length, HuffmanCodec.Encode(Encoding.ASCII.GetBytes(text), encoded));
        Assert.Equal(expected, encoded);
        var decoded = new byte[64];
        Assert.True(HuffmanCodec.TryDecode(expected, decoded, out var written));
        Assert.Equal(text, Encoding.ASCII.GetString(decoded, 0, written));
    }

    [Fact]
    public void Huffman_TableMatchesAppendixBSpotChecks()
    {
        Assert.Equal((0x1ff8u, 13), HuffmanCodec.GetCode(0));
        Assert.Equal((0x18u, 6), HuffmanCodec.GetCode('/'));
        Assert.Equal((0x7fff0u, 19), HuffmanCodec.GetCode('\\'));
        Assert.Equal((0xfffe6u, 20), HuffmanCodec.GetCode(128));
        Assert.Equal((0x3ffffeeu, 26), HuffmanCodec.GetCode(255));
        Assert.Equal((0x3fffffffu, 30), HuffmanCodec.GetCode(256));
    }

    [Fact]
    public void Huffman_AllBytes_RoundTrip()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var encoded = new byte[HuffmanCodec.GetEncodedLength(all)];
        HuffmanCodec.Encode(all, encoded);
        var decoded = new byte[256];
        Assert.True(HuffmanCodec.TryDecode(encoded, decoded, out var written));
        Assert.Equal(all, decoded[..written]);
    }

    [Fact]
    public void Huffman_BadPadding_IsRejected()
    {
        // '0' is 00000; padding with zeros instead of the EOS prefix is an error (RFC 7541 §5.2).
        Assert.False(HuffmanCodec.TryDecode([0x00], new byte[8], out _));

        // A full byte of padding (8 ones after a complete symbol) is too long.
        Assert.False(HuffmanCodec.TryDecode([0x07, 0xFF], new byte[8], out _));

        // The EOS code itself inside the string is an error.
        Assert.False(HuffmanCodec.TryDecode([0xFF, 0xFF, 0xFF, 0xFF], new byte[8], out _));
    }

    [Fact]
    public void Qpack_ChromiumStyleConnect_DecodesAllFieldKinds()
    {
        // A CONNECT block as Chromium sends it: indexed static (:scheme https, :method CONNECT), literals with static
        // name refs and Huffman values (:authority, :path, origin), literal Huffman names (:protocol, the draft header).
        var block = new ArrayBufferWriter<byte>();
        QpackHeaderCodec.WritePrefix(block);
        QpackHeaderCodec.WriteIndexedStatic(block, 23);
        QpackHeaderCodec.WriteIndexedStatic(block, 15);
        WriteHuffmanLiteralWithStaticName(block, 0, "127.0.0.1:4443");
        WriteHuffmanLiteralWithStaticName(block, 1, "/moq?jwt=abc");
        WriteHuffmanLiteral(block, ":protocol", "webtransport");
        QpackHeaderCodec.WriteLiteral(block, "sec-webtransport-http3-draft02", "1");
        WriteHuffmanLiteralWithStaticName(block, 90, "http://127.0.0.1:8080");
        QpackHeaderCodec.WriteLiteral(block, "wt-available-protocols", "\"moqt-15\", \"moq-00\"");

        var fields = new List<QpackField>();
        Assert.Equal(QpackStatus.Success, QpackHeaderCodec.TryDecode(block.WrittenSpan, fields));
        Assert.Equal(
            [
                new(":scheme", "https"), new(":method", "CONNECT"), new(":authority", "127.0.0.1:4443"), new(":path", "/moq?jwt=abc"),
                new(":protocol", "webtransport"), new("sec-webtransport-http3-draft02", "1"), new("origin", "http://127.0.0.1:8080"),
                new("wt-available-protocols", "\"moqt-15\", \"moq-00\""),
            ],
            fields);
    }

    [Fact]
    public void Qpack_ResponseStatus200_IsOneIndexedByte()
    {
        var block = new ArrayBufferWriter<byte>();
        QpackHeaderCodec.WritePrefix(block);
        QpackHeaderCodec.WriteIndexedStatic(block, 25);
        Assert.Equal(new byte[] { 0x00, 0x00, 0xD9 }, block.WrittenSpan.ToArray());
    }

    [Fact]
    public void Qpack_DynamicReferences_AreRefused()
    {
        var fields = new List<QpackField>();
        Assert.Equal(QpackStatus.DynamicReference, QpackHeaderCodec.TryDecode([0x02, 0x00, 0xC1], fields));
        Assert.Equal(QpackStatus.DynamicReference, QpackHeaderCodec.TryDecode([0x00, 0x00, 0x81], fields));
        Assert.Equal(QpackStatus.DynamicReference, QpackHeaderCodec.TryDecode([0x00, 0x00, 0x10], fields));
        Assert.Equal(QpackStatus.Invalid, QpackHeaderCodec.TryDecode([0x00, 0x00, 0xFF, 0x30], fields));
    }

    [Fact]
    public void Qpack_PrefixedInteger_Rfc7541C1Examples()
    {
        var position = 0;
        Assert.True(QpackHeaderCodec.TryReadInteger([0x0A], ref position, 5, out var ten));
        Assert.Equal(10UL, ten);
        position = 0;
        Assert.True(QpackHeaderCodec.TryReadInteger([0x1F, 0x9A, 0x0A], ref position, 5, out var big));
        Assert.Equal(1337UL, big);
        var writer = new ArrayBufferWriter<byte>();
        QpackHeaderCodec.WriteInteger(writer, 0, 5, 1337);
        Assert.Equal(new byte[] { 0x1F, 0x9A, 0x0A }, writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Http3_SettingsFrame_RoundTripsAndRejectsDuplicates()
    {
        var writer = new ArrayBufferWriter<byte>();
        Http3FrameCodec.WriteSettings(writer, [(Http3Settings.EnableConnectProtocol, 1), (Http3Settings.EnableWebTransportDraft02, 1), (0x1f * 3 + 0x21, 7)]);
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.True(Http3FrameCodec.TryRead(ref buffer, 1024, out var frame));
        Assert.True(buffer.IsEmpty);
        Assert.Equal((ulong)Http3FrameType.Settings, frame.Type);
        var settings = new Dictionary<ulong, ulong>();
        Assert.True(Http3FrameCodec.TryParseSettings(frame.Payload, settings));
        Assert.Equal(1UL, settings[Http3Settings.EnableWebTransportDraft02]);
        Assert.False(Http3FrameCodec.TryParseSettings(new ReadOnlySequence<byte>([0x08, 0x01, 0x08, 0x01]), new Dictionary<ulong, ulong>()));
    }

    [Fact]
    public void Http3_PartialFrame_ReturnsFalse_OversizedThrows()
    {
        var partial = new ReadOnlySequence<byte>([0x01, 0x05, 0x00]);
        Assert.False(Http3FrameCodec.TryRead(ref partial, 1024, out _));
        Assert.Equal(3, partial.Length);
        var huge = new ReadOnlySequence<byte>([0x00, 0x80, 0x10, 0x00, 0x00]);
        var error = Assert.Throws<MoqtTransportProtocolException>(() => Http3FrameCodec.TryRead(ref huge, 1024, out _));
        Assert.Equal(Http3ErrorCode.ExcessiveLoad, error.ErrorCode);
    }

    [Fact]
    public void CloseCapsule_InDataFrame_RoundTrips()
    {
        var writer = new ArrayBufferWriter<byte>();
        WebTransportCapsules.WriteCloseInDataFrame(writer, 0x1234, "done");
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.True(Http3FrameCodec.TryRead(ref buffer, 4096, out var frame));
        Assert.Equal((ulong)Http3FrameType.Data, frame.Type);
        var capsules = frame.Payload;
        Assert.True(WebTransportCapsules.TryRead(ref capsules, 4096, out var type, out var value));
        Assert.Equal(WebTransportCapsules.CloseSession, type);
        Assert.True(WebTransportCapsules.TryParseClose(value, out var code, out var reason));
        Assert.Equal((0x1234u, "done"), (code, reason));
    }

    [Fact]
    public void ErrorCodeMapping_RoundTripsAndSkipsGrease()
    {
        Assert.Equal(0x52e4a40fa8dbL, Http3ErrorCode.ToWire(0));
        for (long code = 0; code < 5000; code++)
        {
            var wire = Http3ErrorCode.ToWire(code);
            Assert.NotEqual(0x1e, (wire - 0x52e4a40fa8db) % 0x1f);
            Assert.Equal(code, Http3ErrorCode.FromWire(wire));
        }

        Assert.Equal(0, Http3ErrorCode.FromWire(0x100));
    }

    [Fact]
    public void Fuzz_QpackHuffmanHttp3Capsules_NeverThrowUnexpectedly()
    {
        var random = new Random(7541);
        var seedBlock = new ArrayBufferWriter<byte>();
        QpackHeaderCodec.WritePrefix(seedBlock);
        QpackHeaderCodec.WriteIndexedStatic(seedBlock, 15);
        WriteHuffmanLiteralWithStaticName(seedBlock, 1, "/moq");
        WriteHuffmanLiteral(seedBlock, ":protocol", "webtransport");
        var seed = seedBlock.WrittenSpan.ToArray();
        var decoded = 0;
        for (var i = 0; i < 30_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 48)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])seed.Clone();
                for (var m = random.Next(1, 4); m > 0; m--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }

            var fields = new List<QpackField>();
            if (QpackHeaderCodec.TryDecode(input, fields) == QpackStatus.Success)
            {
                decoded++;
            }

            HuffmanCodec.TryDecode(input, new byte[input.Length * 2], out _);

            var sequence = new ReadOnlySequence<byte>(input);
            try
            {
                while (Http3FrameCodec.TryRead(ref sequence, 64, out var frame))
                {
                    Http3FrameCodec.TryParseSettings(frame.Payload, new Dictionary<ulong, ulong>());
                    var payload = frame.Payload;
                    while (WebTransportCapsules.TryRead(ref payload, 64, out _, out var value))
                    {
                        WebTransportCapsules.TryParseClose(value, out _, out _);
                    }
                }
            }
            catch (MoqtTransportProtocolException)
            {
                // The only exception allowed: a length past the limit.
            }
        }

        Assert.True(decoded > 100, $"only {decoded} QPACK blocks decoded: mutations are not reaching the decoder");
    }

    private static void WriteHuffmanLiteralWithStaticName(ArrayBufferWriter<byte> writer, int index, string value)
    {
        QpackHeaderCodec.WriteInteger(writer, 0x50, 4, (ulong)index);
        WriteHuffmanString(writer, 0x80, 7, value);
    }

    private static void WriteHuffmanLiteral(ArrayBufferWriter<byte> writer, string name, string value)
    {
        WriteHuffmanString(writer, 0x28, 3, name);
        WriteHuffmanString(writer, 0x80, 7, value);
    }

    private static void WriteHuffmanString(ArrayBufferWriter<byte> writer, byte flags, int prefix, string text)
    {
        var raw = Encoding.ASCII.GetBytes(text);
        var encoded = new byte[HuffmanCodec.GetEncodedLength(raw)];
        HuffmanCodec.Encode(raw, encoded);
        QpackHeaderCodec.WriteInteger(writer, flags, prefix, (ulong)encoded.Length);
        writer.Write(encoded);
    }
}
