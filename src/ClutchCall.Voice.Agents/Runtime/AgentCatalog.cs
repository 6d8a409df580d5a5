using System.Collections.Frozen;

namespace ClutchCall.Voice.Agents.Runtime;

/// <summary>
/// The agent ids this runtime can run and how to make one per call. <c>echo</c> is built in; hosts add
/// more kinds (hosted LLM, webhook, connector) with <see cref="With"/>.
/// </summary>
internal sealed class AgentCatalog
{
    private readonly FrozenDictionary<string, Func<IConversationAgent>> _factories;

    private AgentCatalog(FrozenDictionary<string, Func<IConversationAgent>> factories) => _factories = factories;

    /// <summary>The built-in agents only.</summary>
    public static AgentCatalog BuiltIn { get; } = new(new Dictionary<string, Func<IConversationAgent>>(StringComparer.Ordinal)
    {
        [EchoAgent.Kind] = static () => new EchoAgent(),
    }.ToFrozenDictionary(StringComparer.Ordinal));

    /// <summary>Known ids, sorted (for error messages).</summary>
    public IReadOnlyList<string> Ids => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>A catalog with <paramref name="id"/> added (or replaced).</summary>
    public AgentCatalog With(string id, Func<IConversationAgent> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(factory);
        var all = new Dictionary<string, Func<IConversationAgent>>(_factories, StringComparer.Ordinal) { [id] = factory };
        return new AgentCatalog(all.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public bool IsKnown(string id) => _factories.ContainsKey(id);

    /// <summary>A fresh agent for one call, or false for an unknown id.</summary>
    public bool TryCreate(string id, out IConversationAgent agent)
    {
        if (_factories.TryGetValue(id, out var factory))
        {
            agent = factory();
            return true;
        }

        agent = null!;
        return false;
    }
}
