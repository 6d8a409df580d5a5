using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>
/// One WebTransport session (draft-ietf-webtrans-http3-02, as Chromium speaks it) over an HTTP/3 connection,
/// exposed as an <see cref="IMoqtTransportConnection"/>. The HTTP/3 layer runs over any connection that carries
/// QUIC-style streams: real QUIC (ALPN <c>h3</c>) in production, the in-memory transport in tests. One session per
/// QUIC connection; control, QPACK and request streams never surface through <see cref="AcceptStreamAsync"/>.
/// </summary>
internal sealed partial class WebTransportConnection : IMoqtTransportConnection
{
    /// <summary>ALPN of HTTP/3 (RFC 9114 §3.1).</summary>
    public const string Alpn = "h3";

    /// <summary>draft-ietf-webtrans-http3-02 §4.5: reset code for streams of an unknown or refused session.</summary>
    public const long BufferedStreamRejected = 0x3994bd84;

    /// <summary>draft-ietf-webtrans-http3-07 §4.6: reset code for streams of a session that ended.</summary>
    public const long SessionGone = 0x170d7b68;

    /// <summary>RFC 9204 §6: QPACK_DECOMPRESSION_FAILED.</summary>
    public const long QpackDecompressionFailed = 0x200;

    private const int MaxHeaderFrame = 16 * 1024;
    private const int MaxCapsuleBytes = 64 * 1024;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(1);

    private readonly IMoqtTransportConnection _quic;
    private readonly bool _isServer;
    private readonly TimeSpan _handshakeTimeout;
    private readonly Channel<IMoqtStream> _accepted;
    private readonly Channel<(IMoqtStream Stream, WebTransportRequest Request)> _requests =
        Channel.CreateBounded<(IMoqtStream, WebTransportRequest)>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource<Dictionary<ulong, ulong>> _peerSettings = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<long> _session = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<MoqtTransportCloseInfo> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _connectStreamEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _cts = new();
    private readonly ConcurrentDictionary<WebTransportStream, byte> _streams = new();
    private IMoqtStream? _localControl;
    private IMoqtStream? _connectStream;
    private long _sessionId = -1;
    private int _peerControlSeen;
    private int _closing;
    private int _disposed;
    private bool _refusalSent;

    private WebTransportConnection(IMoqtTransportConnection quic, bool isServer, MoqtTransportLimits limits, TimeSpan handshakeTimeout)
    {
        _quic = quic;
        _isServer = isServer;
        _handshakeTimeout = handshakeTimeout;
        _accepted = Channel.CreateBounded<IMoqtStream>(Math.Max(1, limits.AcceptQueueCapacity));
        Info = new MoqtConnectionInfo(null, Alpn);
    }

    public string TransportName => "webtransport";

    public EndPoint? RemoteEndPoint => _quic.RemoteEndPoint;

    public MoqtConnectionInfo Info { get; private set; }

    /// <summary>The session id: the CONNECT stream's id (draft-ietf-webtrans-http3-02 §4).</summary>
    public long SessionId => Volatile.Read(ref _sessionId);

    /// <summary>System.Net.Quic has no datagram API, so no <c>max_datagram_frame_size</c> is advertised and none flow.</summary>
    public bool SupportsDatagrams => false;

    public int MaxDatagramSize => 0;

    public Task<MoqtTransportCloseInfo> Closed => _closed.Task;

    /// <summary>The settings the peer sent on its control stream (completes once they arrive).</summary>
    public Task<Dictionary<ulong, ulong>> PeerSettings => _peerSettings.Task;

    /// <summary>
    /// The SETTINGS this endpoint sends (RFC 9114 §7.2.4). Chromium needs the draft-02 enable setting and H3
    /// datagrams before it sends CONNECT; newer browsers look for the max-sessions setting. QPACK's dynamic table
    /// stays off (capacity 0, RFC 9204 §3.2.3), so the peer encodes with the static table and literals only.
    /// </summary>
    public static ReadOnlySpan<(ulong Id, ulong Value)> LocalSettings => LocalSettingsArray;

    private static readonly (ulong Id, ulong Value)[] LocalSettingsArray =
    [
        (Http3Settings.QpackMaxTableCapacity, 0),
        (Http3Settings.QpackBlockedStreams, 0),
        (Http3Settings.EnableConnectProtocol, 1),
        (Http3Settings.H3Datagram, 1),
        (Http3Settings.H3DatagramDraft04, 1),
        (Http3Settings.EnableWebTransportDraft02, 1),
        (Http3Settings.WebTransportMaxSessions, 1),
    ];

    public ValueTask<IMoqtStream> OpenBidirectionalStreamAsync(CancellationToken cancellationToken) => OpenAsync(bidirectional: true, cancellationToken);

    public ValueTask<IMoqtStream> OpenUnidirectionalStreamAsync(CancellationToken cancellationToken) => OpenAsync(bidirectional: false, cancellationToken);

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

    public ValueTask SendDatagramAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken) =>
        throw new NotSupportedException("WebTransport datagrams need QUIC datagrams, which System.Net.Quic does not expose.");

    public ValueTask<int> ReceiveDatagramAsync(Memory<byte> destination, CancellationToken cancellationToken) =>
        throw new NotSupportedException("WebTransport datagrams need QUIC datagrams, which System.Net.Quic does not expose.");

    /// <summary>
    /// Closes the session: CLOSE_WEBTRANSPORT_SESSION (code truncated to 32 bits, reason to 1024 bytes) in a DATA
    /// frame, then FIN (draft-ietf-webtrans-http3-02 §5); waits briefly for the peer's FIN, then closes QUIC.
    /// </summary>
    public async ValueTask CloseAsync(long errorCode, string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _closed.TrySetResult(new MoqtTransportCloseInfo(errorCode, reason, IsLocal: true));
        EndStreams();
        if (_connectStream?.Output is { } output)
        {
            try
            {
                WebTransportCapsules.WriteCloseInDataFrame(output, (uint)Math.Clamp(errorCode, 0, uint.MaxValue), reason);
                await _connectStream.CompleteWritesAsync().ConfigureAwait(false);
                await _connectStreamEnded.Task.WaitAsync(CloseGrace, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MoqtTransportException or TimeoutException or OperationCanceledException or InvalidOperationException or IOException)
            {
                // The peer is gone or slow; closing QUIC below ends the session anyway.
            }
        }

        await CloseQuicAsync(Http3ErrorCode.NoError, reason).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await CloseAsync(0, string.Empty, CancellationToken.None).ConfigureAwait(false);
        await _cts.CancelAsync().ConfigureAwait(false);
        if (_localControl is not null)
        {
            await DisposeQuietlyAsync(_localControl).ConfigureAwait(false);
        }

        if (_connectStream is not null)
        {
            await DisposeQuietlyAsync(_connectStream).ConfigureAwait(false);
        }

        await _quic.DisposeAsync().ConfigureAwait(false);
        _cts.Dispose();
    }

    private async ValueTask<IMoqtStream> OpenAsync(bool bidirectional, CancellationToken cancellationToken)
    {
        ThrowIfClosed();
        var inner = bidirectional
            ? await _quic.OpenBidirectionalStreamAsync(cancellationToken).ConfigureAwait(false)
            : await _quic.OpenUnidirectionalStreamAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // draft-ietf-webtrans-http3-02 §4.1/§4.2: signal value or stream type, then the session id; sent at once
            // so the peer sees the stream even before the application writes.
            var output = inner.Output!;
            QuicVarint.Write(output, bidirectional ? Http3StreamType.WebTransportBidi : Http3StreamType.WebTransportUni);
            QuicVarint.Write(output, (ulong)SessionId);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            inner.Abort(SessionGone);
            await DisposeQuietlyAsync(inner).ConfigureAwait(false);
            throw;
        }

        return Track(inner);
    }

    private WebTransportStream Track(IMoqtStream inner)
    {
        var stream = new WebTransportStream(inner, s => _streams.TryRemove(s, out _));
        _streams[stream] = 0;
        if (_closed.Task.IsCompleted)
        {
            stream.AbortRaw(SessionGone);
        }

        return stream;
    }

    private void ThrowIfClosed()
    {
        if (_closed.Task.IsCompleted)
        {
            throw new MoqtTransportClosedException(_closed.Task.Result);
        }
    }

    /// <summary>Session over: its streams are reset (draft-ietf-webtrans-http3-07 §4.6) and no more are accepted.</summary>
    private void EndStreams()
    {
        _accepted.Writer.TryComplete();
        _requests.Writer.TryComplete();
        _session.TrySetCanceled();
        foreach (var stream in _streams.Keys)
        {
            stream.AbortRaw(SessionGone);
        }

        while (_accepted.Reader.TryRead(out var queued))
        {
            queued.Abort(0);
            _ = DisposeQuietlyAsync(queued).AsTask();
        }
    }

    private async ValueTask CloseQuicAsync(long h3Code, string reason)
    {
        try
        {
            await _quic.CloseAsync(h3Code, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MoqtTransportException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // Already closed.
        }
    }

    /// <summary>The peer broke HTTP/3: the whole QUIC connection closes with the HTTP/3 code (RFC 9114 §8).</summary>
    private async Task FailConnectionAsync(long h3Code, string message)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        _closed.TrySetResult(new MoqtTransportCloseInfo(h3Code, message, IsLocal: true, IsTransportError: true));
        EndStreams();
        await CloseQuicAsync(h3Code, message).ConfigureAwait(false);
    }

    /// <summary>The peer closed the session (capsule, FIN or reset of the CONNECT stream).</summary>
    private async Task OnPeerClosedAsync(MoqtTransportCloseInfo info)
    {
        _connectStreamEnded.TrySetResult();
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return; // Our own close got its answer.
        }

        _closed.TrySetResult(info);
        EndStreams();
        try
        {
            // draft-ietf-webtrans-http3-02 §5: answer with FIN.
            if (_connectStream is not null)
            {
                await _connectStream.CompleteWritesAsync().ConfigureAwait(false);
            }

            await _quic.Closed.WaitAsync(CloseGrace).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MoqtTransportException or TimeoutException or InvalidOperationException or IOException)
        {
            // Close QUIC ourselves below.
        }

        await CloseQuicAsync(Http3ErrorCode.NoError, info.Reason).ConfigureAwait(false);
    }

    private static async ValueTask DisposeQuietlyAsync(IMoqtStream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MoqtTransportException or IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            // Nothing left to release.
        }
    }
}
