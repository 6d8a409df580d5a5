using System.IO.Pipelines;

namespace ClutchCall.Voice.Moqt.Transport.InMemory;

/// <summary>One end of an in-memory stream: pipes shared directly with the peer's end, no copying.</summary>
internal sealed class InMemoryStream : IMoqtStream
{
    private readonly StreamPipeReader? _input;
    private readonly StreamPipeWriter? _output;
    private readonly InMemoryConnection _owner;
    private int _disposed;

    public InMemoryStream(InMemoryConnection owner, long streamId, bool locallyInitiated, PipeReader? receive, PipeWriter? send)
    {
        _owner = owner;
        StreamId = streamId;
        IsLocallyInitiated = locallyInitiated;
        _input = receive is null ? null : new StreamPipeReader(receive, observer: null);
        _output = send is null ? null : new StreamPipeWriter(send, onCompleted: null);
    }

    public long StreamId { get; }

    public bool IsBidirectional => QuicStreamId.IsBidirectional(StreamId);

    public bool IsLocallyInitiated { get; }

    public PipeReader? Input => _input;

    public PipeWriter? Output => _output;

    public void Abort(long errorCode)
    {
        // RFC 9000 §3.5: RESET_STREAM abandons the send side, STOP_SENDING asks the peer to abandon its send side.
        if (_output is { IsCompleted: false })
        {
            _output.Complete(new MoqtStreamAbortedException(errorCode, stopSending: false));
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

    /// <summary>Fails both directions after the connection closed.</summary>
    internal void AbortForClose(MoqtTransportClosedException exception)
    {
        _input?.Abort(exception);
        _output?.Abort(exception);
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        _output?.Complete();
        if (_input is { IsCompleted: false })
        {
            _input.Complete(new MoqtStreamAbortedException(0, stopSending: true));
        }

        _owner.Forget(this);
        return ValueTask.CompletedTask;
    }
}
