using System.Buffers;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Tests.Wire;

/// <summary>
/// Random and mutated input against the control and data readers (fixed seeds). Any exception other than
/// <see cref="MoqtProtocolException"/> fails the test.
/// </summary>
public sealed class FuzzTests
{
    private const int Iterations = 100_000;

    [Fact]
    public void ControlReader_RandomAndMutatedFrames_OnlyProtocolErrors()
    {
        var rng = new Random(20250314);
        var types = Enum.GetValues<MoqtMessageType>();
        var valid = types.Select(t => MoqtControlMessageWriter.Draft14.ToArray(RandomMessages.Create(rng, t))).ToArray();
        int decoded = 0, partial = 0, rejected = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var input = i % 10 == 0 ? RandomBytes(rng, rng.Next(1, 64)) : Mutate(rng, valid[rng.Next(valid.Length)]);
            try
            {
                var span = input.AsSpan();
                while (MoqtControlMessageReader.Draft14.TryRead(span, out _, out var consumed))
                {
                    decoded++;
                    span = span[consumed..];
                }

                partial++;
                if (i % 16 == 0)
                {
                    var seq = WireTestHelpers.Segmented(input, rng.Next(1, 6));
                    while (MoqtControlMessageReader.Draft14.TryRead(ref seq, out _))
                    {
                    }
                }
            }
            catch (MoqtProtocolException)
            {
                rejected++;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"decoded {decoded}, partial {partial}, rejected {rejected}");
        Assert.True(decoded > 0 && rejected > 0 && partial > 0);
    }

    [Fact]
    public void DataReader_RandomAndMutatedStreamsAndDatagrams_OnlyProtocolErrors()
    {
        var rng = new Random(4242);
        var streams = Enumerable.Range(0, 64).Select(_ => ValidStream(rng)).ToArray();
        var datagrams = Enumerable.Range(0, 64).Select(_ => ValidDatagram(rng)).ToArray();
        int objects = 0, rejected = 0;
        for (var i = 0; i < Iterations; i++)
        {
            try
            {
                if (i % 2 == 0)
                {
                    var input = i % 20 == 0 ? RandomBytes(rng, rng.Next(1, 64)) : Mutate(rng, streams[rng.Next(streams.Length)]);
                    objects += ReadStream(input, rng.Next(4) == 0 ? rng.Next(1, 5) : 0);
                }
                else
                {
                    var input = i % 20 == 1 ? RandomBytes(rng, rng.Next(1, 40)) : Mutate(rng, datagrams[rng.Next(datagrams.Length)]);
                    if (MoqtDataReader.TryReadDatagram(input, out var h))
                    {
                        Assert.InRange(h.PayloadOffset + h.PayloadLength, 0, input.Length);
                        objects++;
                    }
                }
            }
            catch (MoqtProtocolException)
            {
                rejected++;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"objects {objects}, rejected {rejected}");
        Assert.True(objects > 0 && rejected > 0);
    }

    private static int ReadStream(byte[] input, int segmentSize)
    {
        var count = 0;
        if (segmentSize > 0)
        {
            var seq = WireTestHelpers.Segmented(input, segmentSize);
            if (!MoqtDataReader.TryReadStreamHeader(ref seq, out var sh))
            {
                return 0;
            }

            if (sh.Kind == MoqtDataStreamKind.Fetch)
            {
                while (MoqtDataReader.TryReadFetchObject(ref seq, out _, out _))
                {
                    count++;
                }
            }
            else
            {
                var c = new MoqtSubgroupCursor(sh.Subgroup);
                while (MoqtDataReader.TryReadSubgroupObject(ref seq, ref c, out _, out var payload))
                {
                    Assert.True(payload.Length >= 0);
                    count++;
                }
            }

            return count;
        }

        if (!MoqtDataReader.TryReadStreamHeader(input, out var header, out var offset))
        {
            return 0;
        }

        var cursor = new MoqtSubgroupCursor(header.Subgroup);
        while (offset < input.Length)
        {
            MoqtObjectHeader obj;
            var ok = header.Kind == MoqtDataStreamKind.Fetch
                ? MoqtDataReader.TryReadFetchObjectHeader(input.AsSpan(offset), out obj)
                : MoqtDataReader.TryReadSubgroupObjectHeader(input.AsSpan(offset), ref cursor, out obj);
            if (!ok)
            {
                break;
            }

            Assert.InRange(obj.ExtensionsOffset + obj.ExtensionsLength, 0, obj.HeaderLength);
            count++;
            offset += obj.TotalLength;
        }

        return count;
    }

    private static byte[] ValidStream(Random rng)
    {
        var w = new ArrayBufferWriter<byte>();
        Span<byte> ext = stackalloc byte[32];
        if (rng.Next(4) == 0)
        {
            MoqtDataWriter.WriteFetchHeader(w, RandomMessages.V(rng));
            for (var i = 0; i < rng.Next(1, 4); i++)
            {
                var n = MoqtExtensionHeaders.WriteCaptureTimestamp(ext, RandomMessages.V(rng));
                MoqtDataWriter.WriteFetchObject(w, RandomMessages.V(rng), 0, (ulong)i, 128, ext[..n], Payload(rng));
            }

            return w.WrittenSpan.ToArray();
        }

        var header = new MoqtSubgroupHeader(RandomMessages.V(rng), RandomMessages.V(rng), RandomMessages.V(rng), (byte)rng.Next(256),
            (MoqtSubgroupIdMode)rng.Next(3), rng.Next(2) == 0, rng.Next(2) == 0);
        var cursor = new MoqtSubgroupCursor(header);
        MoqtDataWriter.WriteSubgroupHeader(w, header);
        ulong id = (ulong)rng.Next(5);
        for (var i = 0; i < rng.Next(1, 5); i++)
        {
            var n = header.HasExtensions ? MoqtExtensionHeaders.WriteCaptureTimestamp(ext, RandomMessages.V(rng)) : 0;
            var payload = Payload(rng);
            MoqtDataWriter.WriteSubgroupObject(w, ref cursor, id, ext[..n], payload,
                payload.Length == 0 ? MoqtObjectStatus.EndOfGroup : MoqtObjectStatus.Normal);
            id += (ulong)rng.Next(1, 3);
        }

        return w.WrittenSpan.ToArray();
    }

    private static byte[] ValidDatagram(Random rng)
    {
        var w = new ArrayBufferWriter<byte>();
        Span<byte> ext = stackalloc byte[16];
        var n = rng.Next(2) == 0 ? MoqtExtensionHeaders.WriteCaptureTimestamp(ext, RandomMessages.V(rng)) : 0;
        var payload = Payload(rng);
        MoqtDataWriter.WriteDatagram(w, RandomMessages.V(rng), RandomMessages.V(rng), RandomMessages.V(rng), 128, ext[..n], payload,
            endOfGroup: payload.Length > 0 && rng.Next(2) == 0, status: payload.Length == 0 ? MoqtObjectStatus.EndOfTrack : MoqtObjectStatus.Normal);
        return w.WrittenSpan.ToArray();
    }

    private static byte[] Payload(Random rng) => RandomBytes(rng, rng.Next(4) == 0 ? 0 : rng.Next(1, 80));

    private static byte[] RandomBytes(Random rng, int length)
    {
        var b = new byte[length];
        rng.NextBytes(b);
        return b;
    }

    private static byte[] Mutate(Random rng, byte[] source)
    {
        var b = (byte[])source.Clone();
        switch (rng.Next(6))
        {
            case 0: // flip a few bytes
                for (var k = 0; k < rng.Next(1, 4); k++)
                {
                    b[rng.Next(b.Length)] = (byte)rng.Next(256);
                }

                return b;
            case 1: // truncate
                return b[..rng.Next(b.Length)];
            case 2: // flip one bit
                b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 3: // insert random bytes
                {
                    var at = rng.Next(b.Length);
                    return [.. b[..at], .. RandomBytes(rng, rng.Next(1, 6)), .. b[at..]];
                }

            case 4: // delete a range
                {
                    var at = rng.Next(b.Length);
                    var len = Math.Min(rng.Next(1, 6), b.Length - at);
                    return [.. b[..at], .. b[(at + len)..]];
                }

            default: // concatenate with another copy
                return [.. b, .. b];
        }
    }
}
