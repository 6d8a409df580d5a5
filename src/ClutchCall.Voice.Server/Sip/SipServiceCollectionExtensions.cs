using ClutchCall.Voice.Server.Calls;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>Registers the SIP trunk bridge when <c>Sip:Trunks</c> is configured.</summary>
internal static class SipServiceCollectionExtensions
{
    /// <summary>
    /// Adds the SIP user agent (a hosted service) and the <see cref="SipCallDialer"/> when at least one trunk
    /// is configured under <c>Sip:Trunks</c>; does nothing otherwise. Trunk settings are checked here, so a
    /// bad configuration fails at start-up with the trunk and field named.
    /// </summary>
    public static IServiceCollection AddSipTrunks(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Sip");
        if (!section.GetSection("Trunks").GetChildren().Any())
        {
            return services;
        }

        var options = section.Get<SipServerOptions>() ?? new SipServerOptions();
        foreach (var trunk in options.TrunkList())
        {
            trunk.Validate();
        }

        services.AddSingleton(options);
        services.AddSingleton<SipUserAgentHost>();
        services.AddHostedService(sp => sp.GetRequiredService<SipUserAgentHost>());
        services.AddSingleton<ICallDialer, SipCallDialer>();
        return services;
    }
}
