namespace ClutchCall.Voice.Server.Calls;

/// <summary>Which way a call was set up.</summary>
internal enum CallDirection
{
    Outbound,
    Inbound,
}

/// <summary>One call as stored. Timestamps are UTC; <see cref="Seq"/> orders calls for paging.</summary>
internal sealed record CallRecord
{
    public required string Sid { get; init; }

    public required string OrgId { get; init; }

    public required CallDirection Direction { get; init; }

    public required string To { get; init; }

    public required string From { get; init; }

    public string? TrunkId { get; init; }

    public string? Agent { get; init; }

    public required CallStatus Status { get; init; }

    public required int RingTimeoutSeconds { get; init; }

    public string? EndReason { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? AnsweredAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public int? DurationSeconds { get; init; }

    public long Seq { get; init; }

    /// <summary>Optimistic-concurrency version: 1 on insert, +1 on every stored update.</summary>
    public long Version { get; init; } = 1;

    /// <summary>
    /// The record after moving to <paramref name="to"/> at <paramref name="now"/>: stamps
    /// answeredAt on answer, and endedAt plus whole-second duration (answer to end, 0 when never
    /// answered) on a terminal state.
    /// </summary>
    public CallRecord TransitionTo(CallStatus to, DateTimeOffset now, string? endReason = null)
    {
        CallStateMachine.EnsureCanTransition(Sid, Status, to);
        var next = this with { Status = to };
        if (to == CallStatus.InProgress)
        {
            next = next with { AnsweredAt = now };
        }

        if (to.IsTerminal())
        {
            var duration = AnsweredAt is { } answered ? (int)Math.Max(0, Math.Floor((now - answered).TotalSeconds)) : 0;
            next = next with { EndedAt = now, DurationSeconds = duration, EndReason = endReason ?? EndReason };
        }

        return next;
    }
}

/// <summary>One line of a call's transcript.</summary>
internal sealed record TranscriptEntry(string Speaker, string Text, DateTimeOffset At);
