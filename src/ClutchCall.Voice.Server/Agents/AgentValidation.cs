using ClutchCall.Voice.Agents.Runtime;
using Microsoft.Extensions.Options;

namespace ClutchCall.Voice.Server.Agents;

/// <summary>API-side check that an agent id names an agent this runtime can run.</summary>
internal static class AgentValidation
{
    /// <summary>
    /// Null when <paramref name="agent"/> is absent, known, or unknown ids are allowed
    /// (<see cref="AgentRuntimeOptions.RejectUnknown"/> off); otherwise what is wrong, for a 400.
    /// </summary>
    public static string? CheckKnown(HttpContext http, string field, string? agent)
    {
        if (agent is null || !http.RequestServices.GetRequiredService<IOptions<AgentRuntimeOptions>>().Value.RejectUnknown)
        {
            return null;
        }

        var catalog = http.RequestServices.GetRequiredService<AgentCatalog>();
        return catalog.IsKnown(agent) ? null : $"'{field}' names an unknown agent '{agent}'; agents available here: {string.Join(", ", catalog.Ids.Select(id => $"'{id}'"))}.";
    }
}
