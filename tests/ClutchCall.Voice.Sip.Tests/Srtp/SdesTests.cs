using ClutchCall.Voice.Sip.Sdp;
using ClutchCall.Voice.Sip.Srtp;

namespace ClutchCall.Voice.Sip.Tests.Srtp;

/// <summary>SDES a=crypto (RFC 4568): parsing, offer/answer, and the agreed keys working end to end.</summary>
public sealed class SdesTests
{
    [Fact]
    public void TryParse_Rfc4568ExampleWithLifetime_ReadsKeyAndSalt()
    {
        Assert.True(SdesCryptoAttribute.TryParse("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20", out var c));
        Assert.Equal(1, c!.Tag);
        Assert.Equal(SrtpCryptoSuite.AesCm128HmacSha1_80, c.Suite);
        Assert.Equal(16, c.MasterKey.Length);
        Assert.Equal(14, c.MasterSalt.Length);
        Assert.Equal("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", c.ToString());
    }

    [Theory]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4")] // MKI
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR KDR=1")] // session param
    [InlineData("1 AES_256_CM_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")] // unsupported suite
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkp")] // short key
    [InlineData("x AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")]
    [InlineData("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^8")] // lifetime too short
    [InlineData("")]
    public void TryParse_UnsupportedOrBroken_ReturnsFalse(string value) => Assert.False(SdesCryptoAttribute.TryParse(value, out _));

    [Theory]
    [InlineData(true, "RTP/SAVP")]
    [InlineData(false, "RTP/AVP")]
    public void OfferAnswer_BothSides_AgreeOnCrossedKeysThatInteroperate(bool required, string profile)
    {
        var offer = new SdpMedia { Port = 4000 };
        offer.Formats.Add("0");
        var offered = SdesNegotiation.AddOffer(offer, required);
        Assert.Equal(profile, offer.Protocol);

        // The offer travels as text.
        var session = new SdpSession { ConnectionAddress = "127.0.0.1" };
        session.Media.Add(offer);
        Assert.True(SdpParser.TryParse(System.Text.Encoding.UTF8.GetBytes(session.ToString()), out var parsedOffer, out _));
        var answer = new SdpMedia { Port = 5000 };
        Assert.True(SdesNegotiation.TryAnswer(parsedOffer!.Media[0], answer, out var answererKeys));
        Assert.Equal(SrtpCryptoSuite.AesCm128HmacSha1_80, answererKeys!.Local.Suite);
        Assert.Equal(profile, answer.Protocol);
        Assert.True(SdesNegotiation.TryReadAnswer(answer, offered, out var offererKeys));

        using var offererSend = offererKeys!.Local.CreateContext();
        using var answererReceive = answererKeys.Remote.CreateContext();
        using var answererSend = answererKeys.Local.CreateContext();
        using var offererReceive = offererKeys.Remote.CreateContext();
        var p = SrtpTests.Rtp(1);
        Assert.True(offererSend.TryProtectRtp(p, p.Length - 10, out var n));
        Assert.Equal(SrtpResult.Ok, answererReceive.UnprotectRtp(p.AsSpan(0, n), out _));
        var q = SrtpTests.Rtp(1, ssrc: 99);
        Assert.True(answererSend.TryProtectRtp(q, q.Length - 10, out var m));
        Assert.Equal(SrtpResult.Ok, offererReceive.UnprotectRtp(q.AsSpan(0, m), out _));
    }

    [Fact]
    public void TryReadAnswer_UnknownTagOrNoCrypto_Refused()
    {
        var offered = SdesNegotiation.AddOffer(new SdpMedia(), required: true);
        var answer = new SdpMedia();
        Assert.False(SdesNegotiation.TryReadAnswer(answer, offered, out _));
        answer.Attributes.Add(new("crypto", SdesCryptoAttribute.Generate(7, SrtpCryptoSuite.AesCm128HmacSha1_80).ToString()));
        Assert.False(SdesNegotiation.TryReadAnswer(answer, offered, out _));
    }

    [Fact]
    public void TryParse_Fuzzed_NeverThrows()
    {
        var random = new Random(4568);
        const string Seed = "1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^31";
        const string Alphabet = " |:;^0123456789ABCDEFinline_AES/+=";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = Seed.ToCharArray();
            if (i % 2 == 0)
            {
                chars = new char[random.Next(0, 120)];
                for (var j = 0; j < chars.Length; j++)
                {
                    chars[j] = Alphabet[random.Next(Alphabet.Length)];
                }
            }
            else
            {
                for (var f = random.Next(1, 5); f > 0; f--)
                {
                    chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
                }
            }

            _ = SdesCryptoAttribute.TryParse(new string(chars), out _);
        }
    }
}
