using System.Net;
using System.Net.Quic;
using System.Runtime.Versioning;
using System.Threading.Channels;

namespace ClutchCall.Voice.Moqt.Transport.Quic;

/// <summary>Raw QUIC (ALPN <c>moq-00</c>): every QUIC stream is an <see cref="IMoqtStream"/>; no datagrams (System.Net.Quic has none).</summary>
[SupportedOSPlatform("linux")]
[SupportedOSPlatform("windows")]
[SupportedOSPlatform("macos")]
internal sealed class QuicTransportConnection : IMoqtTransportConnection
{
    /// <summary>ALPN for MoQT draft-14 over raw QUIC (draft-ietf-moq-transport-14 §3.1).</summary>
    public const string Alpn = "moq-00";

    private static readonly Func<long, long> Identity = static code => code;

    private readonly QuicConnection _connection;
    private readonly Channel<IMoqtStream> _accepted = Channel.CreateBounded<IMoqtStream>(64);
    private readonly TaskCompletionSource<MoqtTransportCloseInfo> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _acceptLoop;
    private int _closing;

    public QuicTransportConnection(QuicConnection connection, MoqtConnectionInfo info)
    {
        _connection = connection;
        Info = info;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string TransportName => "quic";

    public EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    public MoqtConnectionInfo Info { get; }

    public bool SupportsDatagrams => false;

    public int MaxDatagramSize => 0;

    public Task<MoqtTransportCloseInfo> Closed => _closed.Task;

    public async ValueTask<IMoqtStream> OpenBidirectionalStreamAsync(CancellationToken cancellationToken) =>
        new QuicMoqtStream(await OpenAsync(QuicStreamType.Bidirectional, cancellationToken).ConfigureAwait(false), locallyInitiated: true, Identity, Identity);

    public async ValueTask<IMoqtStream> OpenUnidirectionalStreamAsync(CancellationToken cancellationToken) =>
        new QuicMoqtStream(await OpenAsync(QuicStreamType.Unidirectional, cancellationToken).ConfigureAwait(false), locallyInitiated: true, Identity, Identity);

    private async ValueTask<QuicStream> OpenAsync(QuicStreamType type, CancellationToken cancellationToken)
    {
        try
        {
            return await _connection.OpenOutboundStreamAsync(type, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ObjectDisposedException
            or QuicException { QuicError: QuicError.ConnectionAborted or QuicError.OperationAborted or QuicError.ConnectionIdle })
        {
            throw new MoqtTransportClosedException(await _closed.Task.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false));
        }
    }

    public async ValueTask<IMoqtStream?> AcceptStreamAsync(CancellationToken cancellationToken)
    {
        while (await _accepted.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_accepted.Reader.TryRead(out var stream))
            {
                return stream;
            }
        }

        return null;
    }

    private async Task AcceptLoopAsync()
    {
        MoqtTransportCloseInfo info;
        try
        {
            while (true)
            {
                var stream = await _connection.AcceptInboundStreamAsync(CancellationToken.None).ConfigureAwait(false);
                await _accepted.Writer.WriteAsync(new QuicMoqtStream(stream, locallyInitiated: false, Identity, Identity)).ConfigureAwait(false);
            }
        }
        catch (QuicException exception)
        {
            var local = Volatile.Read(ref _closing) != 0;
            info = new MoqtTransportCloseInfo(exception.ApplicationErrorCode ?? (long)exception.QuicError, exception.Message, local, exception.QuicError != QuicError.ConnectionAborted);
        }
        catch (Exception exception) when (exception is ObjectDisposedException or ChannelClosedException)
        {
            info = new MoqtTransportCloseInfo(0, "disposed", IsLocal: true);
        }

        _accepted.Writer.TryComplete();
        _closed.TrySetResult(info);

        // A closed connection is released at once: owners such as the relay close sessions without disposing
        // them, and msquic frees the connection's native state only on disposal.
        try
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is QuicException or ObjectDisposedException)
        {
            // Already released.
        }
    }

    public ValueTask SendDatagramAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken) =>
        throw new NotSupportedException("System.Net.Quic exposes no QUIC datagrams.");

    public ValueTask<int> ReceiveDatagramAsync(Memory<byte> destination, CancellationToken cancellationToken) =>
        throw new NotSupportedException("System.Net.Quic exposes no QUIC datagrams.");

    public async ValueTask CloseAsync(long errorCode, string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        // QUIC carries no application reason phrase through System.Net.Quic; the code is what the peer sees.
        _closed.TrySetResult(new MoqtTransportCloseInfo(errorCode, reason, IsLocal: true));
        try
        {
            await _connection.CloseAsync(errorCode, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ObjectDisposedException or QuicException)
        {
            // The peer closed first and the connection was already released.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(0, string.Empty, CancellationToken.None).ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _acceptLoop.ConfigureAwait(false);
    }
}
