namespace ClutchCall.Voice.Sip.Transactions;

/// <summary>Timer base values (RFC 3261 §17.1.1.1, Table 4 of Appendix A).</summary>
internal sealed record SipTimers
{
    public static SipTimers Default { get; } = new();

    /// <summary>RTT estimate.</summary>
    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Maximum retransmit interval for non-INVITE requests and INVITE responses.</summary>
    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Maximum duration a message remains in the network.</summary>
    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timer D: wait time for response retransmits (at least 32 s for unreliable transports).</summary>
    public TimeSpan D { get; init; } = TimeSpan.FromSeconds(32);

    /// <summary>Timers B, F, H and J: 64*T1.</summary>
    public TimeSpan Timeout64T1 => T1 * 64;
}

/// <summary>Transaction states (RFC 3261 §17; "Accepted" from RFC 6026 §7.1).</summary>
internal enum SipTransactionState
{
    Calling,
    Trying,
    Proceeding,
    Accepted,
    Completed,
    Confirmed,
    Terminated,
}
