using ClutchCall.Voice.Moqt.Audio;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Client;

/// <summary>
/// An audio track this client publishes: <see cref="Publish"/> turns each 20 ms encoded frame into one object
/// (a new group every second, capture timestamp in the extension header) and one sender loop writes them out.
/// Frames wait in a small bounded queue; any older than the delivery timeout (200 ms) are dropped, never sent
/// late, including while the client reconnects. Nothing is allocated per frame.
/// </summary>
internal sealed class AudioTrackPublication : IAsyncDisposable
{
    private const int QueueCapacity = 16;

    private readonly MoqtClient _client;
    private readonly TimeProvider _time;
    private readonly long _timeoutTicks;
    private readonly Lock _gate = new();
    private readonly byte[][] _slots = new byte[QueueCapacity][];
    private readonly int[] _lengths = new int[QueueCapacity];
    private readonly long[] _captureUs = new long[QueueCapacity];
    private readonly long[] _enqueuedAt = new long[QueueCapacity];
    private readonly Location[] _locations = new Location[QueueCapacity];
    private readonly AsyncSignal _signal = new();
    private readonly AudioObjectSequencer _sequencer = new();
    private readonly byte[] _sendBuffer = new byte[AudioDeliveryProfile.MaxFrameBytes];
    private readonly byte[] _extensionBuffer = new byte[32];
    private MoqtTrackWriter? _writer;
    private Task _loop = Task.CompletedTask;
    private int _head;
    private int _count;
    private long _published;
    private long _sent;
    private long _droppedStale;
    private long _droppedOverflow;
    private int _disposed;

    internal AudioTrackPublication(MoqtClient client, FullTrackName track, TimeProvider time)
    {
        _client = client;
        Track = track;
        _time = time;
        _timeoutTicks = (long)(AudioDeliveryProfile.DeliveryTimeout.TotalSeconds * time.TimestampFrequency);
        for (var i = 0; i < QueueCapacity; i++)
        {
            _slots[i] = new byte[AudioDeliveryProfile.MaxFrameBytes];
        }
    }

    /// <summary>The track.</summary>
    public FullTrackName Track { get; }

    /// <summary>Frames handed to <see cref="Publish"/>.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Objects written to the relay.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Frames dropped for age (delivery timeout) or because no session was up.</summary>
    public long DroppedStale => Interlocked.Read(ref _droppedStale);

    /// <summary>Frames dropped because the queue was full.</summary>
    public long DroppedOverflow => Interlocked.Read(ref _droppedOverflow);

    /// <summary>The last error replaying the publication after a reconnect, if any.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>True while a session carries the track.</summary>
    public bool IsAttached => Volatile.Read(ref _writer) is { IsStopped: false };

    /// <summary>
    /// Queues one encoded frame captured at <paramref name="timestampUs"/> (microseconds since the Unix epoch).
    /// Never blocks; returns false when the publication is closed.
    /// </summary>
    public bool Publish(ReadOnlySpan<byte> frame, long timestampUs)
    {
        if (frame.Length > AudioDeliveryProfile.MaxFrameBytes)
        {
            throw new ArgumentException($"An audio frame is at most {AudioDeliveryProfile.MaxFrameBytes} bytes.", nameof(frame));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(timestampUs);
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_count == QueueCapacity)
            {
                _head = (_head + 1) % QueueCapacity;
                _count--;
                _droppedOverflow++;
            }

            var slot = (_head + _count) % QueueCapacity;
            frame.CopyTo(_slots[slot]);
            _lengths[slot] = frame.Length;
            _captureUs[slot] = timestampUs;
            _enqueuedAt[slot] = now;
            _locations[slot] = _sequencer.Next(timestampUs, out _);
            _count++;
            _published++;
        }

        _signal.Set();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _client.Remove(this);
        _signal.Close();
        await _loop.ConfigureAwait(false);
        var writer = Interlocked.Exchange(ref _writer, null);
        if (writer is not null && _client.Session is { } session)
        {
            try
            {
                // draft-ietf-moq-transport-14 §9.12: the publisher ends its track with PUBLISH_DONE TRACK_ENDED.
                await session.EndPublicationAsync(writer, MoqtPublishDoneCode.TrackEnded, "publisher closed the track").ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The session is going away anyway.
            }
        }
    }

    internal void Start() => _loop = RunAsync();

    internal async ValueTask AttachAsync(MoqtSession session, CancellationToken cancellationToken)
    {
        Location? largest;
        lock (_gate)
        {
            // A fresh session starts a fresh group, so a new subscriber starts cleanly on a new stream.
            _sequencer.BreakGroup();
            largest = _published > 0 ? _sequencer.Current : null;
        }

        var writer = await session.PublishAsync(Track, AudioDeliveryProfile.PublisherPriority, cancellationToken, largest).ConfigureAwait(false);
        Volatile.Write(ref _writer, writer);
        LastError = null;
    }

    internal void Detach() => Volatile.Write(ref _writer, null);

    internal void OnReplayFailed(Exception error) => LastError = error;

    private bool TryDequeue(out int length, out long captureUs, out Location location)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            while (_count > 0)
            {
                var slot = _head;
                _head = (_head + 1) % QueueCapacity;
                _count--;
                if (now - _enqueuedAt[slot] > _timeoutTicks)
                {
                    _droppedStale++;
                    continue;
                }

                length = _lengths[slot];
                captureUs = _captureUs[slot];
                location = _locations[slot];
                _slots[slot].AsSpan(0, length).CopyTo(_sendBuffer);
                return true;
            }
        }

        length = 0;
        captureUs = 0;
        location = default;
        return false;
    }

    private async Task RunAsync()
    {
        while (await _signal.WaitAsync().ConfigureAwait(false))
        {
            while (TryDequeue(out var length, out var captureUs, out var location))
            {
                var writer = Volatile.Read(ref _writer);
                if (writer is null)
                {
                    Interlocked.Increment(ref _droppedStale);
                    continue;
                }

                var extLength = MoqtExtensionHeaders.WriteCaptureTimestamp(_extensionBuffer, (ulong)captureUs);
                bool open;
                try
                {
                    open = await writer.WriteObjectAsync(location, _extensionBuffer.AsMemory(0, extLength), _sendBuffer.AsMemory(0, length), AudioDeliveryProfile.PublisherPriority).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    open = false;
                }

                if (open)
                {
                    Interlocked.Increment(ref _sent);
                }
                else
                {
                    Interlocked.CompareExchange(ref _writer, null, writer);
                }
            }
        }
    }
}
