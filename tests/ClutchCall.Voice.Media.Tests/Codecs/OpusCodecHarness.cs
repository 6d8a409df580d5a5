using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Media.Tests.Codecs;

/// <summary>Encodes and decodes whole signals frame by frame, as a call leg does.</summary>
internal static class OpusCodecHarness
{
    /// <summary>Encodes <paramref name="pcm"/> (zero-padded to whole frames) into packets.</summary>
    public static List<byte[]> Encode(AudioFormat format, ReadOnlySpan<short> pcm, OpusEncoderOptions options)
    {
        using var encoder = new OpusEncoder(format, options);
        var frame = format.InterleavedSamples(options.FrameMs);
        var packets = new List<byte[]>();
        var buffer = new short[frame];
        var packet = new byte[OpusEncoder.MaxPacketBytes];
        for (var offset = 0; offset < pcm.Length; offset += frame)
        {
            Array.Clear(buffer);
            pcm.Slice(offset, Math.Min(frame, pcm.Length - offset)).CopyTo(buffer);
            var length = encoder.Encode(buffer, packet);
            packets.Add(packet.AsSpan(0, length).ToArray());
        }

        return packets;
    }

    /// <summary>Decodes packets in order; a null packet is lost and concealed by <paramref name="onLoss"/>.</summary>
    public static short[] Decode(AudioFormat format, IReadOnlyList<byte[]?> packets, int frameMs, Func<OpusDecoder, int, Span<short>, int>? onLoss = null)
    {
        using var decoder = new OpusDecoder(format);
        var frame = format.InterleavedSamples(frameMs);
        var output = new short[packets.Count * frame];
        for (var i = 0; i < packets.Count; i++)
        {
            var destination = output.AsSpan(i * frame, frame);
            int samples;
            if (packets[i] is { } packet)
            {
                samples = decoder.Decode(packet, destination);
            }
            else
            {
                samples = onLoss is null
                    ? decoder.Conceal(destination, frame / format.Channels)
                    : onLoss(decoder, i, destination);
            }

            Assert.Equal(frame / format.Channels, samples);
        }

        return output;
    }

    public static short[] RoundTrip(AudioFormat format, ReadOnlySpan<short> pcm, OpusEncoderOptions options) =>
        Decode(format, Encode(format, pcm, options), options.FrameMs);
}
