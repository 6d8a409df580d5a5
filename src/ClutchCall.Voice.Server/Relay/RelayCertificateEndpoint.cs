using ClutchCall.Voice.Server.Api;
using ClutchCall.Voice.Server.Auth;

namespace ClutchCall.Voice.Server.Relay;

/// <summary>What a browser needs to open WebTransport to the relay's self-signed listener.</summary>
/// <param name="Algorithm">Always <c>sha-256</c> (W3C WebTransport <c>serverCertificateHashes</c>).</param>
/// <param name="Value">The certificate's SHA-256 in base64: <c>Uint8Array.from(atob(value), c =&gt; c.charCodeAt(0))</c>.</param>
/// <param name="Hex">The same hash in hex.</param>
/// <param name="NotAfter">When the certificate expires (ISO-8601).</param>
/// <param name="Port">The WebTransport UDP port.</param>
/// <param name="Path">The WebTransport path.</param>
internal sealed record RelayCertificateHashResponse(string Algorithm, string Value, string Hex, DateTimeOffset NotAfter, int Port, string Path);

/// <summary>
/// <c>GET /v1/relay/certificate-hash</c>: the SHA-256 of the relay's WebTransport certificate, for
/// <c>new WebTransport(url, { serverCertificateHashes: [{ algorithm: "sha-256", value }] })</c>.
/// Needs the <c>voice:audio</c> scope, like the audio token it goes with; 404 when WebTransport is not running.
/// </summary>
internal static class RelayCertificateEndpoint
{
    public const string Route = "/v1/relay/certificate-hash";

    public static void Map(WebApplication app) =>
        app.MapGet(Route, Get)
            .WithName("GetRelayCertificateHash")
            .AddEndpointFilter(new RequireScopeFilter(Scopes.Audio));

    private static IResult Get(RelayQuicListeners quic)
    {
        if (quic.Certificate is not { } certificate || quic.WebTransportEndPoint is not { } endPoint || quic.CertificateHash is not { } hash)
        {
            return Problems.NotFound("The relay has no WebTransport listener (set Relay:WebTransport:Port; libmsquic must be installed).");
        }

        return Results.Ok(new RelayCertificateHashResponse(
            "sha-256",
            Convert.ToBase64String(hash),
            Convert.ToHexString(hash).ToLowerInvariant(),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            endPoint.Port,
            quic.Settings.Path));
    }
}
