namespace ClutchCall.Voice.Media;

/// <summary>
/// The audio encodings a call's audio can travel in. Their wire names (<c>opus</c>, <c>pcm16</c>,
/// <c>g711_ulaw</c>, <c>g711_alaw</c>) are the ones the HTTP API and the SDKs use.
/// </summary>
public enum AudioCodec
{
    /// <summary>Opus (RFC 6716), the codec of the relay's audio tracks.</summary>
    Opus = 0,

    /// <summary>Uncompressed signed 16-bit little-endian PCM, interleaved.</summary>
    Pcm16 = 1,

    /// <summary>ITU-T G.711 µ-law (PCMU), 8 kHz telephony.</summary>
    G711Ulaw = 2,

    /// <summary>ITU-T G.711 A-law (PCMA), 8 kHz telephony.</summary>
    G711Alaw = 3,
}
