using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ClutchCall.Voice.Media;

/// <summary>The <c>pcm16</c> codec: interleaved signed 16-bit samples, little-endian on the wire.</summary>
internal sealed class Pcm16Encoder : IAudioEncoder
{
    private readonly int _frameSamples;

    public Pcm16Encoder(AudioFormat format, int frameMs = 20)
    {
        format.EnsureSupported();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameMs);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frameMs, 120);
        Format = format;
        FrameMs = frameMs;
        _frameSamples = format.InterleavedSamples(frameMs);
    }

    public AudioCodec Codec => AudioCodec.Pcm16;

    public AudioFormat Format { get; }

    public int FrameMs { get; }

    public int Encode(ReadOnlySpan<short> pcm, Span<byte> destination)
    {
        if (pcm.Length != _frameSamples)
        {
            throw new ArgumentException($"A pcm16 frame of {FrameMs} ms at {Format} is {_frameSamples} samples, got {pcm.Length}.", nameof(pcm));
        }

        var bytes = _frameSamples * sizeof(short);
        if (destination.Length < bytes)
        {
            throw new ArgumentException($"Destination holds {destination.Length} bytes; the frame needs {bytes}.", nameof(destination));
        }

        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(pcm).CopyTo(destination);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(pcm, MemoryMarshal.Cast<byte, short>(destination[..bytes]));
        }

        return bytes;
    }

    public void Dispose()
    {
    }
}
