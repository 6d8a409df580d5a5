using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>Registers the SIP trunk bridge when <c>Sip:Trunks</c> is configured.</summary>
internal static class SipServiceCollectionExtensions
{
    /// <summary>
    /// Adds the SIP user agent (a hosted service) and the <see cref="SipCallDialer"/> when at least one trunk
    /// is configured under <c>Sip:Trunks</c>, with the relay media bridge of every SIP leg and the inbound
    /// routing of <c>Sip:Numbers</c>; does nothing otherwise. Trunk and number settings are checked here, so a
    /// bad configuration fails at start-up with the trunk (or number) and field named.
    /// </summary>
    public static IServiceCollection AddSipTrunks(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Sip");
        if (!section.GetSection("Trunks").GetChildren().Any())
        {
            return services;
        }

        var options = section.Get<SipServerOptions>() ?? new SipServerOptions();
        var trunks = new Dictionary<string, ClutchCall.Voice.Sip.UserAgent.SipTrunkOptions>(StringComparer.Ordinal);
        foreach (var trunk in options.TrunkList())
        {
            trunk.Validate();
            trunks.Add(trunk.Id, trunk);
        }

        for (var i = 0; i < options.Numbers.Count; i++)
        {
            options.Numbers[i].Validate(i, trunks);
        }

        services.AddSingleton(options);
        services.AddSingleton<SipUserAgentHost>();
        services.AddHostedService(sp => sp.GetRequiredService<SipUserAgentHost>());
        services.AddSingleton<SipBridgeServices>();
        services.AddSingleton<ICallDialer>(sp => new SipCallDialer(sp.GetRequiredService<SipUserAgentHost>(), sp.GetRequiredService<SipBridgeServices>(), sp.GetService<IOrgStore>()));
        services.AddHostedService<SipInboundCalls>();
        return services;
    }
}
