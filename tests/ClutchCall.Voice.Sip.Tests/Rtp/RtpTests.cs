using ClutchCall.Voice.Sip.Rtp;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Sip.Tests.Rtp;

public sealed class RtpTests
{
    [Fact]
    public void WriteThenRead_RoundTripsFields()
    {
        Span<byte> buf = stackalloc byte[200];
        var payload = new byte[160];
        payload[0] = 0x55;

        var n = RtpPacket.Write(buf, marker: true, 8, 65535, 0xDEADBEEF, 0x12345678, payload);

        Assert.True(RtpPacket.TryRead(buf[..n], out var h, out var p));
        Assert.Equal((true, (byte)8, (ushort)65535, 0xDEADBEEFu, 0x12345678u), (h.Marker, h.PayloadType, h.SequenceNumber, h.Timestamp, h.Ssrc));
        Assert.Equal(160, p.Length);
        Assert.Equal(0x55, p[0]);
    }

    [Fact]
    public void Read_CsrcExtensionAndPadding_SlicesPayload()
    {
        // V=2 P=1 X=1 CC=2, PT 0, then 2 CSRCs, a 1-word extension, 3 payload bytes, 2 padding bytes.
        byte[] pkt = [0xB2, 0x00, 0, 1, 0, 0, 0, 160, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0xBE, 0xDE, 0, 1, 1, 2, 3, 4, 7, 8, 9, 0, 2];

        Assert.True(RtpPacket.TryRead(pkt, out var h, out var payload));
        Assert.Equal(2, h.CsrcCount);
        Assert.Equal(2u, RtpPacket.ReadCsrc(pkt, 1));
        Assert.Equal(0xBEDE, h.ExtensionProfile);
        Assert.Equal([7, 8, 9], payload.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0, 0 })]
    [InlineData(new byte[] { 0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 })]
    [InlineData(new byte[] { 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 })]
    [InlineData(new byte[] { 0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9, 20 })]
    [InlineData(new byte[] { 0x80, 0xC8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 })]
    public void Read_Malformed_ReturnsFalse(byte[] packet) => Assert.False(RtpPacket.TryRead(packet, out _, out _));

    [Fact]
    public void Read_Fuzz_NeverThrows()
    {
        var rng = new Random(3550);
        var buf = new byte[300];
        var valid = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var len = rng.Next(buf.Length);
            rng.NextBytes(buf.AsSpan(0, len));
            buf[0] = (byte)((buf[0] & 0x3F) | (rng.Next(4) == 0 ? 0 : 0x80));
            if (RtpPacket.TryRead(buf.AsSpan(0, len), out var h, out var p))
            {
                valid++;
                Assert.True(h.HeaderLength + p.Length + h.PaddingLength == len);
            }

            _ = Rtcp.TryRead(buf.AsSpan(0, len), out _);
        }

        Assert.InRange(valid, 1, 99_999);
    }

    [Fact]
    public void Sequence_WrapAround_ExtendsAndCountsNoLoss()
    {
        var s = new RtpSourceStatistics(1, 65530);
        for (var i = 0; i < 20; i++)
        {
            s.UpdateSequence((ushort)(65530 + i));
        }

        Assert.Equal(65536u + 13, s.ExtendedHighestSequence);
        Assert.Equal(0, s.CumulativeLost);
    }

    [Fact]
    public void Sequence_Gap_CountsLossAndFraction()
    {
        var s = new RtpSourceStatistics(1, 100);
        for (ushort seq = 100; seq < 200; seq++)
        {
            if (seq % 10 != 5)
            {
                s.UpdateSequence(seq);
            }
        }

        // Probation consumes the first packet pair as in RFC 3550 §A.1 (base is the second packet).
        Assert.Equal(10, s.CumulativeLost);
        Assert.Equal((byte)(10 * 256 / s.Expected), s.TakeFractionLost());
        Assert.Equal(0, s.TakeFractionLost());
    }

    [Fact]
    public void Sequence_SourceRestart_ResyncsAfterTwoPackets()
    {
        var s = new RtpSourceStatistics(1, 10);
        for (ushort seq = 10; seq < 20; seq++)
        {
            s.UpdateSequence(seq);
        }

        Assert.False(s.UpdateSequence(40000));
        Assert.True(s.UpdateSequence(40001));
        Assert.Equal(40001u, s.ExtendedHighestSequence);
    }

    [Fact]
    public void Jitter_ConstantSpacing_IsZero_AndVariableSpacing_Grows()
    {
        var s = new RtpSourceStatistics(1, 0);
        for (var i = 0; i < 50; i++)
        {
            s.UpdateJitter((uint)(i * 160), 1000 + (i * 160));
        }

        Assert.Equal(0u, s.Jitter);
        for (var i = 50; i < 100; i++)
        {
            s.UpdateJitter((uint)(i * 160), 1000 + (i * 160) + (i % 2 == 0 ? 40 : 0));
        }

        // |D| alternates at 40; J converges towards 40 (RFC 3550 §A.8).
        Assert.InRange(s.Jitter, 30u, 40u);
    }

    [Fact]
    public void Rtcp_CompoundSrSdesBye_RoundTrips()
    {
        var buf = new byte[512];
        var block = new RtcpReportBlock(0xAABBCCDD, 25, -3, 70000, 12, 0x11112222, 6553);
        var n = Rtcp.WriteReport(buf, 0x01020304, new RtcpSenderInfo(0x0102030405060708, 160, 10, 1600), [block]);
        n += Rtcp.WriteSdesCname(buf.AsSpan(n), 0x01020304, "bridge@clutchcall");
        n += Rtcp.WriteBye(buf.AsSpan(n), 0x01020304);

        Assert.True(Rtcp.TryRead(buf.AsSpan(0, n), out var c));
        Assert.Equal(0x01020304u, c!.SenderSsrc);
        Assert.Equal(1600u, c.SenderInfo!.Value.OctetCount);
        Assert.Equal(block, c.Reports.Single());
        Assert.Equal("bridge@clutchcall", c.CNames[0x01020304]);
        Assert.Equal([0x01020304u], c.Byes);
    }

    [Fact]
    public void Rtcp_FirstPacketNotReport_Invalid()
    {
        var buf = new byte[64];
        var n = Rtcp.WriteBye(buf, 5);
        Assert.False(Rtcp.TryRead(buf.AsSpan(0, n), out _));
    }

    [Fact]
    public void ReceiverReport_CarriesLsrAndDlsr()
    {
        var time = new FakeTimeProvider();
        var gen = new RtcpReceiverReportGenerator(time);
        var stats = new RtpSourceStatistics(77, 1);
        for (ushort s = 1; s < 60; s++)
        {
            stats.UpdateSequence(s);
        }

        gen.OnSenderReport(new RtcpSenderInfo(0x0000_1234_5678_0000, 0, 0, 0));
        time.Advance(TimeSpan.FromSeconds(0.5));
        var block = gen.CreateBlock(stats);

        Assert.Equal(0x12345678u, block.LastSenderReport);
        Assert.Equal(32768u, block.DelaySinceLastSenderReport);
        Assert.Equal(77u, block.Ssrc);
        Assert.Equal(59u, block.ExtendedHighestSequence);
    }
}
