using System.Buffers;
using ClutchCall.Voice.Moqt.Wire;
using static ClutchCall.Voice.Moqt.Tests.Wire.WireTestHelpers;

namespace ClutchCall.Voice.Moqt.Tests.Wire;

public sealed class ControlMessageRoundTripTests
{
    public static TheoryData<ulong> AllTypes => new(Enum.GetValues<MoqtMessageType>().Select(t => (ulong)t));

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void RandomMessage_EncodeThenDecode_KeepsEveryField(ulong wireType)
    {
        var type = (MoqtMessageType)wireType;
        var rng = new Random(1000 + (int)type);
        for (var i = 0; i < 200; i++)
        {
            var message = RandomMessages.Create(rng, type);
            var frame = MoqtControlMessageWriter.Draft14.ToArray(message);

            Assert.True(MoqtControlMessageReader.Draft14.TryRead(frame, out var decoded, out var consumed));
            Assert.Equal(frame.Length, consumed);
            Assert.Equal(Describe(message), Describe(decoded));
            Assert.Equal(ToHex(frame), ToHex(MoqtControlMessageWriter.Draft14.ToArray(decoded)));

            // Every split point: a prefix is partial input, the whole frame reads in any segmentation.
            var cut = rng.Next(frame.Length);
            Assert.False(MoqtControlMessageReader.Draft14.TryRead(frame.AsSpan(0, cut), out _, out _));
            var seq = Segmented(frame, rng.Next(1, 8));
            Assert.True(MoqtControlMessageReader.Draft14.TryRead(ref seq, out var fromSeq));
            Assert.True(seq.IsEmpty);
            Assert.Equal(Describe(message), Describe(fromSeq));
        }
    }

    [Fact]
    public void Reader_SeveralFramesInOneBuffer_ReadsEachInOrder()
    {
        var rng = new Random(7);
        var writer = new ArrayBufferWriter<byte>();
        var sent = Enum.GetValues<MoqtMessageType>().Select(t => RandomMessages.Create(rng, t)).ToList();
        foreach (var m in sent)
        {
            MoqtControlMessageWriter.Draft14.Write(writer, m);
        }

        var buffer = Segmented(writer.WrittenSpan.ToArray(), 5);
        var received = new List<string>();
        while (MoqtControlMessageReader.Draft14.TryRead(ref buffer, out var m))
        {
            received.Add(Describe(m));
        }

        Assert.True(buffer.IsEmpty);
        Assert.Equal(sent.Select(m => Describe(m)), received);
    }

    [Fact]
    public void NamespaceOk_WithoutParameters_WritesDraftLayout()
    {
        var frame = MoqtControlMessageWriter.Draft14.ToArray(new Moqt.Wire.Messages.PublishNamespaceOkMessage { RequestId = 1 });

        // draft-14 §9.24: Type 0x07, Length 1, Request ID 1.
        Assert.Equal("07000101", ToHex(frame));
    }

    [Fact]
    public void Parameters_TypedAccessors_ReadKnownKeys()
    {
        var token = MoqtAuthorizationToken.UseValue(1, "jwt"u8.ToArray());
        var p = MoqtParameters.ForMessage(deliveryTimeoutMs: 200, maxCacheDurationMs: 1000, token);

        Assert.Equal(200UL, p.DeliveryTimeoutMs);
        Assert.Equal(1000UL, p.MaxCacheDurationMs);
        Assert.Equal(token, Assert.Single(p.GetAuthorizationTokens()));
    }
}
