using System.Net;
using System.Net.Quic;
using System.Net.Security;
using System.Runtime.Versioning;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace ClutchCall.Voice.Moqt.Transport.Quic;

/// <summary>Raw QUIC listener (ALPN <c>moq-00</c>, or <c>h3</c> under WebTransport). Check <see cref="IsSupported"/> first: it needs libmsquic.</summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
[SupportedOSPlatform("macos")]
internal sealed class QuicTransportListener : IMoqtTransportListener
{
    private readonly QuicListener _listener;

    private readonly string _alpn;

    private QuicTransportListener(QuicListener listener, X509Certificate2 certificate, string alpn)
    {
        _listener = listener;
        Certificate = certificate;
        _alpn = alpn;
    }

    /// <summary>True when System.Net.Quic works on this machine (libmsquic present).</summary>
    public static bool IsSupported => QuicListener.IsSupported;

    public string TransportName => "quic";

    public EndPoint? LocalEndPoint => _listener.LocalEndPoint;

    /// <summary>The server certificate (generated when none was given).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// Binds and starts listening; generates a self-signed certificate when <paramref name="certificate"/> is null.
    /// <paramref name="applicationProtocol"/> is the ALPN (<c>moq-00</c> for raw MoQT, <c>h3</c> under WebTransport).
    /// </summary>
    public static async ValueTask<QuicTransportListener> StartAsync(
        IPEndPoint endPoint,
        X509Certificate2? certificate,
        MoqtTransportLimits? limits,
        TimeProvider? timeProvider,
        CancellationToken cancellationToken,
        string applicationProtocol = QuicTransportConnection.Alpn)
    {
        limits ??= MoqtTransportLimits.Default;
        certificate ??= SelfSignedCertificate.Create(timeProvider ?? TimeProvider.System);
        var alpn = new List<SslApplicationProtocol> { new(applicationProtocol) };
        var connectionOptions = new QuicServerConnectionOptions
        {
            DefaultStreamErrorCode = 0,
            DefaultCloseErrorCode = 0,
            MaxInboundBidirectionalStreams = limits.MaxInboundBidirectionalStreams,
            MaxInboundUnidirectionalStreams = limits.MaxInboundUnidirectionalStreams,
            IdleTimeout = limits.IdleTimeout,

            // Browsers ping every 15 s; keep-alives keep NAT bindings and idle sessions open from our side too.
            KeepAliveInterval = limits.IdleTimeout / 3,
            ServerAuthenticationOptions = new SslServerAuthenticationOptions { ApplicationProtocols = alpn, ServerCertificate = certificate },
        };
        var listener = await QuicListener.ListenAsync(
            new QuicListenerOptions
            {
                ListenEndPoint = endPoint,
                ApplicationProtocols = alpn,
                ConnectionOptionsCallback = (_, _, _) => ValueTask.FromResult(connectionOptions),
            },
            cancellationToken).ConfigureAwait(false);
        return new QuicTransportListener(listener, certificate, applicationProtocol);
    }

    public async ValueTask<IMoqtTransportConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var connection = await _listener.AcceptConnectionAsync(cancellationToken).ConfigureAwait(false);
                var info = new MoqtConnectionInfo(_alpn, _alpn);
                return new QuicTransportConnection(connection, info);
            }
            catch (Exception exception) when (exception is AuthenticationException or QuicException { QuicError: not QuicError.OperationAborted })
            {
                // One client's failed handshake must not stop the listener.
            }
        }
    }

    public ValueTask DisposeAsync() => _listener.DisposeAsync();
}
