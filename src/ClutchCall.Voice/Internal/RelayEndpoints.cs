using System.Runtime.Versioning;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Transport.Qmux;
using ClutchCall.Voice.Moqt.Transport.Quic;

namespace ClutchCall.Voice.Internal;

/// <summary>Turns the relay URLs an audio token names into MoQT client endpoints, QUIC first.</summary>
internal static class RelayEndpoints
{
    public static IReadOnlyList<MoqtClientEndpoint> Select(IReadOnlyList<string> relayUrls, Uri apiBase)
    {
        var quic = new List<MoqtClientEndpoint>();
        var webSocket = new List<MoqtClientEndpoint>();
        foreach (var url in relayUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                continue;
            }

            switch (uri.Scheme)
            {
                case "ws" or "wss":
                    webSocket.Add(new MoqtClientEndpoint(new WebSocketTransportConnector(), uri));
                    break;
                case "moqt" when QuicSupported():
                    quic.Add(new MoqtClientEndpoint(new QuicTransportConnector(), uri));
                    break;
            }
        }

        if (quic.Count + webSocket.Count > 0)
        {
            return [.. quic, .. webSocket];
        }

        if (relayUrls.Count > 0)
        {
            throw new NotSupportedException($"The server advertises relay URLs this SDK cannot dial ({string.Join(", ", relayUrls)}); it speaks ws(s):// and, where QUIC is available, moqt://. WebTransport (https://) is not supported by the C# SDK.");
        }

        // No URL advertised: the relay is the API server's own /moq.
        var builder = new UriBuilder(apiBase) { Scheme = apiBase.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Path = "/moq" };
        return [new MoqtClientEndpoint(new WebSocketTransportConnector(), builder.Uri)];
    }

    [SupportedOSPlatformGuard("linux")]
    [SupportedOSPlatformGuard("macos")]
    [SupportedOSPlatformGuard("windows")]
    private static bool QuicSupported() =>
        (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsWindows()) && QuicTransportConnector.IsSupported;
}
