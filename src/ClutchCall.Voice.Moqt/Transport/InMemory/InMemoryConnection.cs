using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Threading.Channels;

namespace ClutchCall.Voice.Moqt.Transport.InMemory;

/// <summary>
/// One side of an in-process transport pair: streams are pipe pairs handed straight to the peer,
/// datagrams are pooled copies in a bounded queue (oldest dropped when full).
/// </summary>
internal sealed class InMemoryConnection : IMoqtTransportConnection
{
    /// <summary>Largest datagram carried (same order as a QUIC path MTU).</summary>
    public const int DatagramSizeLimit = 1200;

    private readonly bool _isServer;
    private readonly PipeOptions _pipeOptions;
    private readonly Channel<InMemoryStream> _accept;
    private readonly Channel<PooledDatagram> _datagrams;
    private readonly ConcurrentDictionary<long, InMemoryStream> _streams = new();
    private readonly TaskCompletionSource<MoqtTransportCloseInfo> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private InMemoryConnection? _peer;
    private long _nextBidiIndex;
    private long _nextUniIndex;
    private MoqtTransportClosedException? _closedException;

    internal InMemoryConnection(bool isServer, MoqtConnectionInfo info, MoqtTransportLimits limits, EndPoint? remoteEndPoint)
    {
        _isServer = isServer;
        Info = info;
        RemoteEndPoint = remoteEndPoint;
        var window = Math.Max(1, limits.StreamReceiveWindow);
        _pipeOptions = new PipeOptions(pool: TransportBlockPool.Process, pauseWriterThreshold: window, resumeWriterThreshold: window / 2, useSynchronizationContext: false);
        _accept = Channel.CreateUnbounded<InMemoryStream>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
        _datagrams = Channel.CreateBounded<PooledDatagram>(
            new BoundedChannelOptions(Math.Max(1, limits.DatagramQueueCapacity)) { FullMode = BoundedChannelFullMode.DropOldest },
            static dropped => dropped.Return());
    }

    internal void Attach(InMemoryConnection peer) => _peer = peer;

    public string TransportName => "memory";

    public EndPoint? RemoteEndPoint { get; }

    public MoqtConnectionInfo Info { get; }

    public bool SupportsDatagrams => true;

    public int MaxDatagramSize => DatagramSizeLimit;

    public Task<MoqtTransportCloseInfo> Closed => _closed.Task;

    public ValueTask<IMoqtStream> OpenBidirectionalStreamAsync(CancellationToken cancellationToken) =>
        new(Open(unidirectional: false));

    public ValueTask<IMoqtStream> OpenUnidirectionalStreamAsync(CancellationToken cancellationToken) =>
        new(Open(unidirectional: true));

    private InMemoryStream Open(bool unidirectional)
    {
        ThrowIfClosed();
        var peer = _peer!;
        var index = Interlocked.Increment(ref unidirectional ? ref _nextUniIndex : ref _nextBidiIndex) - 1;
        var id = QuicStreamId.Compose(index, _isServer, unidirectional);
        var toPeer = new Pipe(peer._pipeOptions);
        InMemoryStream local, remote;
        if (unidirectional)
        {
            local = new InMemoryStream(this, id, locallyInitiated: true, receive: null, send: toPeer.Writer);
            remote = new InMemoryStream(peer, id, locallyInitiated: false, receive: toPeer.Reader, send: null);
        }
        else
        {
            var fromPeer = new Pipe(_pipeOptions);
            local = new InMemoryStream(this, id, locallyInitiated: true, receive: fromPeer.Reader, send: toPeer.Writer);
            remote = new InMemoryStream(peer, id, locallyInitiated: false, receive: toPeer.Reader, send: fromPeer.Writer);
        }

        _streams[id] = local;
        peer._streams[id] = remote;
        if (!peer._accept.Writer.TryWrite(remote))
        {
            remote.AbortForClose(peer._closedException ?? ClosedException());
        }

        return local;
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

    public ValueTask SendDatagramAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        if (datagram.Length > DatagramSizeLimit)
        {
            return ValueTask.CompletedTask;
        }

        var copy = PooledDatagram.Copy(datagram.Span);
        if (!_peer!._datagrams.Writer.TryWrite(copy))
        {
            copy.Return();
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<int> ReceiveDatagramAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_datagrams.Reader.TryRead(out var datagram))
            {
                var length = datagram.Length;
                var fits = length <= destination.Length;
                if (fits)
                {
                    datagram.Span.CopyTo(destination.Span);
                }

                datagram.Return();
                if (fits)
                {
                    return length;
                }

                continue;
            }

            if (!await _datagrams.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return -1;
            }
        }
    }

    public ValueTask CloseAsync(long errorCode, string reason, CancellationToken cancellationToken)
    {
        if (Terminate(new MoqtTransportCloseInfo(errorCode, reason, IsLocal: true)))
        {
            _peer?.Terminate(new MoqtTransportCloseInfo(errorCode, reason, IsLocal: false));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => CloseAsync(0, string.Empty, CancellationToken.None);

    private bool Terminate(MoqtTransportCloseInfo info)
    {
        var exception = new MoqtTransportClosedException(info);
        if (Interlocked.CompareExchange(ref _closedException, exception, null) is not null)
        {
            return false;
        }

        _accept.Writer.TryComplete();
        _datagrams.Writer.TryComplete();
        foreach (var stream in _streams.Values)
        {
            stream.AbortForClose(exception);
        }

        _streams.Clear();
        while (_datagrams.Reader.TryRead(out var datagram))
        {
            datagram.Return();
        }

        _closed.TrySetResult(info);
        return true;
    }

    internal void Forget(InMemoryStream stream) => _streams.TryRemove(stream.StreamId, out _);

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closedException) is { } closed)
        {
            throw closed;
        }
    }

    private static MoqtTransportClosedException ClosedException() => new(new MoqtTransportCloseInfo(0, "closed", IsLocal: false));

    private readonly struct PooledDatagram(byte[] array, int length)
    {
        public int Length => length;

        public ReadOnlySpan<byte> Span => array.AsSpan(0, length);

        public static PooledDatagram Copy(ReadOnlySpan<byte> source)
        {
            var array = ArrayPool<byte>.Shared.Rent(Math.Max(1, source.Length));
            source.CopyTo(array);
            return new PooledDatagram(array, source.Length);
        }

        public void Return() => ArrayPool<byte>.Shared.Return(array);
    }
}
