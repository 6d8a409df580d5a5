namespace ClutchCall.Voice.Speech.Vad;

/// <summary>
/// How readily the voice activity detector calls a frame non-speech. Higher settings need more
/// evidence of speech and hold speech for a shorter time after it stops, as in WebRTC's VAD modes.
/// </summary>
public enum VadAggressiveness
{
    /// <summary>Mode 0: misses the least speech; most tolerant of noise being called speech.</summary>
    Quality = 0,

    /// <summary>Mode 1: the default balance.</summary>
    LowBitrate = 1,

    /// <summary>Mode 2: rejects more noise.</summary>
    Aggressive = 2,

    /// <summary>Mode 3: rejects the most noise; may clip quiet speech.</summary>
    VeryAggressive = 3,
}
