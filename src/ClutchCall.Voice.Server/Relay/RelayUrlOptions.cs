using ClutchCall.Voice.Server.Api;
using ClutchCall.Voice.Server.Hosting;
using Microsoft.Extensions.Options;

namespace ClutchCall.Voice.Server.Relay;

/// <summary>
/// <see cref="RelayOptions"/> as handed to the audio-token endpoint: the configured <c>Relay:Urls</c> when
/// there are any (the documented production setting, e.g. <c>wss://relay.example.com/moq</c>), otherwise the
/// WebSocket URL of this process's own <c>/moq</c> derived from the request (<c>ws(s)://&lt;host&gt;/moq</c>),
/// so a default install hands out a URL that works. In that derived case the running UDP listeners follow it:
/// WebTransport as <c>https://&lt;host&gt;:&lt;port&gt;/moq</c>, raw QUIC as <c>moqt://&lt;host&gt;:&lt;port&gt;</c>.
/// The WebSocket URL stays first so clients that take <c>relayUrls[0]</c> keep working.
/// </summary>
internal sealed class RelayUrlOptions(IOptionsMonitor<RelayOptions> configured, IHttpContextAccessor http, RelayQuicListeners quic) : IOptions<RelayOptions>
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
            List<string> urls = [$"{scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}{RelayEndpoints.Path}"];
            if (quic.WebTransportEndPoint is { } webTransport)
            {
                urls.Add(new UriBuilder(Uri.UriSchemeHttps, request.Host.Host, webTransport.Port, quic.Settings.Path).Uri.AbsoluteUri);
            }

            if (quic.QuicEndPoint is { } rawQuic)
            {
                urls.Add(new UriBuilder("moqt", request.Host.Host, rawQuic.Port).Uri.AbsoluteUri);
            }

            return new RelayOptions
            {
                Host = options.Host,
                TokenSigningKey = options.TokenSigningKey,
                TokenTtl = options.TokenTtl,
                Urls = [.. urls],
            };
        }
    }
}

/// <summary>The WebTransport part of an audio-token answer: where to dial and which certificate to pin.</summary>
internal static class RelayWebTransportInfo
{
    /// <summary>
    /// The first <c>https://</c> relay URL, and the SHA-256 of the certificate the WebTransport listener serves
    /// (W3C WebTransport <c>serverCertificateHashes</c> shape); both null when no WebTransport listener runs.
    /// </summary>
    public static (string? Url, IReadOnlyList<CertificateHashResponse>? Hashes) Of(RelayOptions relay, RelayQuicListeners quic)
    {
        if (quic.WebTransportEndPoint is null || quic.CertificateHash is not { } hash)
        {
            return (null, null);
        }

        var url = relay.Urls.FirstOrDefault(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        return (url, [new CertificateHashResponse("sha-256", Convert.ToBase64String(hash))]);
    }
}
