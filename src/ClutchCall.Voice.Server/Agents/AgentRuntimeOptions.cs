using ClutchCall.Voice.Speech.Turns;
using ClutchCall.Voice.Speech.Vad;

namespace ClutchCall.Voice.Server.Agents;

/// <summary>The agent runtime's settings (configuration section <c>Agents</c>).</summary>
internal sealed class AgentRuntimeOptions
{
    /// <summary>
    /// When true (the default), originate/attach/transfer with an agent id the runtime does not know is refused
    /// with 400 rather than accepted and silently never run. When false the id is recorded and a warning is
    /// logged when the call is answered, but no agent runs (for hosts whose agents are attached by another system).
    /// </summary>
    public bool RejectUnknown { get; set; } = true;

    /// <summary>Longest wait for one speech-engine step before the pipeline apologises and goes on.</summary>
    public TimeSpan EngineTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>VAD aggressiveness for callers.</summary>
    public VadAggressiveness VadAggressiveness { get; set; } = VadAggressiveness.LowBitrate;

    /// <summary>Trailing silence that ends a caller's turn.</summary>
    public TimeSpan? EndOfTurnSilence { get; set; }

    /// <summary>Longest wait for an agent session to join the relay on attach.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait, on detach, for queued transcript lines and timings to be stored.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal TurnOptions Turns(TurnOptions defaults) => EndOfTurnSilence is { } silence ? defaults with { EndOfTurnSilence = silence } : defaults;
}
