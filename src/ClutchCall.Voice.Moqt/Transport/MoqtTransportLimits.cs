namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>
/// Receive-side limits one endpoint grants its peer. Defaults suit audio: dozens of small streams,
/// a few hundred KiB in flight per connection.
/// </summary>
internal sealed record MoqtTransportLimits
{
    /// <summary>Defaults: 256 KiB per stream, 1 MiB per connection, 100 bidi and 1000 uni streams.</summary>
    public static MoqtTransportLimits Default { get; } = new();

    /// <summary>Bytes the peer may send on one stream before we read them (QUIC initial_max_stream_data_*).</summary>
    public long StreamReceiveWindow { get; init; } = 256 * 1024;

    /// <summary>Bytes the peer may have in flight on the whole connection (QUIC initial_max_data).</summary>
    public long ConnectionReceiveWindow { get; init; } = 1024 * 1024;

    /// <summary>Concurrent bidirectional streams the peer may open (QUIC initial_max_streams_bidi).</summary>
    public int MaxInboundBidirectionalStreams { get; init; } = 100;

    /// <summary>Concurrent unidirectional streams the peer may open (QUIC initial_max_streams_uni).</summary>
    public int MaxInboundUnidirectionalStreams { get; init; } = 1000;

    /// <summary>Largest single framed message (WebSocket message / QMux record) accepted from the peer.</summary>
    public int MaxFrameSize { get; init; } = 64 * 1024;

    /// <summary>Idle time after which the connection is closed; also drives keep-alives.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Streams accepted from the peer but not yet taken by <see cref="IMoqtTransportConnection.AcceptStreamAsync"/>.</summary>
    public int AcceptQueueCapacity { get; init; } = 256;

    /// <summary>Received datagrams buffered before the oldest is dropped.</summary>
    public int DatagramQueueCapacity { get; init; } = 256;
}
