namespace ClutchCall.Voice.Media;

/// <summary>
/// Inspects Opus packets without decoding them (libopus <c>opus_packet_get_*</c>; TOC byte layout in
/// RFC 6716 §3.1, frame packing in §3.2). Every method returns false for an empty or malformed packet
/// or an invalid rate, never throws.
/// </summary>
internal static unsafe class OpusPacket
{
    /// <summary>Audio bandwidth from the TOC byte.</summary>
    public static bool TryGetBandwidth(ReadOnlySpan<byte> packet, out OpusBandwidth bandwidth)
    {
        bandwidth = default;
        if (packet.IsEmpty || !Loaded())
        {
            return false;
        }

        int result;
        fixed (byte* data = packet)
        {
            result = OpusNative.PacketGetBandwidth(data);
        }

        if (result < (int)OpusBandwidth.Narrowband || result > (int)OpusBandwidth.Fullband)
        {
            return false;
        }

        bandwidth = (OpusBandwidth)result;
        return true;
    }

    /// <summary>Channel count (1 or 2) from the TOC stereo flag.</summary>
    public static bool TryGetChannelCount(ReadOnlySpan<byte> packet, out int channels)
    {
        channels = 0;
        if (packet.IsEmpty || !Loaded())
        {
            return false;
        }

        fixed (byte* data = packet)
        {
            channels = OpusNative.PacketGetNbChannels(data);
        }

        return channels is 1 or 2;
    }

    /// <summary>Number of Opus frames in the packet (RFC 6716 §3.2, codes 0-3).</summary>
    public static bool TryGetFrameCount(ReadOnlySpan<byte> packet, out int frames)
    {
        frames = 0;
        if (packet.IsEmpty || !Loaded())
        {
            return false;
        }

        int result;
        fixed (byte* data = packet)
        {
            result = OpusNative.PacketGetNbFrames(data, packet.Length);

            // RFC 6716 §3.2.5 [R5]: a code 3 packet lasts at most 120 ms; libopus reports the raw frame
            // count byte (up to 63), so check the duration too.
            if (result > 0 && OpusNative.PacketGetNbSamples(data, packet.Length, 48000) < 0)
            {
                return false;
            }
        }

        if (result <= 0)
        {
            return false;
        }

        frames = result;
        return true;
    }

    /// <summary>Samples per channel the packet decodes to at <paramref name="sampleRate"/>.</summary>
    public static bool TryGetSampleCount(ReadOnlySpan<byte> packet, int sampleRate, out int samples)
    {
        samples = 0;
        if (packet.IsEmpty || !OpusFormats.IsOpusRate(sampleRate) || !Loaded())
        {
            return false;
        }

        int result;
        fixed (byte* data = packet)
        {
            result = OpusNative.PacketGetNbSamples(data, packet.Length, sampleRate);
        }

        if (result <= 0)
        {
            return false;
        }

        samples = result;
        return true;
    }

    /// <summary>Samples per channel in each frame of the packet at <paramref name="sampleRate"/> (from the TOC config).</summary>
    public static bool TryGetSamplesPerFrame(ReadOnlySpan<byte> packet, int sampleRate, out int samples)
    {
        samples = 0;
        if (packet.IsEmpty || !OpusFormats.IsOpusRate(sampleRate) || !Loaded())
        {
            return false;
        }

        fixed (byte* data = packet)
        {
            samples = OpusNative.PacketGetSamplesPerFrame(data, sampleRate);
        }

        return samples > 0;
    }

    private static bool Loaded() => OpusLibrary.IsAvailable;
}
