using System.Buffers.Binary;

namespace ClutchCall.Voice.Media.Tests.Audio;

/// <summary>
/// An independent test-side Ogg page parser (RFC 3533 §6): checks each page's capture pattern, version and
/// CRC (computed bit by bit here, not with the production table) and reassembles packets from lacing values.
/// </summary>
internal static class OggPageReader
{
    public sealed record Page(byte Flags, long Granule, uint Serial, uint Sequence, List<byte[]> Packets);

    public static List<Page> ReadAll(byte[] file)
    {
        var pages = new List<Page>();
        var offset = 0;
        while (offset < file.Length)
        {
            Assert.True(file.Length - offset >= 27, $"truncated page header at {offset}");
            Assert.Equal("OggS"u8.ToArray(), file[offset..(offset + 4)]);
            Assert.Equal(0, file[offset + 4]);
            var flags = file[offset + 5];
            var granule = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(offset + 6));
            var serial = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 14));
            var sequence = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 18));
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 22));
            var segments = file[offset + 26];
            var lacing = file.AsSpan(offset + 27, segments);
            var bodyLength = 0;
            foreach (var l in lacing)
            {
                bodyLength += l;
            }

            var pageLength = 27 + segments + bodyLength;
            var page = file[offset..(offset + pageLength)];
            page[22] = page[23] = page[24] = page[25] = 0;
            Assert.Equal(BitwiseCrc(page), crc);

            var packets = new List<byte[]>();
            var body = offset + 27 + segments;
            var current = new List<byte>();
            foreach (var l in lacing)
            {
                current.AddRange(file.AsSpan(body, l).ToArray());
                body += l;
                if (l < 255)
                {
                    packets.Add([.. current]);
                    current.Clear();
                }
            }

            Assert.Empty(current);
            pages.Add(new Page(flags, granule, serial, sequence, packets));
            offset += pageLength;
        }

        return pages;
    }

    // CRC-32, polynomial 0x04C11DB7, MSB first, initial 0, no final XOR (RFC 3533 §6).
    private static uint BitwiseCrc(byte[] data)
    {
        uint crc = 0;
        foreach (var b in data)
        {
            crc ^= (uint)b << 24;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }

        return crc;
    }
}
