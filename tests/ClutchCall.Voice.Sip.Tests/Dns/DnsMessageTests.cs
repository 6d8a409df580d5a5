using System.Buffers.Binary;
using System.Net;
using ClutchCall.Voice.Sip.Dns;

namespace ClutchCall.Voice.Sip.Tests.Dns;

/// <summary>RFC 1035 message reader/writer: vectors with compression, NAPTR/SRV/A/AAAA, bad input, fuzz.</summary>
public sealed class DnsMessageTests
{
    /// <summary>A response to "_sip._udp.example.com SRV" with two SRV answers and A/AAAA additionals, names compressed.</summary>
    internal static byte[] SrvResponse()
    {
        var m = new List<byte>();
        void U16(int v) => m.AddRange([(byte)(v >> 8), (byte)v]);
        void U32(uint v) => m.AddRange([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
        void Name(params string[] labels)
        {
            foreach (var l in labels)
            {
                m.Add((byte)l.Length);
                m.AddRange(System.Text.Encoding.ASCII.GetBytes(l));
            }

            m.Add(0);
        }

        U16(0x1234); U16(0x8180); U16(1); U16(2); U16(0); U16(2);
        Name("_sip", "_udp", "example", "com"); // offset 12
        U16(33); U16(1);
        // Answer 1: pointer to the question name, SRV 10 60 5060 sip1.example.com
        U16(0xC00C); U16(33); U16(1); U32(300);
        var rdStart = m.Count;
        U16(0); // rdlength placeholder
        U16(10); U16(60); U16(5060);
        var sip1 = m.Count;
        m.Add(4); m.AddRange("sip1"u8.ToArray()); U16(0xC000 | 22); // "example.com" at offset 12+10
        BinaryPrimitives.WriteUInt16BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(m)[rdStart..], (ushort)(m.Count - rdStart - 2));
        // Answer 2: SRV 20 0 5070 sip2.example.com (uncompressed target)
        U16(0xC00C); U16(33); U16(1); U32(300);
        U16(6 + 18); U16(20); U16(0); U16(5070); Name("sip2", "example", "com");
        // Additional: sip1 A 192.0.2.10, sip1 AAAA 2001:db8::10
        U16(0xC000 | sip1); U16(1); U16(1); U32(0x8000_0000); U16(4); m.AddRange([192, 0, 2, 10]);
        U16(0xC000 | sip1); U16(28); U16(1); U32(60); U16(16); m.AddRange(IPAddress.Parse("2001:db8::10").GetAddressBytes());
        return [.. m];
    }

    [Fact]
    public void TryRead_SrvWithCompressionAndAdditionals_ParsesEveryRecord()
    {
        Assert.True(DnsMessage.TryRead(SrvResponse(), out var r));
        Assert.Equal(0x1234, r!.Id);
        Assert.Equal(0, r.ResponseCode);
        Assert.Equal(2, r.Answers.Count);
        Assert.Equal("_sip._udp.example.com", r.Answers[0].Name);
        Assert.Equal(new DnsSrv(10, 60, 5060, "sip1.example.com"), r.Answers[0].Srv);
        Assert.Equal(new DnsSrv(20, 0, 5070, "sip2.example.com"), r.Answers[1].Srv);
        Assert.Equal(300u, r.Answers[0].Ttl);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), r.Additional[0].Address);
        Assert.Equal(0u, r.Additional[0].Ttl); // RFC 2181 §8: top bit set means zero
        Assert.Equal("sip1.example.com", r.Additional[1].Name);
        Assert.Equal(IPAddress.Parse("2001:db8::10"), r.Additional[1].Address);
    }

    [Fact]
    public void TryRead_Naptr_ReadsStringsAndReplacement()
    {
        var m = new List<byte> { 0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0 };
        m.AddRange([7, .. "example"u8.ToArray(), 3, .. "com"u8.ToArray(), 0]);
        m.AddRange([0, 35, 0, 1, 0, 0, 0, 60]);
        byte[] rdata = [0, 50, 0, 50, 1, (byte)'s', 7, .. "SIP+D2T"u8.ToArray(), 0, 4, .. "_sip"u8.ToArray(), 4, .. "_tcp"u8.ToArray(), 0xC0, 12];
        m.AddRange([0, (byte)rdata.Length, .. rdata]);
        Assert.True(DnsMessage.TryRead(m.ToArray(), out var r));
        Assert.Equal(new DnsNaptr(50, 50, "s", "SIP+D2T", string.Empty, "_sip._tcp.example.com"), r!.Answers[0].Naptr);
    }

    [Fact]
    public void WriteQuery_ThenHeaderAndQuestion_AreRfc1035()
    {
        var buffer = new byte[512];
        var n = DnsMessage.WriteQuery(buffer, 0xBEEF, "_sip._tcp.example.com", DnsType.Srv);
        Assert.Equal(
            "BEEF01000001000000000000045F736970045F746370076578616D706C6503636F6D0000210001",
            Convert.ToHexString(buffer.AsSpan(0, n)));
        Assert.Equal(0, DnsMessage.WriteQuery(buffer, 1, new string('a', 64) + ".com", DnsType.A));
    }

    [Fact]
    public void TryRead_PointerLoopTruncationAndQuery_Rejected()
    {
        var good = SrvResponse();
        for (var cut = 0; cut < good.Length; cut++)
        {
            Assert.False(DnsMessage.TryRead(good.AsSpan(0, cut), out _));
        }

        // A name that points at itself.
        byte[] loop = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1];
        Assert.False(DnsMessage.TryRead(loop, out _));
        var query = new byte[512];
        var n = DnsMessage.WriteQuery(query, 7, "example.com", DnsType.A);
        Assert.False(DnsMessage.TryRead(query.AsSpan(0, n), out _)); // QR bit clear
    }

    [Fact]
    public void TryRead_FuzzedAndMutated_NeverThrows()
    {
        var random = new Random(1035);
        var seed = SrvResponse();
        for (var i = 0; i < 30_000; i++)
        {
            byte[] input;
            if (i % 3 == 0)
            {
                input = new byte[random.Next(0, 200)];
                random.NextBytes(input);
                if (input.Length > 3)
                {
                    input[2] |= 0x80;
                }
            }
            else
            {
                input = (byte[])seed.Clone();
                for (var f = random.Next(1, 6); f > 0; f--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }

            _ = DnsMessage.TryRead(input, out _);
        }
    }
}
