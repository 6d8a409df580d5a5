using ClutchCall.Voice.Server.Hosting;
using Microsoft.Extensions.Options;

namespace ClutchCall.Voice.Server.Relay;

/// <summary>
/// <see cref="RelayOptions"/> as handed to the audio-token endpoint: the configured <c>Relay:Urls</c> when
/// there are any (the documented production setting, e.g. <c>wss://relay.example.com/moq</c>), otherwise the
/// WebSocket URL of this process's own <c>/moq</c> derived from the request (<c>ws(s)://&lt;host&gt;/moq</c>),
/// so a default install hands out a URL that works.
/// </summary>
internal sealed class RelayUrlOptions(IOptionsMonitor<RelayOptions> configured, IHttpContextAccessor http) : IOptions<RelayOptions>
{
    public RelayOptions Value
    {
        get
        {
            var options = configured.CurrentValue;
            if (options.Urls.Length > 0 || http.HttpContext is not { } context)
            {
                return options;
            }

            var request = context.Request;
            var scheme = request.IsHttps ? "wss" : "ws";
            return new RelayOptions
            {
                Host = options.Host,
                TokenSigningKey = options.TokenSigningKey,
                TokenTtl = options.TokenTtl,
                Urls = [$"{scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}{RelayEndpoints.Path}"],
            };
        }
    }
}
