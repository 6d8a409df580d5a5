using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using ClutchCall.Voice.Moqt.Transport.Quic;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>
/// WebTransport server: takes HTTP/3 connections from an underlying listener (QUIC with ALPN <c>h3</c>, or the
/// in-memory transport in tests), runs each handshake on its own task and yields the established sessions.
/// A client that fails or stalls its handshake is closed and never delays the others.
/// </summary>
internal sealed class WebTransportListener : IMoqtTransportListener
{
    private readonly IMoqtTransportListener _underlying;
    private readonly WebTransportServerOptions _options;
    private readonly Channel<IMoqtTransportConnection> _ready = Channel.CreateUnbounded<IMoqtTransportConnection>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private long _handshakeFailures;

    public WebTransportListener(IMoqtTransportListener underlying, WebTransportServerOptions? options = null, X509Certificate2? certificate = null)
    {
        _underlying = underlying;
        _options = options ?? new WebTransportServerOptions();
        Certificate = certificate;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string TransportName => "webtransport";

    public EndPoint? LocalEndPoint => _underlying.LocalEndPoint;

    /// <summary>The TLS certificate, when the listener runs on QUIC (its SHA-256 goes to <c>serverCertificateHashes</c>).</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>Handshakes that failed or timed out (counted, never thrown).</summary>
    public long HandshakeFailures => Interlocked.Read(ref _handshakeFailures);

    /// <summary>
    /// Starts a WebTransport listener on QUIC (needs libmsquic; check <see cref="QuicTransportListener.IsSupported"/>).
    /// Generates a self-signed ECDSA P-256 certificate valid under 14 days when none is given.
    /// </summary>
    [SupportedOSPlatform("linux")]
    [SupportedOSPlatform("windows")]
    [SupportedOSPlatform("macos")]
    public static async ValueTask<WebTransportListener> StartQuicAsync(
        IPEndPoint endPoint,
        X509Certificate2? certificate,
        WebTransportServerOptions? options,
        TimeProvider? timeProvider,
        CancellationToken cancellationToken)
    {
        options ??= new WebTransportServerOptions();

        // Chromium opens 3 HTTP/3 uni streams (control, QPACK encoder and decoder) before any WebTransport stream,
        // and counts the CONNECT stream against the bidi limit; browsers also ping every 15 s.
        var limits = options.Limits with
        {
            MaxInboundUnidirectionalStreams = Math.Max(options.Limits.MaxInboundUnidirectionalStreams, 3 + 16),
            MaxInboundBidirectionalStreams = Math.Max(options.Limits.MaxInboundBidirectionalStreams, 2),
            IdleTimeout = options.Limits.IdleTimeout < TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : options.Limits.IdleTimeout,
        };
        var quic = await QuicTransportListener.StartAsync(endPoint, certificate, limits, timeProvider, cancellationToken, WebTransportConnection.Alpn).ConfigureAwait(false);
        return new WebTransportListener(quic, options with { Limits = limits }, quic.Certificate);
    }

    public async ValueTask<IMoqtTransportConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new ObjectDisposedException(nameof(WebTransportListener), ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _underlying.DisposeAsync().ConfigureAwait(false);
        await _acceptLoop.ConfigureAwait(false);
        _ready.Writer.TryComplete();
        while (_ready.Reader.TryRead(out var unclaimed))
        {
            await unclaimed.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            IMoqtTransportConnection quic;
            try
            {
                quic = await _underlying.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or MoqtTransportException)
            {
                break;
            }
            catch (Exception)
            {
                // A transport failure for one client (System.Net.Quic surfaces TLS failures here): keep accepting.
                continue;
            }

            _ = HandshakeAsync(quic);
        }

        _ready.Writer.TryComplete();
    }

    private async Task HandshakeAsync(IMoqtTransportConnection quic)
    {
        try
        {
            var session = await WebTransportConnection.AcceptAsync(quic, _options, _stopping.Token).ConfigureAwait(false);
            if (!_ready.Writer.TryWrite(session))
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // AcceptAsync closed the connection; one bad client is only counted.
            Interlocked.Increment(ref _handshakeFailures);
            try
            {
                await quic.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Already gone.
            }
        }
    }
}
