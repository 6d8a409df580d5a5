namespace ClutchCall.Voice.Media;

/// <summary>The libopus coding mode an encoder is tuned for (RFC 6716 §2, <c>OPUS_APPLICATION_*</c>).</summary>
internal enum OpusApplication
{
    /// <summary>Speech: favours intelligibility (<c>OPUS_APPLICATION_VOIP</c>).</summary>
    Voip,

    /// <summary>Music and mixed content: favours fidelity (<c>OPUS_APPLICATION_AUDIO</c>).</summary>
    Audio,

    /// <summary>Lowest delay, CELT only (<c>OPUS_APPLICATION_RESTRICTED_LOWDELAY</c>).</summary>
    RestrictedLowDelay,
}

/// <summary>Encoder settings; bound from configuration or set per call.</summary>
internal sealed record OpusEncoderOptions
{
    public OpusApplication Application { get; init; } = OpusApplication.Voip;

    /// <summary>Target bitrate in bits per second (500 to 512000).</summary>
    public int BitrateBps { get; init; } = 24000;

    /// <summary>Computational complexity, 0 (cheapest) to 10 (best).</summary>
    public int Complexity { get; init; } = 5;

    /// <summary>Carry low-bitrate redundancy of the previous frame (SILK LBRR) so a lost packet can be rebuilt from the next one.</summary>
    public bool InbandFec { get; init; }

    /// <summary>Expected packet loss in percent (0 to 100); tunes how much FEC the encoder spends bits on.</summary>
    public int PacketLossPercent { get; init; }

    /// <summary>Discontinuous transmission: during silence send 1-2 byte packets only occasionally.</summary>
    public bool Dtx { get; init; }

    /// <summary>Frame duration: 5, 10, 20, 40 or 60 ms.</summary>
    public int FrameMs { get; init; } = 20;
}

/// <summary>Audio bandwidth coded in an Opus packet's TOC byte (RFC 6716 §3.1, <c>OPUS_BANDWIDTH_*</c>).</summary>
internal enum OpusBandwidth
{
    /// <summary>4 kHz audio bandwidth.</summary>
    Narrowband = 1101,

    /// <summary>6 kHz audio bandwidth.</summary>
    Mediumband = 1102,

    /// <summary>8 kHz audio bandwidth.</summary>
    Wideband = 1103,

    /// <summary>12 kHz audio bandwidth.</summary>
    SuperWideband = 1104,

    /// <summary>20 kHz audio bandwidth.</summary>
    Fullband = 1105,
}
