namespace ClutchCall.Voice.Media;

/// <summary>
/// G.711 µ-law or A-law decoder producing 8 kHz mono PCM16. G.711 has no FEC; loss is concealed by
/// repeating the last good audio with a linear fade that reaches silence after <see cref="FadeOutMs"/>.
/// </summary>
internal sealed class G711Decoder : IAudioDecoder
{
    /// <summary>Concealment fades the repeated audio to silence over this long, then stays silent.</summary>
    public const int FadeOutMs = 60;

    /// <summary>Longest stretch of history kept for repetition (one 120 ms packet).</summary>
    private const int HistorySamples = 960;

    private const int FadeSamples = 8 * FadeOutMs;

    private readonly bool _muLaw;
    private readonly short[] _history = new short[HistorySamples];
    private int _historyLength;
    private int _concealedSamples;

    public G711Decoder(AudioCodec codec)
    {
        _muLaw = codec switch
        {
            AudioCodec.G711Ulaw => true,
            AudioCodec.G711Alaw => false,
            _ => throw new ArgumentException($"G711Decoder handles g711_ulaw and g711_alaw, not {codec}.", nameof(codec)),
        };
        Codec = codec;
    }

    public AudioCodec Codec { get; }

    public AudioFormat Format => AudioFormat.Telephony;

    public int Decode(ReadOnlySpan<byte> packet, Span<short> destination)
    {
        if (!TryDecode(packet, destination, out var samples))
        {
            throw new InvalidDataException("Empty G.711 packet: a G.711 payload carries at least one sample.");
        }

        return samples;
    }

    public bool TryDecode(ReadOnlySpan<byte> packet, Span<short> destination, out int samplesPerChannel)
    {
        if (destination.Length < packet.Length)
        {
            throw new ArgumentException($"Destination holds {destination.Length} samples; the G.711 packet carries {packet.Length}.", nameof(destination));
        }

        if (packet.IsEmpty)
        {
            samplesPerChannel = 0;
            return false;
        }

        var output = destination[..packet.Length];
        if (_muLaw)
        {
            G711.DecodeMuLaw(packet, output);
        }
        else
        {
            G711.DecodeALaw(packet, output);
        }

        Remember(output);
        samplesPerChannel = packet.Length;
        return true;
    }

    public int Conceal(Span<short> destination, int samplesPerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(samplesPerChannel);
        if (destination.Length < samplesPerChannel)
        {
            throw new ArgumentException($"Destination holds {destination.Length} samples; {samplesPerChannel} were requested.", nameof(destination));
        }

        var output = destination[..samplesPerChannel];
        if (_historyLength == 0)
        {
            output.Clear();
            return samplesPerChannel;
        }

        // Repeat the last good audio cyclically, fading linearly to zero over FadeSamples.
        var phase = _concealedSamples % _historyLength;
        for (var i = 0; i < output.Length; i++)
        {
            var elapsed = _concealedSamples + i;
            if (elapsed >= FadeSamples)
            {
                output[i..].Clear();
                break;
            }

            var gain = FadeSamples - elapsed;
            output[i] = (short)(_history[phase] * gain / FadeSamples);
            if (++phase == _historyLength)
            {
                phase = 0;
            }
        }

        _concealedSamples = Math.Min(_concealedSamples + samplesPerChannel, FadeSamples);
        return samplesPerChannel;
    }

    public int DecodeFec(ReadOnlySpan<byte> nextPacket, Span<short> destination, int samplesPerChannel) =>
        Conceal(destination, samplesPerChannel);

    public void Dispose()
    {
    }

    private void Remember(ReadOnlySpan<short> decoded)
    {
        var keep = decoded.Length > HistorySamples ? decoded[^HistorySamples..] : decoded;
        keep.CopyTo(_history);
        _historyLength = keep.Length;
        _concealedSamples = 0;
    }
}
