using System.Buffers.Binary;
using ClutchCall.Voice.Sip.Srtp;

namespace ClutchCall.Voice.Sip.Tests.Srtp;

/// <summary>SRTP/SRTCP (RFC 3711): Appendix B vectors, round trips, tampering, replay, rollover and fuzzing.</summary>
public sealed class SrtpTests
{
    private static readonly byte[] MasterKey = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static readonly byte[] MasterSalt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");

    [Fact]
    public void KeyDerivation_Rfc3711AppendixB3_SessionKeysMatch()
    {
        var key = new byte[16];
        var auth = new byte[94];
        var salt = new byte[14];
        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, SrtpKeyDerivation.RtpEncryption, key);
        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, SrtpKeyDerivation.RtpAuthentication, auth);
        SrtpKeyDerivation.Derive(MasterKey, MasterSalt, SrtpKeyDerivation.RtpSalt, salt);
        Assert.Equal("C61E7A93744F39EE10734AFE3FF7A087", Convert.ToHexString(key));
        Assert.Equal("30CBBC08863D8C85D49DB34A9AE1", Convert.ToHexString(salt));
        Assert.Equal(
            "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCEE049646C43D9327AD175578EF7227098"
            + "6371C10C9A369AC2F94A8C5FBCDDDC256D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2",
            Convert.ToHexString(auth));
    }

    [Fact]
    public void AesCounterMode_Rfc3711AppendixB2_KeystreamBlocksMatch()
    {
        using var ctr = new AesCounterMode(Convert.FromHexString("2B7E151628AED2A6ABF7158809CF4F3C"));
        var iv = new byte[16];
        SrtpContext.MakeIv(Convert.FromHexString("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), ssrc: 0, index: 0, iv);
        Assert.Equal("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", Convert.ToHexString(iv));
        var stream = new byte[0x10000 * 16];
        ctr.Apply(iv, stream);
        string Block(int j) => Convert.ToHexString(stream.AsSpan(j * 16, 16));
        Assert.Equal("E03EAD0935C95E80E166B16DD92B4EB4", Block(0x0000));
        Assert.Equal("D23513162B02D0F72A43A2FE4A5F97AB", Block(0x0001));
        Assert.Equal("41E95B3BB0A2E8DD477901E4FCA894C0", Block(0x0002));
        Assert.Equal("EC8CDF7398607CB0F2D21675EA9EA1E4", Block(0xFEFF));
        Assert.Equal("362B7C3C6773516318A077D7FC5073AE", Block(0xFF00));
        Assert.Equal("6A2CC3787889374FBEB4C81B17BA6C44", Block(0xFF01));
    }

    internal static byte[] Rtp(ushort seq, uint ssrc = 0x11223344, int payload = 160, int csrcs = 0, int extensionWords = -1)
    {
        var header = 12 + (4 * csrcs) + (extensionWords >= 0 ? 4 + (4 * extensionWords) : 0);
        var p = new byte[header + payload + 10];
        p[0] = (byte)(0x80 | csrcs | (extensionWords >= 0 ? 0x10 : 0));
        p[1] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), (uint)seq * 160);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), ssrc);
        if (extensionWords >= 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(12 + (4 * csrcs)), 0xBEDE);
            BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(14 + (4 * csrcs)), (ushort)extensionWords);
        }

        for (var i = header; i < header + payload; i++)
        {
            p[i] = (byte)(i * 7);
        }

        return p;
    }

    [Theory]
    [InlineData(80, 0, -1)]
    [InlineData(32, 0, -1)]
    [InlineData(80, 2, 1)]
    public void ProtectUnprotect_RoundTrip_RestoresPacketAndHidesPayload(int tagBits, int csrcs, int ext)
    {
        var suite = tagBits == 32 ? SrtpCryptoSuite.AesCm128HmacSha1_32 : SrtpCryptoSuite.AesCm128HmacSha1_80;
        using var tx = new SrtpContext(suite, MasterKey, MasterSalt);
        using var rx = new SrtpContext(suite, MasterKey, MasterSalt);
        for (ushort seq = 1; seq < 50; seq++)
        {
            var buffer = Rtp(seq, csrcs: csrcs, extensionWords: ext);
            var plainLength = buffer.Length - 10;
            var original = buffer.AsSpan(0, plainLength).ToArray();
            Assert.True(tx.TryProtectRtp(buffer, plainLength, out var protectedLength));
            Assert.Equal(plainLength + suite.RtpTagLength(), protectedLength);
            var header = original.Length - 160;
            Assert.Equal(original.AsSpan(0, header).ToArray(), buffer.AsSpan(0, header).ToArray());
            Assert.NotEqual(original.AsSpan(header).ToArray(), buffer.AsSpan(header, 160).ToArray());
            Assert.Equal(SrtpResult.Ok, rx.UnprotectRtp(buffer.AsSpan(0, protectedLength), out var length));
            Assert.Equal(original, buffer.AsSpan(0, length).ToArray());
        }

        Assert.Equal(49, rx.Counters.Unprotected);
    }

    [Fact]
    public void Unprotect_TamperedPayloadHeaderOrTag_RejectedAndCounted()
    {
        using var tx = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey, MasterSalt);
        using var rx = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey, MasterSalt);
        var positions = new[] { 1, 3, 11, 40, 171, 181 };
        foreach (var pos in positions)
        {
            var p = Rtp(7);
            Assert.True(tx.TryProtectRtp(p, p.Length - 10, out var n));
            p[pos] ^= 0x01;
            Assert.Equal(SrtpResult.AuthenticationFailed, rx.UnprotectRtp(p.AsSpan(0, n), out _));
        }

        Assert.Equal(positions.Length, rx.Counters.AuthenticationFailures);
        Assert.Equal(0, rx.Counters.Unprotected);

        // A different master key never authenticates.
        var otherKey = (byte[])MasterKey.Clone();
        otherKey[0] ^= 0xFF;
        using var wrong = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, otherKey, MasterSalt);
        var q = Rtp(8);
        Assert.True(tx.TryProtectRtp(q, q.Length - 10, out var qn));
        Assert.Equal(SrtpResult.AuthenticationFailed, wrong.UnprotectRtp(q.AsSpan(0, qn), out _));
    }

    [Fact]
    public void Unprotect_ReplayedAndTooOldPackets_Rejected_ReorderedWithinWindowAccepted()
    {
        using var tx = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey, MasterSalt);
        using var rx = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey, MasterSalt);
        var sent = new Dictionary<ushort, byte[]>();
        for (ushort seq = 100; seq < 300; seq++)
        {
            var p = Rtp(seq);
            Assert.True(tx.TryProtectRtp(p, p.Length - 10, out var n));
            sent[seq] = p.AsSpan(0, n).ToArray();
        }

        Assert.Equal(SrtpResult.Ok, rx.UnprotectRtp(sent[100].ToArray(), out _));
        Assert.Equal(SrtpResult.Ok, rx.UnprotectRtp(sent[200].ToArray(), out _));
        Assert.Equal(SrtpResult.Ok, rx.UnprotectRtp(sent[150].ToArray(), out _)); // reordered, inside the window
        Assert.Equal(SrtpResult.Replayed, rx.UnprotectRtp(sent[150].ToArray(), out _));
        Assert.Equal(SrtpResult.Replayed, rx.UnprotectRtp(sent[200].ToArray(), out _));
        Assert.Equal(SrtpResult.Replayed, rx.UnprotectRtp(sent[101].ToArray(), out _)); // 99 behind: older than 64
        Assert.Equal(3, rx.Counters.Replays);
    }

    [Fact]
    public void Unprotect_SequenceWrap_RolloverCounterFollowsSender()
    {
        using var tx = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_32, MasterKey, MasterSalt);
        using var rx = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_32, MasterKey, MasterSalt);
        var seq = (ushort)65500;
        for (var i = 0; i < 200; i++, seq++)
        {
            var p = Rtp(seq);
            var original = p.AsSpan(0, p.Length - 10).ToArray();
            Assert.True(tx.TryProtectRtp(p, p.Length - 10, out var n));
            // Drop a run of packets across the wrap; the receiver's ROC guess must still be right.
            if (seq is > 65530 or < 5)
            {
                continue;
            }

            Assert.Equal(SrtpResult.Ok, rx.UnprotectRtp(p.AsSpan(0, n), out var len));
            Assert.Equal(original, p.AsSpan(0, len).ToArray());
        }

        Assert.Equal(0, rx.Counters.AuthenticationFailures);
    }

    [Fact]
    public void Srtcp_RoundTripTamperAndReplay_Handled()
    {
        using var tx = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_32, MasterKey, MasterSalt);
        using var rx = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_32, MasterKey, MasterSalt);
        var rr = new byte[32 + SrtpContext.RtcpOverhead];
        rr[0] = 0x81;
        rr[1] = 201;
        BinaryPrimitives.WriteUInt16BigEndian(rr.AsSpan(2), 7);
        BinaryPrimitives.WriteUInt32BigEndian(rr.AsSpan(4), 0xCAFEBABE);
        for (var i = 8; i < 32; i++)
        {
            rr[i] = (byte)i;
        }

        var original = rr.AsSpan(0, 32).ToArray();
        Assert.True(tx.TryProtectRtcp(rr, 32, out var n));
        Assert.Equal(32 + 14, n);
        var copy = rr.AsSpan(0, n).ToArray();
        Assert.Equal(SrtpResult.Ok, rx.UnprotectRtcp(rr.AsSpan(0, n), out var len));
        Assert.Equal(original, rr.AsSpan(0, len).ToArray());
        Assert.Equal(SrtpResult.Replayed, rx.UnprotectRtcp(copy.ToArray(), out _));
        copy[20] ^= 4;
        Assert.Equal(SrtpResult.Replayed, rx.UnprotectRtcp(copy, out _));

        var next = (byte[])rr.Clone();
        original.CopyTo(next, 0);
        Assert.True(tx.TryProtectRtcp(next, 32, out var n2));
        next[12] ^= 1;
        Assert.Equal(SrtpResult.AuthenticationFailed, rx.UnprotectRtcp(next.AsSpan(0, n2), out _));
    }

    [Fact]
    public void Unprotect_FuzzedAndMutatedPackets_NeverThrowAndNeverAccepted()
    {
        using var tx = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey, MasterSalt);
        using var rx = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, MasterKey, MasterSalt);
        var random = new Random(3711);
        var valid = new List<byte[]>();
        for (ushort seq = 0; seq < 64; seq++)
        {
            var p = Rtp(seq, extensionWords: seq % 3 == 0 ? 1 : -1);
            Assert.True(tx.TryProtectRtp(p, p.Length - 10, out var n));
            valid.Add(p.AsSpan(0, n).ToArray());
        }

        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 300)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])valid[random.Next(valid.Count)].Clone();
                var flips = random.Next(1, 4);
                for (var f = 0; f < flips; f++)
                {
                    input[random.Next(input.Length)] ^= (byte)random.Next(1, 256);
                }

                if (random.Next(4) == 0)
                {
                    input = input.AsSpan(0, random.Next(input.Length)).ToArray();
                }
            }

            if (rx.UnprotectRtp(input, out _) == SrtpResult.Ok)
            {
                accepted++;
            }

            _ = rx.UnprotectRtcp(input, out _);
        }

        Assert.Equal(0, accepted);
        Assert.True(rx.Counters.AuthenticationFailures + rx.Counters.Malformed > 0);
    }
}
