namespace ClutchCall.Voice.Server.Calls;

/// <summary>
/// Places the far end of a call. The host registers one dialer per kind of destination: the
/// built-in <see cref="Simulated.SimulatedDialer"/> for <c>sim:*</c>, and (when the SIP bridge lands)
/// a SIP dialer for E.164 numbers over a trunk. The first dialer whose <see cref="CanDial"/> accepts
/// the call dials it.
/// </summary>
internal interface ICallDialer
{
    /// <summary>True when this dialer can reach <paramref name="call"/>'s destination.</summary>
    bool CanDial(CallRecord call);

    /// <summary>
    /// Starts dialing and returns the live leg at once; progress arrives later through
    /// <paramref name="events"/> (ringing, answered, ended).
    /// </summary>
    ValueTask<ICallLeg> DialAsync(CallRecord call, ICallLegEvents events, CancellationToken cancellationToken);
}

/// <summary>The live far end of one call, owned by the call engine until the call ends.</summary>
internal interface ICallLeg : IAsyncDisposable
{
    /// <summary>Ends the leg (CANCEL before answer, BYE after). Must not report <see cref="ICallLegEvents.EndedAsync"/> for it.</summary>
    ValueTask HangupAsync(CancellationToken cancellationToken);

    /// <summary>Blind-transfers the far end to <paramref name="to"/> (SIP REFER); our leg ends afterwards.</summary>
    ValueTask TransferAsync(string to, CancellationToken cancellationToken);
}

/// <summary>Progress a leg reports to the call engine. Calls after the call has ended are ignored.</summary>
internal interface ICallLegEvents
{
    ValueTask RingingAsync();

    ValueTask AnsweredAsync();

    /// <summary>The far end ended the call: <paramref name="status"/> is completed, failed or no_answer.</summary>
    ValueTask EndedAsync(CallStatus status, string reason);
}
