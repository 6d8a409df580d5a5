using Microsoft.Extensions.Logging;

namespace ClutchCall.Voice.Server.Agents;

/// <summary>
/// Seam to the agent runtime: binds a speech-to-speech agent to a live call's audio. The call engine
/// calls it when a call with an agent is answered, and when an agent is attached to (or transferred
/// onto) a call already in progress. The host replaces <see cref="UnwiredAgentAttacher"/> once the
/// agent runtime exists.
/// </summary>
internal interface IAgentAttacher
{
    /// <summary>Starts <paramref name="agent"/> on call <paramref name="callSid"/> (replacing any agent already on it).</summary>
    ValueTask AttachAsync(string orgId, string callSid, string agent, CancellationToken cancellationToken);

    /// <summary>Stops whatever agent runs on the call (the call ended).</summary>
    ValueTask DetachAsync(string orgId, string callSid, CancellationToken cancellationToken);
}

/// <summary>Default until the agent runtime is wired: records nothing, logs that no runtime is present.</summary>
internal sealed partial class UnwiredAgentAttacher(ILogger<UnwiredAgentAttacher> logger) : IAgentAttacher
{
    public ValueTask AttachAsync(string orgId, string callSid, string agent, CancellationToken cancellationToken)
    {
        LogNoRuntime(callSid, agent);
        return ValueTask.CompletedTask;
    }

    public ValueTask DetachAsync(string orgId, string callSid, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Agent {Agent} recorded on call {CallSid}; no agent runtime is wired in this host yet")]
    private partial void LogNoRuntime(string callSid, string agent);
}
