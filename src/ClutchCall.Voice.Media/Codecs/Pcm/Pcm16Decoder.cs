using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ClutchCall.Voice.Media;

/// <summary>
/// The <c>pcm16</c> codec decoder: little-endian interleaved samples. A packet whose length is not a whole
/// number of sample frames is corrupt. Loss is concealed with silence.
/// </summary>
internal sealed class Pcm16Decoder : IAudioDecoder
{
    private readonly int _bytesPerFrame;

    public Pcm16Decoder(AudioFormat format)
    {
        format.EnsureSupported();
        Format = format;
        _bytesPerFrame = format.Channels * sizeof(short);
    }

    public AudioCodec Codec => AudioCodec.Pcm16;

    public AudioFormat Format { get; }

    public int Decode(ReadOnlySpan<byte> packet, Span<short> destination)
    {
        if (!TryDecode(packet, destination, out var samples))
        {
            throw new InvalidDataException(
                $"pcm16 packet of {packet.Length} bytes is not a non-empty whole number of {_bytesPerFrame}-byte sample frames for {Format}.");
        }

        return samples;
    }

    public bool TryDecode(ReadOnlySpan<byte> packet, Span<short> destination, out int samplesPerChannel)
    {
        samplesPerChannel = 0;
        if (packet.IsEmpty || packet.Length % _bytesPerFrame != 0)
        {
            return false;
        }

        var samples = packet.Length / sizeof(short);
        if (destination.Length < samples)
        {
            throw new ArgumentException($"Destination holds {destination.Length} samples; the packet carries {samples}.", nameof(destination));
        }

        var source = MemoryMarshal.Cast<byte, short>(packet);
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(destination);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(source, destination[..samples]);
        }

        samplesPerChannel = samples / Format.Channels;
        return true;
    }

    public int Conceal(Span<short> destination, int samplesPerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerChannel);
        var samples = samplesPerChannel * Format.Channels;
        if (destination.Length < samples)
        {
            throw new ArgumentException($"Destination holds {destination.Length} samples; {samples} were requested.", nameof(destination));
        }

        destination[..samples].Clear();
        return samplesPerChannel;
    }

    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> destination, int samplesPerChannel) =>
        Conceal(destination, samplesPerChannel);

    public void Dispose()
    {
    }
}
