using System.Buffers.Binary;

namespace ClutchCall.Voice.Media.Tests.Jitter;

/// <summary>
/// A decoder for scripted jitter-buffer tests: a packet is the 16-bit sequence number it carries, and a
/// decoded frame repeats it, so the test can read back exactly which packet (or FEC copy) was played.
/// Concealment writes <see cref="ConcealMarker"/>. Real codecs are exercised in JitterBufferCodecTests.
/// </summary>
internal sealed class MarkerDecoder(AudioCodec codec) : IAudioDecoder
{
    public const short ConcealMarker = short.MinValue;

    public AudioCodec Codec { get; } = codec;

    public AudioFormat Format => AudioFormat.Telephony;

    public int FecCalls { get; private set; }

    public static byte[] Packet(ushort sequence)
    {
        var p = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(p, sequence);
        return p;
    }

    public int Decode(ReadOnlySpan<byte> packet, Span<short> destination)
    {
        if (!TryDecode(packet, destination, out var n))
        {
            throw new InvalidDataException("corrupt marker packet");
        }

        return n;
    }

    public bool TryDecode(ReadOnlySpan<byte> packet, Span<short> destination, out int samplesPerChannel)
    {
        samplesPerChannel = 0;
        if (packet.Length != 2)
        {
            return false;
        }

        destination[..160].Fill((short)BinaryPrimitives.ReadUInt16LittleEndian(packet));
        samplesPerChannel = 160;
        return true;
    }

    public int Conceal(Span<short> destination, int samplesPerChannel)
    {
        destination[..samplesPerChannel].Fill(ConcealMarker);
        return samplesPerChannel;
    }

    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> destination, int samplesPerChannel)
    {
        FecCalls++;
        var lost = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(nextPacket) - 1);
        destination[..samplesPerChannel].Fill((short)lost);
        return samplesPerChannel;
    }

    public void Dispose()
    {
    }
}
