using System.Runtime.CompilerServices;

namespace ClutchCall.Voice.Agents;

/// <summary>The built-in offline agent (kind <c>echo</c>): repeats what it understood.</summary>
public sealed class EchoAgent : IConversationAgent
{
    /// <summary>The agent kind name used by the API.</summary>
    public const string Kind = "echo";

    /// <inheritdoc />
    public async IAsyncEnumerable<AgentChunk> RespondAsync(CallerTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var text = turn.Text.Trim();
        if (text.Length > 0)
        {
            yield return new AgentChunk($"You said: {text}.");
        }

        if (turn.Digits is { Length: > 0 } digits)
        {
            yield return new AgentChunk($"You pressed {string.Join(' ', digits.ToCharArray())}.");
        }

        if (text.Length == 0 && turn.Digits is not { Length: > 0 })
        {
            yield return new AgentChunk("Sorry, I did not catch that.");
        }
    }
}
