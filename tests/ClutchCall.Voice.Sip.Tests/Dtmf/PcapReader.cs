using System.Buffers.Binary;

namespace ClutchCall.Voice.Sip.Tests.Dtmf;

/// <summary>Reads UDP payloads from a classic libpcap file (Ethernet/IPv4 or Linux cooked capture).</summary>
internal static class PcapReader
{
    public static List<byte[]> ReadUdpPayloads(string path)
    {
        var d = File.ReadAllBytes(path);
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(d);
        var little = magic == 0xA1B2C3D4;
        Assert.True(little || magic == 0xD4C3B2A1, "not a pcap file");
        uint U32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(at));
        var link = U32(20);
        var linkHeader = link switch { 1 => 14, 113 => 16, 101 => 0, _ => throw new InvalidDataException($"link type {link}") };
        var result = new List<byte[]>();
        var p = 24;
        while (p + 16 <= d.Length)
        {
            var incl = (int)U32(p + 8);
            var pkt = d.AsSpan(p + 16, incl);
            p += 16 + incl;
            var ip = pkt[linkHeader..];
            if (ip[0] >> 4 != 4 || ip[9] != 17)
            {
                continue;
            }

            var udp = ip[((ip[0] & 0x0F) * 4)..];
            var udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
            result.Add(udp[8..udpLength].ToArray());
        }

        return result;
    }
}
