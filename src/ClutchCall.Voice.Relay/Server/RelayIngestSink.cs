using System.Buffers;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Relay.Fanout;

namespace ClutchCall.Voice.Relay.Server;

/// <summary>
/// Where a publisher's objects land: each object is copied once from the transport's buffer into a pooled
/// <see cref="RelayObject"/> and fanned out by reference. Objects from a publisher that has been replaced
/// (a reconnect took the track over) are ignored.
/// </summary>
internal sealed class RelayIngestSink : IMoqtObjectSink
{
    private readonly RelayTrack _track;
    private readonly TimeProvider _time;
    private readonly RelayObjectPool _pool;
    private long _dropped;

    public RelayIngestSink(RelayTrack track, TimeProvider time, RelayObjectPool pool)
    {
        _track = track;
        _time = time;
        _pool = pool;
    }

    /// <summary>The track this publisher feeds.</summary>
    public RelayTrack Track => _track;

    /// <summary>Objects refused (not normal status, too large, or from a replaced publisher).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void OnObject(in ReceivedObjectHeader header, ReadOnlySpan<byte> extensions, in ReadOnlySequence<byte> payload)
    {
        if (header.Status != MoqtObjectStatus.Normal
            || extensions.Length + payload.Length > RelayObjectPool.MaxObjectBytes
            || !ReferenceEquals(_track.Publisher, this))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        var timestamp = MoqtExtensionHeaders.TryGetCaptureTimestamp(extensions, out var micros) ? (long)micros : RelayObject.NoTimestamp;
        var obj = _pool.Rent(header.Location, header.SubgroupId, header.PublisherPriority, timestamp, _time.GetTimestamp(), extensions.Length, (int)payload.Length);
        extensions.CopyTo(obj.ExtensionsSpan);
        payload.CopyTo(obj.PayloadSpan);
        _track.Publish(obj);
    }

    public void OnEnded(MoqtPublishDoneCode code, string reason, bool sessionClosed)
    {
        // A publisher that says the track is over ends its subscribers; a lost link leaves them waiting for
        // the publisher to come back (draft-ietf-moq-transport-14 §9.12 PUBLISH_DONE TRACK_ENDED).
        _track.RemovePublisher(this, trackEnded: !sessionClosed && code == MoqtPublishDoneCode.TrackEnded);
    }
}
