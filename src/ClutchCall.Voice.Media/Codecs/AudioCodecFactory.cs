namespace ClutchCall.Voice.Media;

/// <summary>Creates the encoder or decoder for an <see cref="AudioCodec"/>.</summary>
internal static class AudioCodecFactory
{
    /// <summary>
    /// Creates an encoder. G.711 requires 8 kHz mono; pcm16 and Opus take 8/16/24/48 kHz mono or stereo.
    /// For Opus, <paramref name="opus"/> supplies the settings and <paramref name="frameMs"/> overrides its frame duration.
    /// </summary>
    public static IAudioEncoder CreateEncoder(AudioCodec codec, AudioFormat format, int frameMs = 20, OpusEncoderOptions? opus = null) => codec switch
    {
        AudioCodec.Opus => new OpusEncoder(format, (opus ?? new OpusEncoderOptions()) with { FrameMs = frameMs }),
        AudioCodec.Pcm16 => new Pcm16Encoder(format, frameMs),
        AudioCodec.G711Ulaw or AudioCodec.G711Alaw => new G711Encoder(RequireTelephony(codec, format), frameMs),
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown audio codec."),
    };

    /// <summary>Creates a decoder producing <paramref name="format"/>.</summary>
    public static IAudioDecoder CreateDecoder(AudioCodec codec, AudioFormat format) => codec switch
    {
        AudioCodec.Opus => new OpusDecoder(format),
        AudioCodec.Pcm16 => new Pcm16Decoder(format),
        AudioCodec.G711Ulaw or AudioCodec.G711Alaw => new G711Decoder(RequireTelephony(codec, format)),
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown audio codec."),
    };

    private static AudioCodec RequireTelephony(AudioCodec codec, AudioFormat format)
    {
        // ITU-T G.711 §1: 8000 samples/s, one channel.
        if (format != AudioFormat.Telephony)
        {
            throw new NotSupportedException($"{codec.ToWireName()} is 8000 Hz mono only; got {format}. Resample to 8 kHz first.");
        }

        return codec;
    }
}
