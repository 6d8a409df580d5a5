using System.Net;

namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>
/// One established transport session (a QUIC connection, a WebTransport session, a QMux-over-WebSocket
/// session or an in-memory pair) that the MoQT session runs on: bidirectional and unidirectional
/// streams, and datagrams where the transport carries them.
/// </summary>
/// <remarks>
/// Thread-safety: every member may be called concurrently from different tasks.
/// Disposing without <see cref="CloseAsync"/> closes with error code 0 and an empty reason.
/// </remarks>
internal interface IMoqtTransportConnection : IAsyncDisposable
{
    /// <summary>Short name for logs and metrics: <c>memory</c>, <c>websocket</c>, <c>quic</c>, <c>webtransport</c>.</summary>
    string TransportName { get; }

    /// <summary>The peer's address, when the transport has one.</summary>
    EndPoint? RemoteEndPoint { get; }

    /// <summary>What was negotiated while the transport was set up (token, path, application protocol).</summary>
    MoqtConnectionInfo Info { get; }

    /// <summary>True when <see cref="SendDatagramAsync"/> actually delivers datagrams on this connection.</summary>
    bool SupportsDatagrams { get; }

    /// <summary>Largest datagram payload the peer accepts; 0 when datagrams are unsupported.</summary>
    int MaxDatagramSize { get; }

    /// <summary>
    /// Completes when the connection is closed by either side (never faults). Carries the close code and
    /// reason; <see cref="MoqtTransportCloseInfo.IsLocal"/> tells who closed.
    /// </summary>
    Task<MoqtTransportCloseInfo> Closed { get; }

    /// <summary>Opens a stream both sides write. Waits while the peer's stream limit is reached.</summary>
    /// <exception cref="MoqtTransportClosedException">The connection is closed.</exception>
    ValueTask<IMoqtStream> OpenBidirectionalStreamAsync(CancellationToken cancellationToken);

    /// <summary>Opens a send-only stream (its <see cref="IMoqtStream.Input"/> is null). Waits while the peer's stream limit is reached.</summary>
    /// <exception cref="MoqtTransportClosedException">The connection is closed.</exception>
    ValueTask<IMoqtStream> OpenUnidirectionalStreamAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Waits for the next stream the peer opened (bidirectional or receive-only unidirectional).
    /// Returns null once the connection is closed. Transport-internal streams (HTTP/3 control and QPACK
    /// streams) are never returned.
    /// </summary>
    ValueTask<IMoqtStream?> AcceptStreamAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sends one unreliable datagram. The payload is copied before the call returns, so the caller may
    /// reuse its buffer. Datagrams that do not fit or cannot be queued are dropped silently (they are
    /// unreliable by contract).
    /// </summary>
    /// <exception cref="NotSupportedException"><see cref="SupportsDatagrams"/> is false.</exception>
    ValueTask SendDatagramAsync(ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken);

    /// <summary>
    /// Copies the next received datagram into <paramref name="destination"/> (size it with
    /// <see cref="MaxDatagramSize"/>) and returns its length; returns -1 once the connection is closed.
    /// A datagram larger than <paramref name="destination"/> is dropped.
    /// </summary>
    /// <exception cref="NotSupportedException"><see cref="SupportsDatagrams"/> is false.</exception>
    ValueTask<int> ReceiveDatagramAsync(Memory<byte> destination, CancellationToken cancellationToken);

    /// <summary>
    /// Closes the connection with an application error code and reason the peer observes in its
    /// <see cref="Closed"/>. Open streams are aborted. Idempotent: only the first close is sent.
    /// </summary>
    ValueTask CloseAsync(long errorCode, string reason, CancellationToken cancellationToken);
}
