using System.Buffers;
using ClutchCall.Voice.Moqt;

namespace ClutchCall.Voice.Relay.Fanout;

/// <summary>
/// One object of a track as the relay holds it: header fields plus the raw extension-header block and
/// payload in one pooled buffer, shared by every subscriber it fans out to. The publisher side rents it
/// with a reference count of one; each subscriber queue takes a reference with <see cref="AddRef"/> and
/// gives it back with <see cref="Release"/>; the last release returns the buffer and the object to
/// their pools. Nothing is copied per subscriber.
/// </summary>
internal sealed class RelayObject
{
    /// <summary>Marks "no capture timestamp extension present".</summary>
    public const long NoTimestamp = -1;

    private readonly RelayObjectPool _pool;
    private byte[] _buffer = [];
    private int _extensionsLength;
    private int _payloadLength;
    private int _refCount;

    internal RelayObject(RelayObjectPool pool)
    {
        _pool = pool;
    }

    /// <summary>Group and object id (draft-ietf-moq-transport-14 §2.3).</summary>
    public Location Location { get; private set; }

    /// <summary>Subgroup the publisher sent it on (draft-ietf-moq-transport-14 §2.2).</summary>
    public ulong SubgroupId { get; private set; }

    /// <summary>Publisher priority, lower is more urgent (draft-ietf-moq-transport-14 §7).</summary>
    public byte PublisherPriority { get; private set; }

    /// <summary>Capture time of the audio in microseconds, or <see cref="NoTimestamp"/>.</summary>
    public long CaptureTimestampUs { get; private set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the relay received it; delivery timeouts count from here.</summary>
    public long ArrivalTimestamp { get; private set; }

    /// <summary>The object's extension headers exactly as received (key-value pairs, without the length prefix).</summary>
    public ReadOnlyMemory<byte> Extensions => new(_buffer, 0, _extensionsLength);

    /// <summary>The object's payload.</summary>
    public ReadOnlyMemory<byte> Payload => new(_buffer, _extensionsLength, _payloadLength);

    /// <summary>Writable extension block, for the receiver that fills a freshly rented object.</summary>
    public Span<byte> ExtensionsSpan => _buffer.AsSpan(0, _extensionsLength);

    /// <summary>Writable payload, for the receiver that fills a freshly rented object.</summary>
    public Span<byte> PayloadSpan => _buffer.AsSpan(_extensionsLength, _payloadLength);

    /// <summary>Current reference count (diagnostics and tests).</summary>
    public int RefCount => Volatile.Read(ref _refCount);

    /// <summary>Takes one more reference for a new holder.</summary>
    public void AddRef()
    {
        var after = Interlocked.Increment(ref _refCount);
        if (after <= 1)
        {
            throw new InvalidOperationException("AddRef on a released RelayObject.");
        }
    }

    /// <summary>Gives back one reference; the last one returns the storage to its pools.</summary>
    public void Release()
    {
        var after = Interlocked.Decrement(ref _refCount);
        if (after == 0)
        {
            var buffer = _buffer;
            _buffer = [];
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _pool.Return(this);
        }
        else if (after < 0)
        {
            throw new InvalidOperationException("RelayObject released more times than referenced.");
        }
    }

    internal void Initialize(
        Location location,
        ulong subgroupId,
        byte publisherPriority,
        long captureTimestampUs,
        long arrivalTimestamp,
        int extensionsLength,
        int payloadLength)
    {
        Location = location;
        SubgroupId = subgroupId;
        PublisherPriority = publisherPriority;
        CaptureTimestampUs = captureTimestampUs;
        ArrivalTimestamp = arrivalTimestamp;
        _extensionsLength = extensionsLength;
        _payloadLength = payloadLength;
        var total = extensionsLength + payloadLength;
        _buffer = total == 0 ? [] : ArrayPool<byte>.Shared.Rent(total);
        _refCount = 1;
    }
}
