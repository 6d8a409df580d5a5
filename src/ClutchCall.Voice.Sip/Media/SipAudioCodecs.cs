using ClutchCall.Voice.Media;
using ClutchCall.Voice.Sip.Sdp;

namespace ClutchCall.Voice.Sip.Media;

/// <summary>Maps negotiated SDP codecs to the media layer's codecs and their RTP clocks.</summary>
internal static class SipAudioCodecs
{
    /// <summary>The media codec for an SDP encoding name, or false for one the bridge cannot carry.</summary>
    public static bool TryMap(SdpCodec codec, out AudioCodec audioCodec)
    {
        switch (codec.Encoding.ToUpperInvariant())
        {
            case "PCMU": audioCodec = AudioCodec.G711Ulaw; return true;
            case "PCMA": audioCodec = AudioCodec.G711Alaw; return true;
            case "OPUS": audioCodec = AudioCodec.Opus; return true;
            default: audioCodec = default; return false;
        }
    }

    /// <summary>RTP clock rate: 8000 for G.711 (RFC 3551 §4.5.14), 48000 for Opus whatever is coded (RFC 7587 §4.1).</summary>
    public static int ClockRate(AudioCodec codec) => codec == AudioCodec.Opus ? 48000 : 8000;

    /// <summary>The PCM rate a decoder/encoder for <paramref name="codec"/> works at for a leg whose PCM is at <paramref name="pcmRate"/>.</summary>
    public static int CodecPcmRate(AudioCodec codec, int pcmRate) => codec == AudioCodec.Opus ? pcmRate : 8000;

    /// <summary>Parses a configured codec name (PCMU, PCMA, opus).</summary>
    public static SdpCodec? FromName(string name) => name.ToUpperInvariant() switch
    {
        "PCMU" or "G711U" or "G711_ULAW" => SdpCodec.Pcmu,
        "PCMA" or "G711A" or "G711_ALAW" => SdpCodec.Pcma,
        "OPUS" => SdpCodec.Opus,
        _ => null,
    };
}
