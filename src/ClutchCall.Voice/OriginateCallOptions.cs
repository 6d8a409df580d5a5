namespace ClutchCall.Voice;

/// <summary>What <see cref="CallsClient.OriginateAsync"/> places.</summary>
public sealed class OriginateCallOptions
{
    /// <summary>E.164 destination (<c>+14155550100</c>), or a built-in test line: <c>sim:echo</c> / <c>sim:speech</c>.</summary>
    public required string To { get; init; }

    /// <summary>Caller id, E.164.</summary>
    public required string From { get; init; }

    /// <summary>SIP trunk to route over.</summary>
    public string? TrunkId { get; init; }

    /// <summary>AI agent id to attach automatically on answer.</summary>
    public string? Agent { get; init; }

    /// <summary>Seconds to ring before giving up. Server-clamped to 5..120; default 30. Negative is rejected.</summary>
    public int? RingTimeoutSeconds { get; init; }
}

/// <summary>Target of <see cref="Call.TransferAsync(TransferOptions, CancellationToken)"/>: exactly one of <see cref="To"/> or <see cref="Agent"/>.</summary>
public sealed class TransferOptions
{
    /// <summary>E.164 number to blind-transfer the call to.</summary>
    public string? To { get; init; }

    /// <summary>Agent id to put on the call instead of the current one.</summary>
    public string? Agent { get; init; }
}

/// <summary>Filters and paging of <see cref="CallsClient.ListAsync"/>.</summary>
public sealed class ListCallsOptions
{
    /// <summary>Only calls in this status.</summary>
    public CallStatus? Status { get; init; }

    /// <summary>Only calls in this direction.</summary>
    public CallDirection? Direction { get; init; }

    /// <summary>Only calls to or from this E.164 number.</summary>
    public string? Number { get; init; }

    /// <summary>Page size, 1..200 (server default 50).</summary>
    public int? Limit { get; init; }

    /// <summary><see cref="CallPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }
}

/// <summary>One page of calls, newest first.</summary>
public sealed class CallPage
{
    internal CallPage(IReadOnlyList<Call> items, string? nextCursor)
    {
        Items = items;
        NextCursor = nextCursor;
    }

    /// <summary>The calls on this page.</summary>
    public IReadOnlyList<Call> Items { get; }

    /// <summary>Pass as <see cref="ListCallsOptions.Cursor"/> for the next page; null on the last page.</summary>
    public string? NextCursor { get; }
}

/// <summary>One line of a call transcript.</summary>
/// <param name="Speaker">Who spoke (<c>caller</c>, <c>agent</c>, …).</param>
/// <param name="Text">What was said.</param>
/// <param name="At">When.</param>
public sealed record TranscriptEntry(string Speaker, string Text, DateTimeOffset At);
