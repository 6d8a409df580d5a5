namespace ClutchCall.Voice.Media;

/// <summary>Settings of a <see cref="JitterBuffer"/>.</summary>
internal sealed record JitterBufferOptions
{
    /// <summary>Audio per packet and per <see cref="JitterBuffer.Pop"/>, in milliseconds.</summary>
    public int FrameMs { get; init; } = 20;

    /// <summary>Lower bound of the target delay.</summary>
    public int MinDelayMs { get; init; } = 40;

    /// <summary>Upper bound of the target delay.</summary>
    public int MaxDelayMs { get; init; } = 400;

    /// <summary>Target delay = frame + <c>JitterMultiplier</c> × interarrival jitter, rounded up to whole frames.</summary>
    public double JitterMultiplier { get; init; } = 3.0;

    /// <summary>Clock rate of RTP timestamps passed to <see cref="JitterBuffer.Push"/> (48000 for Opus, 8000 for G.711).</summary>
    public int TimestampRate { get; init; } = 48000;

    /// <summary>Packets the buffer can hold (a power of two); must cover <see cref="MaxDelayMs"/>.</summary>
    public int Capacity { get; init; } = 64;

    /// <summary>Largest payload accepted; larger packets are dropped and counted.</summary>
    public int MaxPayloadBytes { get; init; } = 1500;

    /// <summary>Frames above the target before the buffer starts dropping frames to shrink its delay.</summary>
    public int ShrinkHysteresisFrames { get; init; } = 1;

    /// <summary>Recover a lost packet from the in-band FEC of the next one when the codec has it (Opus).</summary>
    public bool UseFec { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FrameMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinDelayMs, FrameMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelayMs, MinDelayMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TimestampRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPayloadBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(ShrinkHysteresisFrames);
        if (Capacity < 4 || (Capacity & (Capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, "Capacity must be a power of two, at least 4.");
        }

        if ((long)Capacity * FrameMs < MaxDelayMs + ((ShrinkHysteresisFrames + 2) * FrameMs))
        {
            throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, $"Capacity of {Capacity} frames cannot hold the maximum delay of {MaxDelayMs} ms plus hysteresis.");
        }
    }
}
