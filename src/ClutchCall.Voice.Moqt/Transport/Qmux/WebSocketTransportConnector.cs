using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>
/// Dials <c>ws://</c> / <c>wss://</c> (or <c>http(s)://</c>, rewritten) with <see cref="ClientWebSocket"/>, offering
/// the QMux subprotocols for <see cref="MoqtTransportConnectOptions.ApplicationProtocols"/> plus the bare versions,
/// and puts the token in the query as <c>jwt=</c>.
/// </summary>
internal sealed class WebSocketTransportConnector : IMoqtTransportConnector
{
    public string TransportName => "websocket";

    public async ValueTask<IMoqtTransportConnection> ConnectAsync(Uri uri, MoqtTransportConnectOptions options, CancellationToken cancellationToken)
    {
        var target = BuildUri(uri, options.AuthorizationToken);
        var socket = new ClientWebSocket();
        foreach (var token in QmuxSubprotocol.Offer(options.ApplicationProtocols))
        {
            socket.Options.AddSubProtocol(token);
        }

        if (options.AllowUntrustedCertificate || options.ServerCertificateHashes.Count > 0)
        {
            socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || options.AllowUntrustedCertificate || MatchesHash(certificate, options.ServerCertificateHashes);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            if (!QmuxSubprotocol.TryParse(socket.SubProtocol, out var protocol))
            {
                socket.Abort();
                throw new MoqtTransportException($"Server at {uri} selected no QMux subprotocol ('{socket.SubProtocol}').");
            }

            var info = new MoqtConnectionInfo(
                protocol.ApplicationProtocol,
                QmuxSubprotocol.VersionToken(protocol.Version),
                target.AbsolutePath,
                target.Authority,
                options.AuthorizationToken ?? MoqtConnectionInfo.TokenFromQuery(target.Query));
            return await WebSocketTransportConnection.ConnectAsync(socket, protocol, info, new DnsEndPoint(target.Host, target.Port), options.Limits, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new MoqtTransportException($"WebSocket connection to {uri} failed: {exception.Message}", innerException: exception);
        }
    }

    private static Uri BuildUri(Uri uri, string? token)
    {
        var builder = new UriBuilder(uri)
        {
            Scheme = uri.Scheme switch
            {
                "https" or "wss" => "wss",
                "http" or "ws" => "ws",
                _ => throw new MoqtTransportException($"WebSocket transport needs ws://, wss://, http:// or https://, got '{uri.Scheme}'."),
            },
        };
        if (uri.IsDefaultPort)
        {
            builder.Port = -1;
        }

        if (token is not null && MoqtConnectionInfo.TokenFromQuery(uri.Query) is null)
        {
            var query = builder.Query.TrimStart('?');
            builder.Query = (query.Length > 0 ? query + "&" : string.Empty) + "jwt=" + Uri.EscapeDataString(token);
        }

        return builder.Uri;
    }

    private static bool MatchesHash(X509Certificate? certificate, IReadOnlyList<byte[]> hashes)
    {
        if (certificate is null)
        {
            return false;
        }

        var hash = SHA256.HashData(certificate.GetRawCertData());
        foreach (var expected in hashes)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                return true;
            }
        }

        return false;
    }
}
