namespace ClutchCall.Voice.Server.Calls;

/// <summary>
/// The only transitions a call may make. Anything else is refused with
/// <see cref="CallTransitionException"/>; terminal states never change again.
/// </summary>
internal static class CallStateMachine
{
    /// <summary>True when <paramref name="from"/> → <paramref name="to"/> is allowed.</summary>
    public static bool CanTransition(CallStatus from, CallStatus to) => (from, to) switch
    {
        // Dialing: the far end may ring, answer straight away (SIP 200 without 180), refuse, or be
        // cancelled by the API (completed) or by the ring timeout (no_answer).
        (CallStatus.Dialing, CallStatus.Ringing) => true,
        (CallStatus.Dialing, CallStatus.InProgress) => true,
        (CallStatus.Dialing, CallStatus.Failed) => true,
        (CallStatus.Dialing, CallStatus.NoAnswer) => true,
        (CallStatus.Dialing, CallStatus.Completed) => true,
        (CallStatus.Ringing, CallStatus.InProgress) => true,
        (CallStatus.Ringing, CallStatus.Failed) => true,
        (CallStatus.Ringing, CallStatus.NoAnswer) => true,
        (CallStatus.Ringing, CallStatus.Completed) => true,
        (CallStatus.InProgress, CallStatus.Completed) => true,
        (CallStatus.InProgress, CallStatus.Failed) => true,
        _ => false,
    };

    /// <summary>Throws <see cref="CallTransitionException"/> unless the transition is allowed.</summary>
    public static void EnsureCanTransition(string sid, CallStatus from, CallStatus to)
    {
        if (!CanTransition(from, to))
        {
            throw new CallTransitionException(sid, from, to);
        }
    }
}

/// <summary>A request to move a call between two states the state machine does not connect.</summary>
internal sealed class CallTransitionException(string sid, CallStatus from, CallStatus to)
    : InvalidOperationException($"Call {sid} cannot go from {from.ToWire()} to {to.ToWire()}.")
{
    public string Sid { get; } = sid;

    public CallStatus From { get; } = from;

    public CallStatus To { get; } = to;
}
