using System.IO.Pipelines;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>
/// One WebTransport stream over an HTTP/3 connection's QUIC stream, after its signal/session-id prefix. Error
/// codes are application codes here and HTTP/3 codes on the wire (draft-ietf-webtrans-http3-02 §4.3).
/// </summary>
internal sealed class WebTransportStream : IMoqtStream
{
    private readonly IMoqtStream _inner;
    private readonly Action<WebTransportStream>? _onDisposed;
    private int _disposed;

    public WebTransportStream(IMoqtStream inner, Action<WebTransportStream>? onDisposed = null)
    {
        _inner = inner;
        _onDisposed = onDisposed;
        Input = inner.Input is null ? null : new CodeMappingPipeReader(inner.Input);
        Output = inner.Output is null ? null : new CodeMappingPipeWriter(inner.Output);
    }

    public long StreamId => _inner.StreamId;

    public bool IsBidirectional => _inner.IsBidirectional;

    public bool IsLocallyInitiated => _inner.IsLocallyInitiated;

    public PipeReader? Input { get; }

    public PipeWriter? Output { get; }

    public void Abort(long errorCode) => _inner.Abort(Http3ErrorCode.ToWire(errorCode));

    /// <summary>Aborts with an HTTP/3-level code as is (WEBTRANSPORT_SESSION_GONE and the like).</summary>
    public void AbortRaw(long wireCode) => _inner.Abort(wireCode);

    public async ValueTask CompleteWritesAsync()
    {
        try
        {
            await _inner.CompleteWritesAsync().ConfigureAwait(false);
        }
        catch (MoqtStreamAbortedException ex)
        {
            throw CodeMapping.Map(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _onDisposed?.Invoke(this);
        }
    }
}

/// <summary>Maps peer stream aborts from HTTP/3 wire codes back to application codes.</summary>
internal static class CodeMapping
{
    public static MoqtStreamAbortedException Map(MoqtStreamAbortedException ex) =>
        new(Http3ErrorCode.FromWire(ex.ErrorCode), ex.IsStopSending);
}

/// <summary>Delegates to the QUIC stream's reader, translating reset codes (draft-ietf-webtrans-http3-02 §4.3).</summary>
internal sealed class CodeMappingPipeReader(PipeReader inner) : PipeReader
{
    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override async ValueTask CompleteAsync(Exception? exception = null) => await inner.CompleteAsync(exception).ConfigureAwait(false);

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MoqtStreamAbortedException ex)
        {
            throw CodeMapping.Map(ex);
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        try
        {
            return inner.TryRead(out result);
        }
        catch (MoqtStreamAbortedException ex)
        {
            throw CodeMapping.Map(ex);
        }
    }
}

/// <summary>Delegates to the QUIC stream's writer, translating STOP_SENDING codes (draft-ietf-webtrans-http3-02 §4.3).</summary>
internal sealed class CodeMappingPipeWriter(PipeWriter inner) : PipeWriter
{
    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    public override void Advance(int bytes) => inner.Advance(bytes);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override async ValueTask CompleteAsync(Exception? exception = null) => await inner.CompleteAsync(exception).ConfigureAwait(false);

    public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MoqtStreamAbortedException ex)
        {
            throw CodeMapping.Map(ex);
        }
    }

    public override async ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.WriteAsync(source, cancellationToken).ConfigureAwait(false);
        }
        catch (MoqtStreamAbortedException ex)
        {
            throw CodeMapping.Map(ex);
        }
    }
}
