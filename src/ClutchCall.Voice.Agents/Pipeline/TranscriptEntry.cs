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
public sealed record TurnTimings(long TurnId, long CallerEndOfSpeechUs, TimeSpan? SttFinal, TimeSpan? AgentFirstText, TimeSpan? FirstFrameSent);
