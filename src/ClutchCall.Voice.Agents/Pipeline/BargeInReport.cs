namespace ClutchCall.Voice.Agents.Pipeline;

/// <summary>
/// What one barge-in did: when the caller's speech over the agent was detected (on the capture clock and on the
/// pipeline's <see cref="TimeProvider"/>), how many queued reply frames were dropped, how many frames still went
/// out after the detection (at most the one a concurrent tick had already taken), and the agent text the caller
/// actually heard.
/// </summary>
/// <param name="TurnId">The interrupted agent turn.</param>
/// <param name="SpeechStartUs">Start of the interrupting speech on the caller's capture clock (µs).</param>
/// <param name="DetectedUs">End of the frame at which the interruption was decided, on the capture clock (µs).</param>
/// <param name="DetectedAt">The moment of the decision, a <see cref="TimeProvider.GetTimestamp"/> value.</param>
/// <param name="DetectedUtc">The moment of the decision on the wall clock (compare with downlink capture timestamps).</param>
public sealed class BargeInReport(long TurnId, long SpeechStartUs, long DetectedUs, long DetectedAt, DateTimeOffset DetectedUtc)
{
    private long _framesSentAfter;
    private long _lastFrameSentAt;

    /// <summary>The interrupted agent turn.</summary>
    public long TurnId { get; } = TurnId;

    /// <summary>Start of the interrupting speech on the caller's capture clock (µs).</summary>
    public long SpeechStartUs { get; } = SpeechStartUs;

    /// <summary>End of the frame at which the interruption was decided, on the capture clock (µs).</summary>
    public long DetectedUs { get; } = DetectedUs;

    /// <summary>The moment of the decision, a <see cref="TimeProvider.GetTimestamp"/> value.</summary>
    public long DetectedAt { get; } = DetectedAt;

    /// <summary>The moment of the decision on the wall clock (compare with downlink capture timestamps).</summary>
    public DateTimeOffset DetectedUtc { get; } = DetectedUtc;

    /// <summary>Queued reply frames discarded at the decision.</summary>
    public int FramesDropped { get; internal set; }

    /// <summary>Reply frames of the interrupted turn handed to the downlink after the decision.</summary>
    public long FramesSentAfter => Interlocked.Read(ref _framesSentAfter);

    /// <summary>When the last of those went out (a <see cref="TimeProvider.GetTimestamp"/> value), or 0.</summary>
    public long LastFrameSentAt => Interlocked.Read(ref _lastFrameSentAt);

    /// <summary>The agent text the caller heard before the interruption (also the transcript line).</summary>
    public string PlayedText { get; internal set; } = string.Empty;

    /// <summary>True when the reply was cut inside or before a sentence, so <see cref="PlayedText"/> is partial.</summary>
    public bool Truncated { get; internal set; }

    internal void FrameSentAfter(long at)
    {
        Interlocked.Increment(ref _framesSentAfter);
        Interlocked.Exchange(ref _lastFrameSentAt, at);
    }
}
