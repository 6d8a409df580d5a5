using System.Net;
using System.Net.Quic;
using System.Net.Security;
using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace ClutchCall.Voice.Moqt.Transport.Quic;

/// <summary>Dials <c>moqt://host:port</c> over raw QUIC with ALPN <c>moq-00</c> (or another ALPN, such as <c>h3</c> under WebTransport).</summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
[SupportedOSPlatform("macos")]
internal sealed class QuicTransportConnector(string applicationProtocol = QuicTransportConnection.Alpn) : IMoqtTransportConnector
{
    /// <summary>True when System.Net.Quic works on this machine (libmsquic present).</summary>
    public static bool IsSupported => QuicConnection.IsSupported;

    public string TransportName => "quic";

    public async ValueTask<IMoqtTransportConnection> ConnectAsync(Uri uri, MoqtTransportConnectOptions options, CancellationToken cancellationToken)
    {
        if (!IsSupported)
        {
            throw new MoqtTransportException("System.Net.Quic is not supported here (libmsquic missing).");
        }

        var limits = options.Limits;
        var clientOptions = new QuicClientConnectionOptions
        {
            RemoteEndPoint = new DnsEndPoint(uri.Host, uri.Port),
            DefaultStreamErrorCode = 0,
            DefaultCloseErrorCode = 0,
            MaxInboundBidirectionalStreams = limits.MaxInboundBidirectionalStreams,
            MaxInboundUnidirectionalStreams = limits.MaxInboundUnidirectionalStreams,
            IdleTimeout = limits.IdleTimeout,
            KeepAliveInterval = limits.IdleTimeout / 3,
            ClientAuthenticationOptions = new SslClientAuthenticationOptions
            {
                ApplicationProtocols = [new SslApplicationProtocol(applicationProtocol)],
                TargetHost = uri.Host,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == SslPolicyErrors.None
                    || options.AllowUntrustedCertificate
                    || (certificate is not null && options.ServerCertificateHashes.Any(h => CryptographicOperations.FixedTimeEquals(h, SHA256.HashData(certificate.GetRawCertData())))),
            },
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            var connection = await QuicConnection.ConnectAsync(clientOptions, timeout.Token).ConfigureAwait(false);
            var info = new MoqtConnectionInfo(applicationProtocol, applicationProtocol, uri.AbsolutePath, uri.Authority, options.AuthorizationToken);
            return new QuicTransportConnection(connection, info);
        }
        catch (Exception exception) when (exception is QuicException or System.Security.Authentication.AuthenticationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new MoqtTransportException($"QUIC connection to {uri} failed: {exception.Message}", innerException: exception);
        }
    }
}
