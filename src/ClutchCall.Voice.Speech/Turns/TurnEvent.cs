namespace ClutchCall.Voice.Speech.Turns;

/// <summary>What a <see cref="TurnDetector"/> reports after a frame or a DTMF digit.</summary>
public enum TurnEventKind
{
    /// <summary>Nothing changed.</summary>
    None = 0,

    /// <summary>The caller started speaking (a possible new turn: start the recogniser).</summary>
    SpeechStarted,

    /// <summary>Speech too short for a turn ended; drop what the recogniser heard.</summary>
    SpeechDiscarded,

    /// <summary>The caller's turn ended: hand it to the agent.</summary>
    TurnEnded,

    /// <summary>The caller spoke over the agent long enough to interrupt it.</summary>
    BargeIn,

    /// <summary>A short acknowledgement over the agent ended; it neither interrupts nor makes a turn.</summary>
    Backchannel,

    /// <summary>A DTMF digit arrived (<see cref="TurnEvent.Digit"/>).</summary>
    DtmfDigit,
}

/// <summary>A turn-taking event with its times on the call's media clock (microseconds).</summary>
/// <param name="Kind">What happened.</param>
/// <param name="StartUs">Start of the turn's (or burst's) first speech or digit.</param>
/// <param name="EndUs">End of its last speech or digit.</param>
/// <param name="Digit">The DTMF digit for <see cref="TurnEventKind.DtmfDigit"/>.</param>
/// <param name="Digits">All DTMF digits of an ended turn, or null.</param>
public readonly record struct TurnEvent(TurnEventKind Kind, long StartUs = 0, long EndUs = 0, char Digit = '\0', string? Digits = null)
{
    /// <summary>No event.</summary>
    public static TurnEvent None => default;
}
