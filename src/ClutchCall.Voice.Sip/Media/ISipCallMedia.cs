using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Sip.Media;

/// <summary>Where a played-out frame came from (the jitter buffer's view, RFC 3550 §A.1 loss handling).</summary>
internal enum SipFrameKind
{
    /// <summary>Silence while the jitter buffer fills to its playout delay.</summary>
    Buffering,

    /// <summary>The packet due now, decoded.</summary>
    Decoded,

    /// <summary>A lost packet rebuilt from the next packet's in-band FEC (Opus).</summary>
    FecRecovered,

    /// <summary>Packet-loss concealment.</summary>
    Concealed,
}

/// <summary>Receives one decoded 20 ms frame of a call's audio (valid only during the call).</summary>
/// <param name="pcm">Mono PCM16 at <see cref="ISipCallMedia.PcmFormat"/>.</param>
/// <param name="kind">Decoded, recovered, concealed, or buffering silence.</param>
/// <param name="frameIndex">Frames delivered so far; × 20 ms gives the media time.</param>
internal delegate void SipPcmFrameHandler(ReadOnlySpan<short> pcm, SipFrameKind kind, long frameIndex);

/// <summary>Receives one encoded RTP payload as it arrived (Opus pass-through; no jitter buffering).</summary>
internal delegate void SipEncodedFrameHandler(ReadOnlySpan<byte> payload, ushort sequence, uint rtpTimestamp);

/// <summary>
/// The audio of one SIP call, as the bridge to the relay sees it: decoded 20 ms PCM frames in, one
/// <see cref="SendPcm"/> per 20 ms frame out (the caller paces), digits both ways, and when the trunk
/// negotiated Opus an encoded pass-through path that skips transcoding.
/// </summary>
internal interface ISipCallMedia
{
    /// <summary>The codec negotiated with the far end.</summary>
    AudioCodec Codec { get; }

    /// <summary>The PCM format of <see cref="PcmReceived"/> and <see cref="SendPcm"/> (mono, the configured rate).</summary>
    AudioFormat PcmFormat { get; }

    /// <summary>True when <see cref="Codec"/> is Opus, so <see cref="SendEncoded"/>/<see cref="EncodedReceived"/> carry relay frames as they are.</summary>
    bool SupportsPassThrough { get; }

    /// <summary>One decoded frame per 20 ms tick once the far end's media has started.</summary>
    event SipPcmFrameHandler? PcmReceived;

    /// <summary>Every received audio payload, before the jitter buffer.</summary>
    event SipEncodedFrameHandler? EncodedReceived;

    /// <summary>A DTMF digit from RFC 4733 events or SIP INFO, once per key press.</summary>
    event Action<char>? DigitReceived;

    /// <summary>Encodes and sends one 20 ms frame (<c>PcmFormat.InterleavedSamples(20)</c> samples).</summary>
    void SendPcm(ReadOnlySpan<short> pcm20Ms);

    /// <summary>Sends one already-encoded 20 ms frame in the negotiated codec.</summary>
    void SendEncoded(ReadOnlySpan<byte> payload);

    /// <summary>Sends digits as RFC 4733 events; completes when the last end packet is sent.</summary>
    ValueTask SendDigitsAsync(string digits, CancellationToken cancellationToken);
}
