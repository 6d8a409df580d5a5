using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>
/// The application-facing send side of a stream: a thin wrapper over a <see cref="Pipe"/> writer that can
/// be failed from another thread (STOP_SENDING bookkeeping, connection close) without touching the
/// application's half-written buffer, and that reports when the application completed it (FIN).
/// </summary>
internal sealed class StreamPipeWriter : PipeWriter
{
    private readonly PipeWriter _inner;
    private readonly Action<Exception?>? _onCompleted;
    private Exception? _abortException;
    private int _completed;

    public StreamPipeWriter(PipeWriter inner, Action<Exception?>? onCompleted)
    {
        _inner = inner;
        _onCompleted = onCompleted;
    }

    /// <summary>True once the application completed this writer.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Makes the pending and every later flush throw <paramref name="exception"/>. Thread-safe.</summary>
    public void Abort(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _abortException, exception, null) is null)
        {
            _inner.CancelPendingFlush();
        }
    }

    public override bool CanGetUnflushedBytes => _inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => _inner.UnflushedBytes;

    public override void Advance(int bytes) => _inner.Advance(bytes);

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        ThrowIfAborted();
        return _inner.GetMemory(sizeHint);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        ThrowIfAborted();
        return _inner.GetSpan(sizeHint);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _abortException) is { } aborted)
        {
            return ValueTask.FromException<FlushResult>(aborted);
        }

        var pending = _inner.FlushAsync(cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<FlushResult>(Check(pending.Result)) : FlushSlowAsync(pending);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> FlushSlowAsync(ValueTask<FlushResult> pending) => Check(await pending.ConfigureAwait(false));

    private FlushResult Check(FlushResult result)
    {
        if (result.IsCanceled && Volatile.Read(ref _abortException) is { } aborted)
        {
            throw aborted;
        }

        return result;
    }

    public override void CancelPendingFlush() => _inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        _inner.Complete(exception);
        _onCompleted?.Invoke(exception);
    }

    private void ThrowIfAborted()
    {
        if (Volatile.Read(ref _abortException) is { } aborted)
        {
            throw aborted;
        }
    }
}
