namespace ClutchCall.Voice.Media;

/// <summary>G.711 µ-law or A-law encoder: 8 kHz mono PCM16 in, one byte per sample out.</summary>
internal sealed class G711Encoder : IAudioEncoder
{
    private readonly bool _muLaw;
    private readonly int _frameSamples;

    public G711Encoder(AudioCodec codec, int frameMs = 20)
    {
        _muLaw = codec switch
        {
            AudioCodec.G711Ulaw => true,
            AudioCodec.G711Alaw => false,
            _ => throw new ArgumentException($"G711Encoder handles g711_ulaw and g711_alaw, not {codec}.", nameof(codec)),
        };
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameMs);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frameMs, 120);
        Codec = codec;
        FrameMs = frameMs;
        _frameSamples = Format.InterleavedSamples(frameMs);
    }

    public AudioCodec Codec { get; }

    public AudioFormat Format => AudioFormat.Telephony;

    public int FrameMs { get; }

    public int Encode(ReadOnlySpan<short> pcm, Span<byte> destination)
    {
        if (pcm.Length != _frameSamples)
        {
            throw new ArgumentException($"G.711 frame of {FrameMs} ms at 8 kHz is {_frameSamples} samples, got {pcm.Length}.", nameof(pcm));
        }

        if (destination.Length < _frameSamples)
        {
            throw new ArgumentException($"Destination holds {destination.Length} bytes; a G.711 frame needs {_frameSamples}.", nameof(destination));
        }

        if (_muLaw)
        {
            G711.EncodeMuLaw(pcm, destination);
        }
        else
        {
            G711.EncodeALaw(pcm, destination);
        }

        return _frameSamples;
    }

    public void Dispose()
    {
    }
}
