namespace ClutchCall.Voice.Agents;

/// <summary>Who said what in an earlier turn of the call.</summary>
/// <param name="Speaker"><c>caller</c> or <c>agent</c>.</param>
/// <param name="Text">What was said (for the agent: only what the caller actually heard).</param>
public sealed record ConversationEntry(string Speaker, string Text);

/// <summary>A finished caller turn handed to an agent.</summary>
/// <param name="TurnId">Unique within the call; increases turn by turn.</param>
/// <param name="Text">The final recognised text (may be empty when only digits were pressed).</param>
/// <param name="Digits">DTMF digits pressed during the turn, or null.</param>
/// <param name="CallSid">The call's id.</param>
/// <param name="History">Earlier turns, oldest first.</param>
public sealed record CallerTurn(long TurnId, string Text, string? Digits, string CallSid, IReadOnlyList<ConversationEntry> History);

/// <summary>What an agent asks the call to do besides speaking.</summary>
public enum AgentAction
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>End the call after speaking (<c>"hangup": true</c> or <c>"action": "hangup"</c>).</summary>
    Hangup,

    /// <summary>Cold-transfer the call (<c>"action": "transfer"</c>).</summary>
    Transfer,
}

/// <summary>
/// One piece of an agent's reply, shaped like a voice-webhook NDJSON line: text to speak, whether the
/// turn stays open (<c>interim</c>), and optional hangup/transfer action and DTMF digits to press.
/// </summary>
/// <param name="Text">Text to speak (may be empty).</param>
/// <param name="Interim">True for a filler chunk: spoken, but the agent's turn continues.</param>
/// <param name="Action">Hangup or transfer after speaking.</param>
/// <param name="Digits">DTMF digits to send (0-9, *, #), or null.</param>
public sealed record AgentChunk(string Text, bool Interim = false, AgentAction Action = AgentAction.None, string? Digits = null);

/// <summary>
/// The agent boundary: takes a finished caller turn and streams back what to say. The pipeline
/// cancels the token when the caller barges in or hangs up; an agent must stop promptly.
/// </summary>
public interface IConversationAgent
{
    /// <summary>Streams the reply to <paramref name="turn"/>.</summary>
    IAsyncEnumerable<AgentChunk> RespondAsync(CallerTurn turn, CancellationToken cancellationToken);
}
