namespace ClutchCall.Voice.Agents.Pipeline;

/// <summary>One line of a call's transcript, raised as it becomes final so the server can persist it.</summary>
/// <param name="TurnId">The turn the line belongs to.</param>
/// <param name="Speaker"><c>caller</c> or <c>agent</c>.</param>
/// <param name="Text">Caller: the final recognised text. Agent: only the text the caller actually heard.</param>
/// <param name="At">When the line became final (the pipeline's <see cref="TimeProvider"/>).</param>
/// <param name="Truncated">True when the agent was interrupted and only part of its reply was played.</param>
public sealed record TranscriptEntry(long TurnId, string Speaker, string Text, DateTimeOffset At, bool Truncated = false);

/// <summary>
/// Per-turn latencies, measured from the moment the caller's end of turn was detected, on the
/// pipeline's <see cref="TimeProvider"/>. A null stage did not happen (failure, barge-in, nothing to say).
/// </summary>
/// <param name="TurnId">The turn.</param>
/// <param name="CallerEndOfSpeechUs">End of the caller's last speech frame on the capture clock (µs).</param>
/// <param name="SttFinal">End of turn → final recognition result.</param>
/// <param name="AgentFirstText">End of turn → the agent's first text chunk.</param>
/// <param name="FirstFrameSent">End of turn → first agent audio frame handed to the downlink sink.</param>
public sealed record TurnTimings(long TurnId, long CallerEndOfSpeechUs, TimeSpan? SttFinal, TimeSpan? AgentFirstText, TimeSpan? FirstFrameSent)
{
    /// <summary>When the end of turn was detected, on the capture clock (µs): the last speech frame plus the trailing silence.</summary>
    public long TurnDetectedUs { get; init; }

    /// <summary>Endpointing wait: caller end of speech → end of turn detected (the configured trailing silence, on the capture clock).</summary>
    public TimeSpan EndpointingDelay => TimeSpan.FromMicroseconds(Math.Max(0, TurnDetectedUs - CallerEndOfSpeechUs));

    /// <summary>Recogniser compute on the latency path: end of audio handed over → final result.</summary>
    public TimeSpan? SttCompute { get; init; }

    /// <summary>Agent compute: the turn handed to the agent → its first text chunk.</summary>
    public TimeSpan? AgentCompute { get; init; }

    /// <summary>Synthesis compute: first text (or the apology) handed to TTS → first synthesized audio.</summary>
    public TimeSpan? TtsCompute { get; init; }

    /// <summary>True when the reply was cut short (barge-in, a newer turn, or the call ended).</summary>
    public bool Interrupted { get; init; }

    /// <summary>DTMF digits the caller pressed in this turn (the terminator key excluded), or null.</summary>
    public string? Digits { get; init; }

    /// <summary>When caller speech over the reply was detected and cut it, on the capture clock (µs); null when no barge-in.</summary>
    public long? BargeInDetectedUs { get; init; }

    /// <summary>
    /// The engine's own overhead: end of turn detected → first frame sent, minus STT, agent and TTS compute
    /// (queueing, hand-offs, reframing and waiting for the next media-clock tick). Null when no frame was sent.
    /// </summary>
    public TimeSpan? EngineOverhead => FirstFrameSent is { } total
        ? TimeSpan.FromTicks(Math.Max(0, (total - (SttCompute ?? TimeSpan.Zero) - (AgentCompute ?? TimeSpan.Zero) - (TtsCompute ?? TimeSpan.Zero)).Ticks))
        : null;
}
