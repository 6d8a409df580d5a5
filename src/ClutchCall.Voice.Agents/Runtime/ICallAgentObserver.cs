using ClutchCall.Voice.Agents.Pipeline;

namespace ClutchCall.Voice.Agents.Runtime;

/// <summary>
/// Where a <see cref="CallAgentSession"/> reports what happened on its call. Called on media and engine
/// threads: implementations must return quickly (queue the work) and must not throw.
/// </summary>
internal interface ICallAgentObserver
{
    /// <summary>A transcript line became final (caller text, or the agent text the caller actually heard).</summary>
    void OnTranscript(string callSid, TranscriptEntry entry);

    /// <summary>A turn's timings are complete.</summary>
    void OnTurn(string callSid, TurnTimings timings);

    /// <summary>An engine or the agent failed; the call goes on.</summary>
    void OnEngineFailure(string callSid, string engine, Exception error);
}
