namespace ClutchCall.Voice.Speech.Turns;

/// <summary>Endpointing and barge-in settings for one call; bound from configuration.</summary>
public sealed record TurnOptions
{
    /// <summary>Trailing silence (after the VAD's hangover) that ends a caller turn.</summary>
    public TimeSpan EndOfTurnSilence { get; init; } = TimeSpan.FromMilliseconds(600);

    /// <summary>The longer wait used while the caller is mid-number (digits recognised or DTMF in progress).</summary>
    public TimeSpan MidNumberSilence { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Wait after the last DTMF digit before the digits end the turn.</summary>
    public TimeSpan DtmfInterDigitTimeout { get; init; } = TimeSpan.FromMilliseconds(2000);

    /// <summary>Speech shorter than this in total (a cough, a click) never makes a turn.</summary>
    public TimeSpan MinSpeech { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Continuous caller speech needed to interrupt the agent. Shorter acknowledgements
    /// ("uh-huh", "okay") while the agent speaks are backchannels and do not interrupt.
    /// </summary>
    public TimeSpan BargeInMinSpeech { get; init; } = TimeSpan.FromMilliseconds(600);

    /// <summary>A turn that runs this long ends even without a pause.</summary>
    public TimeSpan MaxTurn { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>DTMF key that ends a turn at once (null: none).</summary>
    public char? DtmfTerminator { get; init; } = '#';
}
