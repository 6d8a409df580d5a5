namespace ClutchCall.Voice.Media;

/// <summary>Converts between <see cref="AudioCodec"/> values and their API wire names.</summary>
public static class AudioCodecNames
{
    /// <summary>The API name of a codec: <c>opus</c>, <c>pcm16</c>, <c>g711_ulaw</c> or <c>g711_alaw</c>.</summary>
    public static string ToWireName(this AudioCodec codec) => codec switch
    {
        AudioCodec.Opus => "opus",
        AudioCodec.Pcm16 => "pcm16",
        AudioCodec.G711Ulaw => "g711_ulaw",
        AudioCodec.G711Alaw => "g711_alaw",
        _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "Unknown audio codec."),
    };

    /// <summary>Parses an API codec name; returns false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out AudioCodec codec)
    {
        switch (name)
        {
            case "opus": codec = AudioCodec.Opus; return true;
            case "pcm16": codec = AudioCodec.Pcm16; return true;
            case "g711_ulaw": codec = AudioCodec.G711Ulaw; return true;
            case "g711_alaw": codec = AudioCodec.G711Alaw; return true;
            default: codec = default; return false;
        }
    }
}
