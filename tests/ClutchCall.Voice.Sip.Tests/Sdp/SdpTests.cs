using ClutchCall.Voice.Sip.Sdp;

namespace ClutchCall.Voice.Sip.Tests.Sdp;

public sealed class SdpTests
{
    // An offer shaped like a carrier's: G.711 both laws, Opus, telephone-event, video we do not take.
    private const string CarrierOffer =
        "v=0\r\no=carrier 1234 5678 IN IP4 203.0.113.9\r\ns=-\r\nc=IN IP4 203.0.113.9\r\nt=0 0\r\n" +
        "m=audio 30000 RTP/AVP 8 0 96 101\r\na=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1; stereo=1\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=maxptime:40\r\na=rtcp:30001\r\na=sendrecv\r\n" +
        "m=video 30002 RTP/AVP 31\r\n";

    private static SdpMediaOptions Local(params SdpCodec[] codecs) => new() { Address = "198.51.100.7", Port = 40000, Codecs = codecs };

    [Fact]
    public void Parse_CarrierOffer_ReadsMediaAttributes()
    {
        Assert.True(SdpParser.TryParse(CarrierOffer, out var s, out var e), e);

        var audio = s!.Media[0];
        Assert.Equal([8, 0, 96, 101], audio.PayloadTypes);
        Assert.Equal(new SdpRtpMap(96, "opus", 48000, 2), audio.GetRtpMap(96));
        Assert.Equal(new SdpRtpMap(0, "PCMU", 8000, 1), audio.GetRtpMap(0));
        Assert.Equal("useinbandfec=1; stereo=1", audio.GetFmtp(96));
        Assert.Equal((20, 40, 30001), (audio.Ptime, audio.MaxPtime, audio.RtcpPort));
        Assert.Equal(SdpDirection.SendRecv, audio.Direction);
        Assert.Equal("203.0.113.9", s.AddressOf(audio));
    }

    [Fact]
    public void Answer_PicksByLocalPreference_OnOffererPayloadType()
    {
        SdpParser.TryParse(CarrierOffer, out var offer, out _);

        var answer = SdpOfferAnswer.CreateAnswer(offer!, Local(SdpCodec.Opus, SdpCodec.Pcmu), out var n);

        Assert.Equal("opus", n!.Codec.Encoding);
        Assert.Equal(96, n.Codec.PayloadType);
        Assert.Equal(101, n.TelephoneEventPayloadType);
        Assert.Equal(("203.0.113.9", 30000), (n.RemoteAddress, n.RemotePort));
        Assert.Equal(["96", "101"], answer.Media[0].Formats);
        Assert.Equal(0, answer.Media[1].Port);
        // The answer is valid SDP that parses back.
        Assert.True(SdpParser.TryParse(answer.ToString(), out var reparsed, out _));
        Assert.Equal(40000, reparsed!.Media[0].Port);
    }

    [Fact]
    public void Answer_G711Preference_PicksPcmuEvenIfOfferedSecond()
    {
        SdpParser.TryParse(CarrierOffer, out var offer, out _);

        SdpOfferAnswer.CreateAnswer(offer!, Local(SdpCodec.Pcmu, SdpCodec.Pcma), out var n);

        Assert.Equal(("PCMU", 0), (n!.Codec.Encoding, n.Codec.PayloadType));
    }

    [Fact]
    public void Answer_NoCommonCodec_RejectsWithPortZero()
    {
        const string g729 = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 18\r\n";
        SdpParser.TryParse(g729, out var offer, out _);

        var answer = SdpOfferAnswer.CreateAnswer(offer!, Local(SdpCodec.Pcmu), out var n);

        Assert.Null(n);
        Assert.Equal(0, answer.Media[0].Port);
        Assert.Equal(["18"], answer.Media[0].Formats);
    }

    [Theory]
    [InlineData("sendonly", "RecvOnly", true)]
    [InlineData("recvonly", "SendOnly", false)]
    [InlineData("inactive", "Inactive", true)]
    [InlineData("sendrecv", "SendRecv", false)]
    public void Answer_Direction_MirrorsOfferAndDetectsHold(string offered, string expectedName, bool hold)
    {
        var expected = Enum.Parse<SdpDirection>(expectedName);
        SdpParser.TryParse(CarrierOffer.Replace("a=sendrecv", "a=" + offered, StringComparison.Ordinal), out var offer, out _);

        var answer = SdpOfferAnswer.CreateAnswer(offer!, Local(SdpCodec.Pcma), out var n);

        Assert.Equal(expected, n!.LocalDirection);
        Assert.Equal(expected, answer.Media[0].Direction);
        Assert.Equal(hold, n.RemoteHold);
    }

    [Fact]
    public void Hold_Rfc2543ZeroAddress_Detected()
    {
        SdpParser.TryParse(CarrierOffer.Replace("c=IN IP4 203.0.113.9", "c=IN IP4 0.0.0.0", StringComparison.Ordinal), out var offer, out _);
        Assert.True(offer!.IsHold(offer.Media[0]));
    }

    [Fact]
    public void Offer_ThenAnswerFromPeer_ReadsCodec()
    {
        var offer = SdpOfferAnswer.CreateOffer(Local(SdpCodec.Opus, SdpCodec.Pcmu, SdpCodec.Pcma));
        Assert.Contains("a=rtpmap:111 opus/48000/2", offer.ToString(), StringComparison.Ordinal);
        Assert.Contains("a=fmtp:101 0-16", offer.ToString(), StringComparison.Ordinal);
        SdpParser.TryParse(offer.ToString(), out var reparsed, out _);

        var peerAnswer = SdpOfferAnswer.CreateAnswer(reparsed!, new SdpMediaOptions { Address = "192.0.2.5", Port = 6000, Codecs = [SdpCodec.Pcma] }, out _);
        Assert.True(SdpOfferAnswer.TryReadAnswer(peerAnswer, Local(SdpCodec.Opus, SdpCodec.Pcmu, SdpCodec.Pcma), out var n));

        Assert.Equal(("PCMA", 8, 101), (n!.Codec.Encoding, n.Codec.PayloadType, n.TelephoneEventPayloadType));
    }

    [Fact]
    public void Parser_Fuzz_NeverThrows()
    {
        var rng = new Random(4566);
        var seed = CarrierOffer.ToCharArray();
        var ok = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var chars = (char[])seed.Clone();
            for (var k = rng.Next(1, 6); k > 0; k--)
            {
                chars[rng.Next(chars.Length)] = "= :/\r\n0a9m-"[rng.Next(11)];
            }

            var text = new string(chars, 0, rng.Next(chars.Length));
            if (SdpParser.TryParse(text, out var s, out _))
            {
                ok++;
                SdpOfferAnswer.CreateAnswer(s!, Local(SdpCodec.Pcmu), out _);
            }
        }

        Assert.InRange(ok, 1, 19_999);
    }
}
