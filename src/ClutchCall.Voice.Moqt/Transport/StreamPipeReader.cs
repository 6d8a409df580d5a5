using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>Told how many bytes the application consumed from a stream, and when it stopped reading.</summary>
internal interface IStreamReadObserver
{
    /// <summary>The application advanced past <paramref name="bytes"/> more bytes (flow-control credit to return).</summary>
    void OnConsumed(long bytes);

    /// <summary>The application completed its reader (it will read no more).</summary>
    void OnReaderCompleted(Exception? exception);
}

/// <summary>
/// The application-facing receive side of a stream: a thin wrapper over a <see cref="Pipe"/> reader that
/// reports consumed bytes (for flow control) and can be failed from another thread (connection close)
/// without racing the application's own calls on the pipe.
/// </summary>
internal sealed class StreamPipeReader : PipeReader
{
    private readonly PipeReader _inner;
    private readonly IStreamReadObserver? _observer;
    private ReadOnlySequence<byte> _lastBuffer;
    private Exception? _abortException;
    private int _completed;

    public StreamPipeReader(PipeReader inner, IStreamReadObserver? observer)
    {
        _inner = inner;
        _observer = observer;
    }

    /// <summary>True once the application completed this reader.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Makes the pending and every later read throw <paramref name="exception"/>. Thread-safe.</summary>
    public void Abort(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _abortException, exception, null) is null)
        {
            _inner.CancelPendingRead();
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _abortException) is { } aborted)
        {
            return ValueTask.FromException<ReadResult>(aborted);
        }

        var pending = _inner.ReadAsync(cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<ReadResult>(Track(pending.Result)) : ReadSlowAsync(pending);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReadSlowAsync(ValueTask<ReadResult> pending) => Track(await pending.ConfigureAwait(false));

    public override bool TryRead(out ReadResult result)
    {
        if (Volatile.Read(ref _abortException) is { } aborted)
        {
            throw aborted;
        }

        if (_inner.TryRead(out result))
        {
            result = Track(result);
            return true;
        }

        return false;
    }

    private ReadResult Track(ReadResult result)
    {
        if (result.IsCanceled && Volatile.Read(ref _abortException) is { } aborted)
        {
            _inner.AdvanceTo(result.Buffer.Start);
            throw aborted;
        }

        _lastBuffer = result.Buffer;
        return result;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var bytes = _observer is null ? 0 : _lastBuffer.GetOffset(consumed) - _lastBuffer.GetOffset(_lastBuffer.Start);
        _lastBuffer = default;
        _inner.AdvanceTo(consumed, examined);
        if (bytes > 0)
        {
            _observer!.OnConsumed(bytes);
        }
    }

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        _lastBuffer = default;
        _inner.Complete(exception);
        _observer?.OnReaderCompleted(exception);
    }
}
