using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Sip.Media;

/// <summary>Per-leg media settings shared by every call of a user agent.</summary>
internal sealed record SipMediaSettings
{
    /// <summary>Rate of the PCM the application sees (8000, 16000, 24000 or 48000; the relay uses 48000).</summary>
    public int PcmSampleRate { get; init; } = 48000;

    /// <summary>Latch RTP to the source of the first packet received (symmetric RTP behind NAT).</summary>
    public bool SymmetricRtp { get; init; } = true;

    /// <summary>RTCP report interval (RFC 3550 §6.2 recommends 5 s minimum).</summary>
    public TimeSpan RtcpInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Jitter buffer settings (frame and timestamp rate are set per codec).</summary>
    public JitterBufferOptions Jitter { get; init; } = new();

    /// <summary>Opus encoder settings when Opus is negotiated.</summary>
    public OpusEncoderOptions Opus { get; init; } = new() { InbandFec = true, PacketLossPercent = 5 };
}
