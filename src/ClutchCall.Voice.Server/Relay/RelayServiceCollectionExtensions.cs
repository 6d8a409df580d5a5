using ClutchCall.Voice.Media;
using ClutchCall.Voice.Relay.Access;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Relay.Server;
using ClutchCall.Voice.Server.Calls.Simulated;
using ClutchCall.Voice.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClutchCall.Voice.Server.Relay;

/// <summary>Registers the in-process relay, its endpoints' services and the relay-backed test line.</summary>
internal static class RelayServiceCollectionExtensions
{
    public static IServiceCollection AddVoiceRelay(this IServiceCollection services, IConfiguration configuration)
    {
        var drain = configuration.GetValue<TimeSpan?>("Relay:DrainTimeout") ?? TimeSpan.FromSeconds(2);
        services.AddHttpContextAccessor();
        services.AddSingleton<IOptions<RelayOptions>, RelayUrlOptions>();
        services.AddSingleton<InProcessRelay>();
        services.AddSingleton(sp => new RelayQuicListeners(RelayQuicSettings.From(configuration), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new MoqtRelayServer(
            new MoqtRelayOptions { DrainTimeout = drain },
            new TokenRelayAuthorizer(sp.GetRequiredService<RelayTokenValidator>())));
        services.AddHostedService<RelayHost>();
        services.TryAddSingleton(sp =>
        {
            var clock = new MediaClock(sp.GetRequiredService<TimeProvider>());
            clock.Start();
            return clock;
        });
        services.TryAddSingleton<SpeechFrames>();
        services.TryAddSingleton<ISimulatedCallee, RelaySimulatedCallee>();
        return services;
    }
}
