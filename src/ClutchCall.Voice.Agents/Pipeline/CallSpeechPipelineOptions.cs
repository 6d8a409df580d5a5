using ClutchCall.Voice.Speech.Turns;
using ClutchCall.Voice.Speech.Vad;

namespace ClutchCall.Voice.Agents.Pipeline;

/// <summary>Settings for one call's speech pipeline; bound from configuration.</summary>
public sealed record CallSpeechPipelineOptions
{
    /// <summary>The call's id, handed to the agent in every <see cref="CallerTurn"/>.</summary>
    public string CallSid { get; init; } = string.Empty;

    /// <summary>Endpointing and barge-in settings.</summary>
    public TurnOptions Turns { get; init; } = new();

    /// <summary>VAD aggressiveness (higher on noisy lines).</summary>
    public VadAggressiveness VadAggressiveness { get; init; } = VadAggressiveness.LowBitrate;

    /// <summary>Longest wait for a speech engine step (start, final result, next audio chunk).</summary>
    public TimeSpan EngineTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Said when an engine fails mid-call.</summary>
    public string Apology { get; init; } = "Sorry, I had a problem. Please say that again.";
}
