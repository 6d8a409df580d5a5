namespace ClutchCall.Voice.Media;

/// <summary>
/// Opus decoder (RFC 6716) over the system libopus, producing interleaved PCM16 at 8/16/24/48 kHz, mono or
/// stereo. Loss is concealed by libopus PLC, or rebuilt from the next packet's in-band FEC.
/// </summary>
internal sealed unsafe class OpusDecoder : IAudioDecoder
{
    private readonly OpusDecoderHandle _handle;
    private readonly int _channels;
    private readonly int _sampleRate;

    public OpusDecoder(AudioFormat format)
    {
        OpusFormats.EnsureSupported(format);
        OpusLibrary.EnsureLoaded();
        _handle = OpusNative.DecoderCreate(format.SampleRate, format.Channels, out var error);
        if (error != 0 || _handle.IsInvalid)
        {
            _handle.Dispose();
            throw OpusErrors.Failure($"opus_decoder_create({format})", error);
        }

        Format = format;
        _channels = format.Channels;
        _sampleRate = format.SampleRate;
    }

    public AudioCodec Codec => AudioCodec.Opus;

    public AudioFormat Format { get; }

    /// <summary>Samples per channel in 120 ms, the longest packet (size a destination with this to accept any packet).</summary>
    public int MaxFrameSamplesPerChannel => _sampleRate / 1000 * OpusFormats.MaxPacketMs;

    /// <summary>Packets rejected as corrupt since creation.</summary>
    public long CorruptPackets { get; private set; }

    public int Decode(ReadOnlySpan<byte> packet, Span<short> destination)
    {
        var result = DecodeCore(packet, destination);
        if (result < 0)
        {
            throw new InvalidDataException($"Opus packet of {packet.Length} bytes could not be decoded: {OpusErrors.Describe(result)}.");
        }

        return result;
    }

    public bool TryDecode(ReadOnlySpan<byte> packet, Span<short> destination, out int samplesPerChannel)
    {
        var result = DecodeCore(packet, destination);
        samplesPerChannel = Math.Max(result, 0);
        return result >= 0;
    }

    public int Conceal(Span<short> destination, int samplesPerChannel)
    {
        CheckConcealLength(destination, samplesPerChannel);
        int result;
        fixed (short* pcm = destination)
        {
            // RFC 6716 §4.4 / libopus API: a NULL packet asks the decoder for packet-loss concealment.
            result = OpusNative.Decode(_handle, null, 0, pcm, samplesPerChannel, 0);
        }

        return result >= 0 ? result : Silence(destination, samplesPerChannel);
    }

    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> destination, int samplesPerChannel)
    {
        CheckConcealLength(destination, samplesPerChannel);
        if (nextPacket.IsEmpty)
        {
            return Conceal(destination, samplesPerChannel);
        }

        int result;
        fixed (byte* data = nextPacket)
        fixed (short* pcm = destination)
        {
            // decode_fec=1 decodes the LBRR copy of the previous frame carried in nextPacket; without one
            // libopus falls back to PLC for samplesPerChannel.
            result = OpusNative.Decode(_handle, data, nextPacket.Length, pcm, samplesPerChannel, 1);
        }

        if (result < 0)
        {
            CorruptPackets++;
            return Conceal(destination, samplesPerChannel);
        }

        return result;
    }

    /// <summary>Resets the decoder state (for a new stream).</summary>
    public void Reset()
    {
        var result = OpusNative.DecoderCtl(_handle, OpusNative.ResetState);
        if (result != 0)
        {
            throw OpusErrors.Failure("OPUS_RESET_STATE", result);
        }
    }

    public void Dispose() => _handle.Dispose();

    private int DecodeCore(ReadOnlySpan<byte> packet, Span<short> destination)
    {
        var capacity = destination.Length / _channels;
        if (capacity == 0)
        {
            throw new ArgumentException($"Destination holds {destination.Length} samples; {Format} needs room for at least one frame.", nameof(destination));
        }

        // RFC 6716 §3.4 [R1]: a packet holds at least one byte; libopus would read zero length as "lost".
        if (packet.IsEmpty)
        {
            CorruptPackets++;
            return (int)OpusError.InvalidPacket;
        }

        int result;
        fixed (byte* data = packet)
        fixed (short* pcm = destination)
        {
            var needed = OpusNative.PacketGetNbSamples(data, packet.Length, _sampleRate);
            if (needed < 0)
            {
                CorruptPackets++;
                return needed;
            }

            if (needed > capacity)
            {
                throw new ArgumentException(
                    $"Destination holds {capacity} samples per channel but the packet decodes to {needed}; size it for {MaxFrameSamplesPerChannel}.",
                    nameof(destination));
            }

            result = OpusNative.Decode(_handle, data, packet.Length, pcm, capacity, 0);
        }

        if (result < 0)
        {
            CorruptPackets++;
        }

        return result;
    }

    private void CheckConcealLength(Span<short> destination, int samplesPerChannel)
    {
        // libopus conceals in whole 2.5 ms units, at most 120 ms.
        var unit = _sampleRate / 400;
        if (samplesPerChannel <= 0 || samplesPerChannel % unit != 0 || samplesPerChannel > MaxFrameSamplesPerChannel)
        {
            throw new ArgumentException(
                $"Opus concealment length must be a multiple of 2.5 ms ({unit} samples at {_sampleRate} Hz) up to 120 ms; got {samplesPerChannel}.",
                nameof(samplesPerChannel));
        }

        if (destination.Length < samplesPerChannel * _channels)
        {
            throw new ArgumentException($"Destination holds {destination.Length} samples; {samplesPerChannel * _channels} are needed.", nameof(destination));
        }
    }

    private int Silence(Span<short> destination, int samplesPerChannel)
    {
        destination[..(samplesPerChannel * _channels)].Clear();
        return samplesPerChannel;
    }
}
