using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Media.Tests.Codecs;

public sealed class G711Tests
{
    [Fact]
    public void DecodeMuLaw_All256Codes_MatchG711Table2Formula()
    {
        var codes = new byte[256];
        for (var code = 0; code < 256; code++)
        {
            codes[code] = (byte)code;
        }

        var pcm = new short[256];
        G711.DecodeMuLaw(codes, pcm);
        for (var code = 0; code < 256; code++)
        {
            Assert.True(ReferenceMuLawDecode((byte)code) == pcm[code], $"µ-law code 0x{code:X2}: expected {ReferenceMuLawDecode((byte)code)}, got {pcm[code]}");
        }
    }

    [Fact]
    public void DecodeALaw_All256Codes_MatchG711Table1Formula()
    {
        var codes = new byte[256];
        for (var code = 0; code < 256; code++)
        {
            codes[code] = (byte)code;
        }

        var pcm = new short[256];
        G711.DecodeALaw(codes, pcm);
        for (var code = 0; code < 256; code++)
        {
            Assert.True(ReferenceALawDecode((byte)code) == pcm[code], $"A-law code 0x{code:X2}: expected {ReferenceALawDecode((byte)code)}, got {pcm[code]}");
        }
    }

    [Fact]
    public void EncodeMuLaw_All65536Inputs_MatchDecisionLevelReference()
    {
        var pcm = AllInputs();
        var codes = new byte[pcm.Length];
        G711.EncodeMuLaw(pcm, codes);
        var thresholds = MuLawDecisionLevels();
        for (var i = 0; i < pcm.Length; i++)
        {
            var expected = ReferenceMuLawEncode(pcm[i], thresholds);
            if (codes[i] != expected)
            {
                Assert.Fail($"µ-law encode of {pcm[i]}: expected 0x{expected:X2}, got 0x{codes[i]:X2}");
            }
        }
    }

    [Fact]
    public void EncodeALaw_All65536Inputs_MatchDecisionLevelReference()
    {
        var pcm = AllInputs();
        var codes = new byte[pcm.Length];
        G711.EncodeALaw(pcm, codes);
        var thresholds = ALawDecisionLevels();
        for (var i = 0; i < pcm.Length; i++)
        {
            var expected = ReferenceALawEncode(pcm[i], thresholds);
            if (codes[i] != expected)
            {
                Assert.Fail($"A-law encode of {pcm[i]}: expected 0x{expected:X2}, got 0x{codes[i]:X2}");
            }
        }
    }

    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0x80, 32124)]
    [InlineData(0x00, -32124)]
    [InlineData(0xFE, 8)]
    [InlineData(0xF0, 120)]
    public void DecodeMuLaw_KnownCodePoints_GiveStandardValues(int code, int expected) =>
        Assert.Equal(expected, G711.DecodeMuLaw((byte)code));

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0xD4, 24)]
    public void DecodeALaw_KnownCodePoints_GiveStandardValues(int code, int expected) =>
        Assert.Equal(expected, G711.DecodeALaw((byte)code));

    [Fact]
    public void Encode_Silence_GivesIdleCodes()
    {
        Assert.Equal(0xFF, G711.EncodeMuLaw(0));
        Assert.Equal(0xD5, G711.EncodeALaw(0));
        Assert.Equal(0x7F, G711.EncodeMuLaw(-1));
        Assert.Equal(0x55, G711.EncodeALaw(-1));
    }

    [Fact]
    public void DecodeThenEncode_EveryCode_IsIdentityExceptNegativeZero()
    {
        for (var code = 0; code < 256; code++)
        {
            var mu = G711.EncodeMuLaw(G711.DecodeMuLaw((byte)code));
            // µ-law 0x7F (negative zero) decodes to 0, which encodes as positive zero 0xFF.
            Assert.Equal(code == 0x7F ? 0xFF : code, mu);
            Assert.Equal(code, G711.EncodeALaw(G711.DecodeALaw((byte)code)));
        }
    }

    [Fact]
    public void Encode_DestinationTooShort_ThrowsArgumentException()
    {
        var pcm = new short[160];
        Assert.Throws<ArgumentException>(() => G711.EncodeMuLaw(pcm, new byte[159]));
        Assert.Throws<ArgumentException>(() => G711.DecodeALaw(new byte[160], new short[10]));
    }

    private static short[] AllInputs()
    {
        var pcm = new short[65536];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)(i - 32768);
        }

        return pcm;
    }

    // G.711 Table 2 (µ-law): the decoder output for segment e (0-7) and step m (0-15) is
    // (2m + 33) * 2^e - 33 in 14-bit units; transmitted codes are the bit inverse of sign|e|m
    // with sign bit 1 for positive. Scaled by 4 to 16-bit.
    private static short ReferenceMuLawDecode(byte code)
    {
        var inverted = (byte)~code;
        var positive = (inverted & 0x80) == 0;
        var e = (inverted >> 4) & 7;
        var m = inverted & 15;
        var magnitude = (((2 * m) + 33) * (1 << e)) - 33;
        return (short)(4 * (positive ? magnitude : -magnitude));
    }

    // G.711 Table 1 (A-law): segment 0 output is 2m + 1, segment e >= 1 is (2m + 33) * 2^(e-1), in
    // 13-bit units (×8 for 16-bit); even bits are inverted on the line (XOR 0x55), bit 7 set is positive.
    private static short ReferenceALawDecode(byte code)
    {
        var raw = code ^ 0x55;
        var positive = (raw & 0x80) != 0;
        var e = (raw >> 4) & 7;
        var m = raw & 15;
        var magnitude = e == 0 ? (2 * m) + 1 : ((2 * m) + 33) * (1 << (e - 1));
        return (short)(8 * (positive ? magnitude : -magnitude));
    }

    // µ-law decision levels (14-bit magnitudes) from G.711 Table 2: the first interval is [0, 1), then
    // steps of 2 up to 31, 4 up to 95, 8 up to 223, 16 up to 479, 32 up to 991, 64 up to 2015,
    // 128 up to 4063 and 256 up to 8159. Returns the upper edge of each of the 128 intervals.
    private static int[] MuLawDecisionLevels()
    {
        var edges = new List<int> { 1 };
        var level = 1;
        var segmentEnds = new[] { 31, 95, 223, 479, 991, 2015, 4063, 8159 };
        for (var e = 0; e < 8; e++)
        {
            var step = 2 << e;
            while (level < segmentEnds[e])
            {
                level += step;
                edges.Add(level);
            }
        }

        // 128 intervals; magnitudes at or above the last edge saturate into the last one.
        Assert.Equal(128, edges.Count);
        return [.. edges];
    }

    // A-law decision levels (12-bit magnitudes) from G.711 Table 1: steps of 2 up to 64 (segments 0 and 1),
    // then 4 up to 128, 8 up to 256, ... 128 up to 4096.
    private static int[] ALawDecisionLevels()
    {
        var edges = new List<int>();
        var level = 0;
        var segmentEnds = new[] { 32, 64, 128, 256, 512, 1024, 2048, 4096 };
        for (var e = 0; e < 8; e++)
        {
            var step = e == 0 ? 2 : 1 << e;
            while (level < segmentEnds[e])
            {
                level += step;
                edges.Add(level);
            }
        }

        Assert.Equal(128, edges.Count);
        return [.. edges];
    }

    private static int IntervalOf(int magnitude, int[] upperEdges)
    {
        for (var i = 0; i < upperEdges.Length; i++)
        {
            if (magnitude < upperEdges[i])
            {
                return i;
            }
        }

        return upperEdges.Length - 1;
    }

    // µ-law sends sign|segment|step with every bit inverted (positive sign is 1 on the line, so 0 before
    // inversion); A-law sends them with the even bits inverted.
    // G.191 feeds the quantiser the one's complement of a negative sample (so -1 maps to magnitude 0),
    // right-shifted to the law's resolution: 14 bits for µ-law, 13 bits for A-law.
    private static byte ReferenceMuLawEncode(short sample, int[] edges)
    {
        var magnitude = (sample < 0 ? ~sample : sample) >> 2;
        var index = IntervalOf(magnitude, edges);
        var code = (sample >= 0 ? 0 : 0x80) | index;
        return (byte)~code;
    }

    private static byte ReferenceALawEncode(short sample, int[] edges)
    {
        var magnitude = (sample < 0 ? ~sample : sample) >> 3;
        var index = IntervalOf(magnitude, edges);
        var code = (sample >= 0 ? 0x80 : 0) | index;
        return (byte)(code ^ 0x55);
    }
}
