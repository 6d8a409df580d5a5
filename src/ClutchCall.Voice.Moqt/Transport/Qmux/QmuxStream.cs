using System.IO.Pipelines;

namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>
/// One QMux stream. The application sees <see cref="Input"/>/<see cref="Output"/>; the connection owns
/// the other pipe ends: its receive loop writes <see cref="InboundWriter"/>, the stream's send pump reads
/// <see cref="OutboundReader"/>. Flow-control counters follow RFC 9000 §4.
/// </summary>
internal sealed class QmuxStream : IMoqtStream, IStreamReadObserver
{
    private readonly WebSocketTransportConnection _connection;
    private readonly StreamPipeReader? _input;
    private readonly StreamPipeWriter? _output;
    private readonly long _receiveWindow;
    private int _disposed;
    private int _pumpDone;

    public QmuxStream(WebSocketTransportConnection connection, long streamId, bool locallyInitiated, long peerSendCredit, long receiveWindow)
    {
        _connection = connection;
        StreamId = streamId;
        IsLocallyInitiated = locallyInitiated;
        _receiveWindow = receiveWindow;
        var unidirectional = QuicStreamId.IsUnidirectional(streamId);
        HasReceiveSide = !unidirectional || !locallyInitiated;
        HasSendSide = !unidirectional || locallyInitiated;
        if (HasReceiveSide)
        {
            // Flow control bounds what the peer may buffer here, so the pipe itself never pauses the receive loop.
            var inbound = new Pipe(new PipeOptions(pool: TransportBlockPool.Process, pauseWriterThreshold: 0, useSynchronizationContext: false));
            InboundWriter = inbound.Writer;
            _input = new StreamPipeReader(inbound.Reader, this);
            ReceiveLimit = receiveWindow;
        }

        if (HasSendSide)
        {
            var outbound = new Pipe(new PipeOptions(pool: TransportBlockPool.Process, pauseWriterThreshold: connection.SendBufferLimit, resumeWriterThreshold: connection.SendBufferLimit / 2, useSynchronizationContext: false));
            OutboundReader = outbound.Reader;
            _output = new StreamPipeWriter(outbound.Writer, onCompleted: null);
            PeerMaxStreamData = peerSendCredit;
        }
    }

    public long StreamId { get; }

    public bool IsBidirectional => QuicStreamId.IsBidirectional(StreamId);

    public bool IsLocallyInitiated { get; }

    public PipeReader? Input => _input;

    public PipeWriter? Output => _output;

    public bool HasReceiveSide { get; }

    public bool HasSendSide { get; }

    /// <summary>Guards the receive-side counters shared by the receive loop and the application's reads.</summary>
    public Lock Sync { get; } = new();

    // Receive side (RFC 9000 §4.1, §4.5), guarded by Sync.
    public PipeWriter? InboundWriter { get; }

    public long ReceivedHighest { get; set; }

    public long Consumed { get; set; }

    public long ReceiveLimit { get; set; }

    public bool ReceiveFinished { get; set; }

    public bool ReaderGone { get; set; }

    // Send side, guarded by the connection's flow lock / send lock.
    public PipeReader? OutboundReader { get; }

    public long PeerMaxStreamData { get; set; }

    public long SendReserved { get; set; }

    public long SendOffset { get; set; }

    public bool SendFinished { get; set; }

    public volatile bool SendAborted;

    public void Abort(long errorCode)
    {
        // RFC 9000 §3.5: RESET_STREAM ends our sending, STOP_SENDING asks the peer to end its own.
        if (_output is { IsCompleted: false })
        {
            _output.Abort(new MoqtStreamAbortedException(errorCode, stopSending: false));
            _connection.ResetSendSide(this, errorCode);
        }

        if (_input is { IsCompleted: false })
        {
            _input.Complete(new MoqtStreamAbortedException(errorCode, stopSending: true));
        }
    }

    public async ValueTask CompleteWritesAsync()
    {
        if (_output is null || _output.IsCompleted)
        {
            return;
        }

        await _output.FlushAsync().ConfigureAwait(false);
        _output.Complete();
    }

    void IStreamReadObserver.OnConsumed(long bytes) => _connection.OnStreamConsumed(this, bytes, _receiveWindow);

    void IStreamReadObserver.OnReaderCompleted(Exception? exception) =>
        _connection.OnStreamReaderCompleted(this, exception is MoqtStreamAbortedException aborted ? aborted.ErrorCode : 0);

    /// <summary>The peer asked us to stop sending (or the connection closed): fail the application's writes.</summary>
    internal void FailOutput(Exception exception) => _output?.Abort(exception);

    /// <summary>The connection closed: fail both directions.</summary>
    internal void AbortForClose(MoqtTransportClosedException exception)
    {
        SendAborted = true;
        _input?.Abort(exception);
        _output?.Abort(exception);
        OutboundReader?.CancelPendingRead();
    }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    internal bool MarkPumpDone() => Interlocked.Exchange(ref _pumpDone, 1) == 0;

    internal bool IsPumpDone => Volatile.Read(ref _pumpDone) != 0 || !HasSendSide;

    public ValueTask DisposeAsync()
    {
        Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>Synchronous disposal: FIN if writes were not completed, STOP_SENDING 0 if reads were not.</summary>
    internal void Release()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _output?.Complete();
        if (_input is { IsCompleted: false })
        {
            _input.Complete(new MoqtStreamAbortedException(0, stopSending: true));
        }

        _connection.OnStreamReleased(this);
    }
}
