namespace ClutchCall.Voice.Server.Calls;

/// <summary>A request that cannot apply to a call in its current state (HTTP 409).</summary>
internal sealed class CallConflictException(string message) : Exception(message);

/// <summary>No call with that sid in the caller's org (HTTP 404).</summary>
internal sealed class CallNotFoundException(string sid) : Exception($"No call with sid '{sid}' exists in this org.")
{
    public string Sid { get; } = sid;
}
