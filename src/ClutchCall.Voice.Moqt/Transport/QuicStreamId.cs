namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>QUIC stream id arithmetic, shared by every transport so ids mean the same everywhere.</summary>
internal static class QuicStreamId
{
    // RFC 9000 §2.1: the two least significant bits of a stream id give initiator and direction.
    private const long ServerInitiatedBit = 0x01;
    private const long UnidirectionalBit = 0x02;

    /// <summary>Largest valid stream id (RFC 9000 §2.1: 62-bit integers).</summary>
    public const long MaxValue = (1L << 62) - 1;

    public static bool IsServerInitiated(long streamId) => (streamId & ServerInitiatedBit) != 0;

    public static bool IsUnidirectional(long streamId) => (streamId & UnidirectionalBit) != 0;

    public static bool IsBidirectional(long streamId) => (streamId & UnidirectionalBit) == 0;

    /// <summary>The <paramref name="index"/>-th (0-based) stream of a kind: RFC 9000 §2.1 numbering.</summary>
    public static long Compose(long index, bool serverInitiated, bool unidirectional) =>
        (index << 2) | (serverInitiated ? ServerInitiatedBit : 0) | (unidirectional ? UnidirectionalBit : 0);

    /// <summary>Index of the stream among those of its kind.</summary>
    public static long IndexOf(long streamId) => streamId >> 2;

    /// <summary>True when the local side (server or client) opened the stream.</summary>
    public static bool IsLocal(long streamId, bool localIsServer) => IsServerInitiated(streamId) == localIsServer;
}
