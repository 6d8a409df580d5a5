using ClutchCall.Voice.Moqt;

namespace ClutchCall.Voice.Relay.Fanout;

/// <summary>
/// A bounded pool of <see cref="RelayObject"/> shells (their byte storage comes from
/// <see cref="System.Buffers.ArrayPool{T}"/>). Warm, renting and releasing allocate nothing.
/// </summary>
internal sealed class RelayObjectPool
{
    /// <summary>Largest object the relay accepts: payload plus extensions.</summary>
    public const int MaxObjectBytes = 64 * 1024;

    private readonly RelayObject?[] _items;
    private readonly Lock _gate = new();
    private int _count;

    public RelayObjectPool(int maxRetained = 8192)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetained, 1);
        _items = new RelayObject?[maxRetained];
    }

    /// <summary>The process-wide pool.</summary>
    public static RelayObjectPool Shared { get; } = new();

    /// <summary>
    /// Rents an object with room for <paramref name="extensionsLength"/> extension bytes and
    /// <paramref name="payloadLength"/> payload bytes, holding one reference owned by the caller.
    /// </summary>
    public RelayObject Rent(
        Location location,
        ulong subgroupId,
        byte publisherPriority,
        long captureTimestampUs,
        long arrivalTimestamp,
        int extensionsLength,
        int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(extensionsLength);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        if (extensionsLength + payloadLength > MaxObjectBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), $"An object is at most {MaxObjectBytes} bytes.");
        }

        RelayObject? item = null;
        lock (_gate)
        {
            if (_count > 0)
            {
                item = _items[--_count];
                _items[_count] = null;
            }
        }

        item ??= new RelayObject(this);
        item.Initialize(location, subgroupId, publisherPriority, captureTimestampUs, arrivalTimestamp, extensionsLength, payloadLength);
        return item;
    }

    internal void Return(RelayObject item)
    {
        lock (_gate)
        {
            if (_count < _items.Length)
            {
                _items[_count++] = item;
            }
        }
    }
}
