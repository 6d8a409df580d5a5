using System.IO.Pipelines;

namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>
/// One transport stream. Data flows through System.IO.Pipelines: read <see cref="Input"/>, write
/// <see cref="Output"/>. Backpressure is the pipes': <c>Output.FlushAsync</c> waits while the peer's
/// flow-control window (or the local buffer) is full, and the peer is only granted more credit as
/// <c>Input.AdvanceTo</c> consumes data.
/// </summary>
/// <remarks>
/// <para>FIN: <see cref="CompleteWritesAsync"/> (or <c>Output.Complete()</c>) ends the send side
/// gracefully; the peer's read then returns <c>IsCompleted</c>.</para>
/// <para>Errors: when the peer resets its send side, reading <see cref="Input"/> throws
/// <see cref="MoqtStreamAbortedException"/> with the peer's code; when the peer asks us to stop sending,
/// the next <c>Output.FlushAsync</c> throws <see cref="MoqtStreamAbortedException"/> with its code. When
/// the connection closes, pending operations throw <see cref="MoqtTransportClosedException"/>.</para>
/// <para>Disposal sends FIN if writes were not completed and stops the receive side (STOP_SENDING 0)
/// if the peer's FIN was not read. Always dispose: QUIC returns stream credit only on disposal.</para>
/// </remarks>
internal interface IMoqtStream : IAsyncDisposable
{
    /// <summary>Transport stream id (QUIC numbering: bit 0 = server-initiated, bit 1 = unidirectional).</summary>
    long StreamId { get; }

    /// <summary>True for a bidirectional stream.</summary>
    bool IsBidirectional { get; }

    /// <summary>True when this side opened the stream.</summary>
    bool IsLocallyInitiated { get; }

    /// <summary>Receive side; null for a locally opened unidirectional (send-only) stream.</summary>
    PipeReader? Input { get; }

    /// <summary>Send side; null for a peer-opened unidirectional (receive-only) stream.</summary>
    PipeWriter? Output { get; }

    /// <summary>
    /// Abandons the stream with an application error code: resets the send side (RESET_STREAM) and stops
    /// the receive side (STOP_SENDING), whichever exist and are still open. Never throws.
    /// </summary>
    void Abort(long errorCode);

    /// <summary>Flushes what was written and ends the send side gracefully (FIN).</summary>
    ValueTask CompleteWritesAsync();
}
