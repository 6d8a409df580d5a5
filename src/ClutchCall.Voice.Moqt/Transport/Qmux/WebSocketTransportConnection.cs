using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>
/// A MoQT transport session carried over one WebSocket with QMux framing (QUIC stream and flow-control
/// frames, draft-ietf-quic-qmux-00/-01/-02), compatible with moq-dev's <c>@moq/qmux</c>. Works over any
/// <see cref="WebSocket"/>: an ASP.NET Core accepted socket, a <see cref="ClientWebSocket"/>, or
/// <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>. See docs/websocket-framing.md.
/// </summary>
internal sealed partial class WebSocketTransportConnection : IMoqtTransportConnection
{
    /// <summary>Largest record we send: draft-ietf-quic-qmux-01's default max_record_size, which every peer accepts.</summary>
    internal const int MaxSendRecordSize = 16382;

    /// <summary>Largest STREAM payload we put in one frame (released moq-dev peers enforce 16384 - 32 on receive).</summary>
    internal const int MaxStreamPayload = 16352;

    /// <summary>Smallest receive limit: draft-ietf-quic-qmux-00's fixed max_frame_size.</summary>
    private const int MinReceiveRecordSize = 16384;

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly bool _isServer;
    private readonly QmuxVersion _version;
    private readonly MoqtTransportLimits _limits;
    private readonly int _receiveLimit;
    private readonly ConcurrentDictionary<long, QmuxStream> _streams = new();
    private readonly Channel<IMoqtStream> _accept;
    private readonly Channel<ControlFrame> _control = Channel.CreateUnbounded<ControlFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _sendBuffer = new(MaxSendRecordSize + 64);
    private readonly Lock _flowLock = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource<MoqtTransportCloseInfo> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _creditSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MoqtTransportClosedException? _closedException;
    private Task _receiveLoop = Task.CompletedTask;
    private Task _controlLoop = Task.CompletedTask;

    // Send-side credit granted by the peer (RFC 9000 §4.1, §4.6), guarded by _flowLock.
    private QmuxTransportParameters _peerParameters;
    private bool _peerParametersReceived;
    private long _peerMaxData;
    private long _dataSent;
    private long _peerMaxStreamsBidi;
    private long _peerMaxStreamsUni;
    private long _nextLocalBidi;
    private long _nextLocalUni;

    // Receive-side limits we granted (RFC 9000 §4.1, §4.6); the receive loop reads, the application's consumption raises.
    private long _receivedTotal;
    private long _consumedTotal;
    private long _maxDataGranted;
    private long _maxStreamsBidiGranted;
    private long _maxStreamsUniGranted;
    private long _nextPeerBidi;
    private long _nextPeerUni;

    private WebSocketTransportConnection(WebSocket socket, bool isServer, QmuxSubprotocol protocol, MoqtConnectionInfo info, EndPoint? remoteEndPoint, MoqtTransportLimits limits)
    {
        _socket = socket;
        _isServer = isServer;
        _version = protocol.Version;
        _limits = limits;
        _receiveLimit = Math.Max(MinReceiveRecordSize, limits.MaxFrameSize);
        Info = info;
        RemoteEndPoint = remoteEndPoint;
        _maxDataGranted = limits.ConnectionReceiveWindow;
        _maxStreamsBidiGranted = limits.MaxInboundBidirectionalStreams;
        _maxStreamsUniGranted = limits.MaxInboundUnidirectionalStreams;
        _accept = Channel.CreateBounded<IMoqtStream>(new BoundedChannelOptions(Math.Max(1, limits.AcceptQueueCapacity)) { SingleWriter = true });
        SendBufferLimit = Math.Max(MaxStreamPayload, limits.StreamReceiveWindow);
    }

    /// <summary>
    /// Server side: wraps a WebSocket accepted with <paramref name="protocol"/> as its subprotocol (pick it with
    /// <see cref="QmuxSubprotocol.Select"/>), sends our transport parameters and starts the session.
    /// </summary>
    public static ValueTask<WebSocketTransportConnection> AcceptAsync(
        WebSocket socket, QmuxSubprotocol protocol, MoqtConnectionInfo info, EndPoint? remoteEndPoint, MoqtTransportLimits? limits, CancellationToken cancellationToken) =>
        StartAsync(new WebSocketTransportConnection(socket, isServer: true, protocol, info, remoteEndPoint, limits ?? MoqtTransportLimits.Default), cancellationToken);

    /// <summary>Client side: wraps a connected WebSocket whose server selected <paramref name="protocol"/>.</summary>
    public static ValueTask<WebSocketTransportConnection> ConnectAsync(
        WebSocket socket, QmuxSubprotocol protocol, MoqtConnectionInfo info, EndPoint? remoteEndPoint, MoqtTransportLimits? limits, CancellationToken cancellationToken) =>
        StartAsync(new WebSocketTransportConnection(socket, isServer: false, protocol, info, remoteEndPoint, limits ?? MoqtTransportLimits.Default), cancellationToken);

    private static async ValueTask<WebSocketTransportConnection> StartAsync(WebSocketTransportConnection connection, CancellationToken cancellationToken)
    {
        // draft-ietf-quic-qmux-02: QX_TRANSPORT_PARAMETERS is the first frame each side sends (earlier drafts: "as soon as possible").
        var parameters = QmuxTransportParameters.FromLimits(connection._limits);
        connection._sendBuffer.ResetWrittenCount();
        QmuxFrameWriter.WriteTransportParameters(connection._sendBuffer, parameters, connection._version);
        await connection._socket.SendAsync(connection._sendBuffer.WrittenMemory, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        connection._receiveLoop = Task.Run(connection.ReceiveLoopAsync, CancellationToken.None);
        connection._controlLoop = Task.Run(connection.ControlLoopAsync, CancellationToken.None);
        return connection;
    }

    public string TransportName => "websocket";

    public EndPoint? RemoteEndPoint { get; }

    public MoqtConnectionInfo Info { get; }

    /// <summary>The QMux wire version in use.</summary>
    public QmuxVersion Version => _version;

    public bool SupportsDatagrams => false;

    public int MaxDatagramSize => 0;

    public Task<MoqtTransportCloseInfo> Closed => _closed.Task;

    /// <summary>Bytes the application may write ahead of the peer's credit before FlushAsync waits.</summary>
    internal long SendBufferLimit { get; }

    public ValueTask<IMoqtStream> OpenBidirectionalStreamAsync(CancellationToken cancellationToken) => OpenAsync(unidirectional: false, cancellationToken);

    public ValueTask<IMoqtStream> OpenUnidirectionalStreamAsync(CancellationToken cancellationToken) => OpenAsync(unidirectional: true, cancellationToken);

    private async ValueTask<IMoqtStream> OpenAsync(bool unidirectional, CancellationToken cancellationToken)
    {
        while (true)
        {
            var signal = Volatile.Read(ref _creditSignal);
            lock (_flowLock)
            {
                ThrowIfClosed();

                // RFC 9000 §4.6: a stream may be opened only while its index is below the peer's MAX_STREAMS.
                ref var next = ref unidirectional ? ref _nextLocalUni : ref _nextLocalBidi;
                var limit = unidirectional ? _peerMaxStreamsUni : _peerMaxStreamsBidi;
                if (next < limit)
                {
                    var id = QuicStreamId.Compose(next++, _isServer, unidirectional);

                    // RFC 9000 §18.2: our bidi streams are "remote" to the peer; uni streams use initial_max_stream_data_uni.
                    var credit = unidirectional ? _peerParameters.InitialMaxStreamDataUni : _peerParameters.InitialMaxStreamDataBidiRemote;
                    var stream = new QmuxStream(this, id, locallyInitiated: true, credit, _limits.StreamReceiveWindow);
                    _streams[id] = stream;
                    _ = Task.Run(() => PumpAsync(stream), CancellationToken.None);
                    return stream;
                }
            }

            await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<IMoqtStream?> AcceptStreamAsync(CancellationToken cancellationToken)
    {
        while (await _accept.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_accept.Reader.TryRead(out var stream))
            {
                return stream;
            }
        }

        return null;
    }

    public ValueTask SendDatagramAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Datagrams are not carried over the WebSocket transport.");

    public ValueTask<int> ReceiveDatagramAsync(Memory<byte> destination, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Datagrams are not carried over the WebSocket transport.");

    public async ValueTask CloseAsync(long errorCode, string reason, CancellationToken cancellationToken)
    {
        // RFC 9000 §10.2 / §19.19: an application close is a CONNECTION_CLOSE of type 0x1d carrying the application's code.
        await CloseLocallyAsync(new MoqtTransportCloseInfo(errorCode, reason, IsLocal: true), application: true, WebSocketCloseStatus.NormalClosure, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(0, string.Empty, CancellationToken.None).ConfigureAwait(false);
        await Task.WhenAny(_receiveLoop, Task.Delay(CloseTimeout)).ConfigureAwait(false);
        _socket.Dispose();
    }

    private async Task CloseLocallyAsync(MoqtTransportCloseInfo info, bool application, WebSocketCloseStatus status, CancellationToken cancellationToken)
    {
        if (!Terminate(info))
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CloseTimeout);
        try
        {
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                _sendBuffer.ResetWrittenCount();
                QmuxFrameWriter.WriteClose(_sendBuffer, application, info.ErrorCode, info.Reason);
                await _socket.SendAsync(_sendBuffer.WrittenMemory, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token).ConfigureAwait(false);
                await _socket.CloseOutputAsync(status, null, timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
        {
            // The peer is gone or stuck: nothing more to tell it.
            _socket.Abort();
        }
    }

    /// <summary>Ends the session once: fails every stream and pending call, completes <see cref="Closed"/>.</summary>
    private bool Terminate(MoqtTransportCloseInfo info)
    {
        var exception = new MoqtTransportClosedException(info);
        if (Interlocked.CompareExchange(ref _closedException, exception, null) is not null)
        {
            return false;
        }

        _shutdown.Cancel();
        _accept.Writer.TryComplete();
        _control.Writer.TryComplete();
        foreach (var stream in _streams.Values)
        {
            stream.AbortForClose(exception);
        }

        SignalCredit();
        _closed.TrySetResult(info);
        return true;
    }

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closedException) is { } closed)
        {
            throw closed;
        }
    }

    private void SignalCredit()
    {
        var previous = Interlocked.Exchange(ref _creditSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    private void EnqueueControl(ControlFrame frame) => _control.Writer.TryWrite(frame);

    private readonly record struct ControlFrame(ControlKind Kind, long StreamId, long Value, QmuxStream? Stream = null);

    private enum ControlKind
    {
        MaxData,
        MaxStreamData,
        MaxStreamsBidi,
        MaxStreamsUni,
        ResetStream,
        StopSending,
        PingResponse,
    }

    private static string DecodeReason(ReadOnlySpan<byte> reason)
    {
        try
        {
            return Encoding.UTF8.GetString(reason);
        }
        catch (ArgumentException)
        {
            return string.Empty;
        }
    }
}
