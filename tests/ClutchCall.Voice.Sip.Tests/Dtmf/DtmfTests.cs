using ClutchCall.Voice.Sip.Dtmf;
using ClutchCall.Voice.Sip.Rtp;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Sip.Tests.Dtmf;

public sealed class DtmfTests
{
    private const string SippMedia = "/usr/share/sip-tester";

    private static readonly (string File, char Digit)[] SippFiles =
        [.. Enumerable.Range(0, 10).Select(i => ($"dtmf_2833_{i}.pcap", (char)('0' + i))), ("dtmf_2833_star.pcap", '*'), ("dtmf_2833_pound.pcap", '#')];

    private static void Feed(DtmfReceiver receiver, byte[] rtp)
    {
        Assert.True(RtpPacket.TryRead(rtp, out var h, out var payload));
        receiver.OnPacket(h.Ssrc, h.Timestamp, payload);
    }

    [Fact]
    public void SippPcaps_EachFileYieldsItsDigitOnce()
    {
        if (!Directory.Exists(SippMedia))
        {
            Assert.Skip("SKIPPED: sip-tester sample pcaps not installed (apt-get install sip-tester)");
        }

        var receiver = new DtmfReceiver(new FakeTimeProvider());
        var digits = new List<char>();
        var ends = 0;
        receiver.Digit += digits.Add;
        receiver.EventEnded += (_, byEndBit) => ends += byEndBit ? 1 : 0;
        var packets = 0;
        foreach (var (file, _) in SippFiles)
        {
            foreach (var rtp in PcapReader.ReadUdpPayloads(Path.Combine(SippMedia, file)))
            {
                packets++;
                Feed(receiver, rtp);
            }
        }

        Assert.Equal(SippFiles.Select(f => f.Digit), digits);
        Assert.Equal(12, ends);
        Assert.True(packets >= 12 * 10, $"only {packets} packets read");
    }

    [Fact]
    public void SippPcap_MissingEndPackets_DigitOnceThenTimeoutEndsIt()
    {
        if (!Directory.Exists(SippMedia))
        {
            Assert.Skip("SKIPPED: sip-tester sample pcaps not installed");
        }

        var time = new FakeTimeProvider();
        var receiver = new DtmfReceiver(time, TimeSpan.FromMilliseconds(300));
        var digits = new List<char>();
        var timedOut = 0;
        receiver.Digit += digits.Add;
        receiver.EventEnded += (_, byEndBit) => timedOut += byEndBit ? 0 : 1;
        foreach (var rtp in PcapReader.ReadUdpPayloads(Path.Combine(SippMedia, "dtmf_2833_7.pcap")))
        {
            Assert.True(TelephoneEvent.TryRead(rtp.AsSpan(12), out var ev));
            if (!ev.End)
            {
                Feed(receiver, rtp);
                time.Advance(TimeSpan.FromMilliseconds(20));
            }
        }

        receiver.Poll();
        Assert.Equal(0, timedOut);
        time.Advance(TimeSpan.FromMilliseconds(300));
        receiver.Poll();

        Assert.Equal(['7'], digits);
        Assert.Equal(1, timedOut);
    }

    [Fact]
    public void Sender_PacketsFeedReceiver_DigitsOnceEach_AndTripleEnd()
    {
        var packets = DtmfSender.Build("123#", toneMs: 100);
        var receiver = new DtmfReceiver(new FakeTimeProvider());
        var digits = new List<char>();
        receiver.Digit += digits.Add;
        Span<byte> payload = stackalloc byte[4];
        foreach (var p in packets)
        {
            p.Event.Write(payload);
            receiver.OnPacket(0x1234, 1000 + p.TimestampOffset, payload);
        }

        Assert.Equal("123#", new string([.. digits]));
        Assert.Equal(4 * 3, packets.Count(p => p.Event.End));
        Assert.Equal(4, packets.Count(p => p.Marker));
        Assert.All(packets.Where(p => p.Event.End), p => Assert.Equal(800, p.Event.Duration));
    }

    [Fact]
    public void Receiver_SameTimestampNewSsrc_IsANewDigit()
    {
        var receiver = new DtmfReceiver(new FakeTimeProvider());
        var digits = new List<char>();
        receiver.Digit += digits.Add;
        byte[] five = [5, 0x80, 0, 160];

        receiver.OnPacket(1, 100, five);
        receiver.OnPacket(1, 100, five);
        receiver.OnPacket(2, 100, five);

        Assert.Equal(['5', '5'], digits);
    }

    [Fact]
    public void Payload_Fuzz_NeverThrows()
    {
        var receiver = new DtmfReceiver(new FakeTimeProvider());
        var rng = new Random(4733);
        var buf = new byte[8];
        for (var i = 0; i < 20_000; i++)
        {
            rng.NextBytes(buf);
            receiver.OnPacket((uint)rng.Next(3), (uint)rng.Next(50), buf.AsSpan(0, rng.Next(9)));
        }

        Assert.True(receiver.Malformed > 0 && receiver.DigitsReported > 0);
    }

    [Theory]
    [InlineData("Signal=5\r\nDuration=160\r\n", '5', 160)]
    [InlineData("Signal= #\nDuration= 250", '#', 250)]
    [InlineData("signal=11\r\n", '#', 0)]
    public void DtmfRelay_Parse(string body, char digit, int duration)
    {
        Assert.True(DtmfRelayBody.TryParse(body, out var d, out var ms));
        Assert.Equal((digit, duration), (d, ms));
    }

    [Fact]
    public void DtmfRelay_BadSignal_Rejected() => Assert.False(DtmfRelayBody.TryParse("Signal=X\r\n", out _, out _));
}
