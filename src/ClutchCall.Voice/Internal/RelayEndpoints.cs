using System.Runtime.Versioning;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Transport.Qmux;
using ClutchCall.Voice.Moqt.Transport.Quic;
using ClutchCall.Voice.Moqt.Transport.WebTransport;

namespace ClutchCall.Voice.Internal;

/// <summary>
/// Turns the relay URLs an audio token names into MoQT client endpoints in race order: WebTransport
/// (<c>https://</c>) first, raw QUIC (<c>moqt://</c>) next, WebSocket (<c>ws(s)://</c>) last. The MoqtClient gives
/// each a head start over the next, so a network that blocks UDP falls back to WebSocket quickly.
/// </summary>
internal static class RelayEndpoints
{
    /// <summary>Builds the endpoints; <paramref name="certificateHashes"/> pin the UDP listeners' self-signed certificate.</summary>
    public static IReadOnlyList<MoqtClientEndpoint> Select(IReadOnlyList<string> relayUrls, IReadOnlyList<byte[]> certificateHashes, Uri apiBase, bool? quicSupported = null)
    {
        var webTransport = new List<MoqtClientEndpoint>();
        var quic = new List<MoqtClientEndpoint>();
        var webSocket = new List<MoqtClientEndpoint>();
        var udp = quicSupported ?? QuicSupported();
        foreach (var url in relayUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                VoiceEventSource.Log.UnsupportedSchemeSkipped(url);
                continue;
            }

            switch (uri.Scheme)
            {
                case "ws" or "wss":
                    webSocket.Add(new MoqtClientEndpoint(new WebSocketTransportConnector(), uri));
                    break;
                case "https" or "moqt" when !udp:
                    VoiceEventSource.Log.QuicUnsupportedSkipped(url);
                    break;
                case "https":
                    webTransport.Add(new MoqtClientEndpoint(new PinnedCertificateConnector(new WebTransportConnector(), certificateHashes), uri));
                    break;
                case "moqt":
                    if (CreateQuic(certificateHashes) is { } connector)
                    {
                        quic.Add(new MoqtClientEndpoint(connector, uri));
                    }

                    break;
                default:
                    VoiceEventSource.Log.UnsupportedSchemeSkipped(url);
                    break;
            }
        }

        if (webTransport.Count + quic.Count + webSocket.Count > 0)
        {
            return [.. webTransport, .. quic, .. webSocket];
        }

        if (relayUrls.Count > 0)
        {
            throw new NotSupportedException($"The server advertises no relay URL this SDK can dial here ({string.Join(", ", relayUrls)}): it speaks ws(s):// everywhere, and https:// (WebTransport) and moqt:// (raw QUIC) where System.Net.Quic is supported (libmsquic installed; supported now: {udp}).");
        }

        // No URL advertised: the relay is the API server's own /moq.
        var builder = new UriBuilder(apiBase) { Scheme = apiBase.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Path = "/moq" };
        return [new MoqtClientEndpoint(new WebSocketTransportConnector(), builder.Uri)];
    }

    /// <summary>Decodes the base64 SHA-256 hashes of an audio token; anything else is ignored.</summary>
    public static IReadOnlyList<byte[]> DecodeHashes(IReadOnlyList<CertificateHashWire>? hashes)
    {
        if (hashes is null)
        {
            return [];
        }

        var result = new List<byte[]>();
        foreach (var hash in hashes)
        {
            var bytes = new byte[32];
            if (string.Equals(hash.Algorithm, "sha-256", StringComparison.OrdinalIgnoreCase)
                && Convert.TryFromBase64String(hash.Value, bytes, out var written)
                && written == 32)
            {
                result.Add(bytes);
            }
        }

        return result;
    }

    private static PinnedCertificateConnector? CreateQuic(IReadOnlyList<byte[]> certificateHashes) =>
        QuicSupported() ? new PinnedCertificateConnector(new QuicTransportConnector(), certificateHashes) : null;

    [SupportedOSPlatformGuard("linux")]
    [SupportedOSPlatformGuard("macos")]
    [SupportedOSPlatformGuard("windows")]
    private static bool QuicSupported() =>
        (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsWindows()) && QuicTransportConnector.IsSupported;
}
