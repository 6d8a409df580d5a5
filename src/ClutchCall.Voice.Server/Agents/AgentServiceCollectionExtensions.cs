using System.Diagnostics.Metrics;
using ClutchCall.Voice.Agents.Runtime;
using ClutchCall.Voice.Speech.Engines;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClutchCall.Voice.Server.Agents;

/// <summary>Registers the agent runtime (speech pipeline per call) as the host's <see cref="IAgentAttacher"/>.</summary>
internal static class AgentServiceCollectionExtensions
{
    public static IServiceCollection AddVoiceAgents(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AgentRuntimeOptions>(configuration.GetSection("Agents"));
        services.Configure<SpeechEngineOptions>(configuration.GetSection(SpeechEngineOptions.SectionName));
        services.TryAddSingleton(AgentCatalog.BuiltIn);
        services.TryAddSingleton<AgentEngines>();
        services.TryAddSingleton<CallTurnStore>();
        services.TryAddSingleton(sp => new AgentMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<PipelineAgentAttacher>();
        services.TryAddSingleton<IAgentAttacher>(sp => sp.GetRequiredService<PipelineAgentAttacher>());
        return services;
    }
}
