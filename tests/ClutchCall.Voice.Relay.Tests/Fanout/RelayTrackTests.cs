using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Relay.Fanout;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Relay.Tests.Fanout;

public sealed class RelayTrackTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RelayObjectPool _pool = new();

    [Fact]
    public void Publish_ThreeSubscribers_ShareOneBufferWithoutCopy()
    {
        var track = new RelayTrack(FullTrackName.Uplink("CA1"), DeliveryProfile.Audio);
        var queues = Enumerable.Range(0, 3).Select(_ => new SubscriberQueue(DeliveryProfile.Audio, _time)).ToArray();
        foreach (var q in queues)
        {
            track.Attach(q, nextGroup: false);
        }

        var obj = Rent(new Location(0, 0), [1, 2, 3]);
        Assert.Equal(3, track.Publish(obj));
        Assert.Equal(4, obj.RefCount); // three queues + the newest-group cache

        var payloads = new List<ReadOnlyMemory<byte>>();
        foreach (var q in queues)
        {
            Assert.True(q.TryDequeue(out var got));
            Assert.Same(obj, got);
            payloads.Add(got.Payload);
            got.Release();
        }

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payloads[0], out var a0));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payloads[2], out var a2));
        Assert.Same(a0.Array, a2.Array);
        Assert.Equal(1, obj.RefCount);
    }

    [Fact]
    public void Queue_ObjectOlderThanDeliveryTimeout_IsDroppedNotDelivered()
    {
        var q = new SubscriberQueue(DeliveryProfile.Audio, _time);
        var track = new RelayTrack(FullTrackName.Uplink("CA1"), DeliveryProfile.Audio);
        track.Attach(q, nextGroup: false);
        track.Publish(Rent(new Location(0, 0), [1]));
        _time.Advance(TimeSpan.FromMilliseconds(150));
        track.Publish(Rent(new Location(0, 1), [2]));
        _time.Advance(TimeSpan.FromMilliseconds(60)); // first is 210 ms old, second 60 ms

        Assert.True(q.TryDequeue(out var got));
        Assert.Equal(new Location(0, 1), got.Location);
        got.Release();
        Assert.False(q.TryDequeue(out _));
        Assert.Equal(1, q.StaleDropped);
    }

    [Fact]
    public void Queue_SlowSubscriber_StaysBoundedAndOthersGetEverything()
    {
        var profile = DeliveryProfile.Audio with { QueueCapacity = 8 };
        var slow = new SubscriberQueue(profile, _time);
        var fast = new SubscriberQueue(profile, _time);
        var track = new RelayTrack(FullTrackName.Uplink("CA1"), profile);
        track.Attach(slow, false);
        track.Attach(fast, false);
        var fastGot = 0;
        for (ulong i = 0; i < 500; i++)
        {
            track.Publish(Rent(new Location(i / 50, i % 50), [(byte)i]));
            _time.Advance(TimeSpan.FromMilliseconds(20));
            while (fast.TryDequeue(out var o))
            {
                Assert.Equal(i, (o.Location.Group * 50) + o.Location.Object);
                fastGot++;
                o.Release();
            }

            Assert.True(slow.Count <= 8);
        }

        Assert.Equal(500, fastGot);
        Assert.True(slow.StaleDropped + slow.OverflowDropped >= 490);
        // What the slow one still holds is fresh: at most 200 ms (10 frames) old.
        var drained = 0;
        while (slow.TryDequeue(out var o))
        {
            Assert.True(o.Location.Group * 50 + o.Location.Object >= 490);
            o.Release();
            drained++;
        }

        Assert.InRange(drained, 1, 8);
    }

    [Fact]
    public async Task Subscriber_BeforePublisher_WaitsThenFlows()
    {
        var registry = new RelayTrackRegistry(DeliveryProfile.Audio, _time);
        var track = registry.GetOrAdd(FullTrackName.Uplink("CA9"));
        var q = registry.CreateQueue();
        track.Attach(q, nextGroup: false);
        var wait = q.WaitAsync();
        Assert.False(wait.IsCompleted);
        Assert.Null(track.Publisher);

        var publisher = new object();
        Assert.True(track.TrySetPublisher(publisher));
        Assert.False(track.TrySetPublisher(new object()));
        track.Publish(Rent(new Location(0, 0), [9]));

        Assert.True(await wait);
        Assert.True(q.TryDequeue(out var o));
        Assert.Equal(9, o.Payload.Span[0]);
        o.Release();
    }

    [Fact]
    public void LateSubscriber_LargestObjectFilter_StartsInNewestGroup()
    {
        var track = new RelayTrack(FullTrackName.Uplink("CA1"), DeliveryProfile.Audio);
        for (ulong i = 0; i < 120; i++)
        {
            track.Publish(Rent(new Location(i / 50, i % 50), [(byte)i]));
        }

        Assert.True(track.TryGetLargest(out var largest));
        Assert.Equal(new Location(2, 19), largest);

        var late = new SubscriberQueue(DeliveryProfile.Audio, _time);
        track.Attach(late, nextGroup: false);
        var nextGroup = new SubscriberQueue(DeliveryProfile.Audio, _time);
        track.Attach(nextGroup, nextGroup: true);
        track.Publish(Rent(new Location(2, 20), [1]));
        track.Publish(Rent(new Location(3, 0), [2]));

        Assert.True(late.TryDequeue(out var first));
        Assert.Equal(new Location(2, 20), first.Location);
        first.Release();
        Assert.True(nextGroup.TryDequeue(out var firstOfNext));
        Assert.Equal(new Location(3, 0), firstOfNext.Location);
        firstOfNext.Release();
    }

    [Fact]
    public void CopyCached_ReturnsOnlyNewestGroup()
    {
        var track = new RelayTrack(FullTrackName.Uplink("CA1"), DeliveryProfile.Audio);
        for (ulong i = 0; i < 60; i++)
        {
            track.Publish(Rent(new Location(i / 50, i % 50), [(byte)i]));
        }

        var list = new List<RelayObject>();
        Assert.Equal(10, track.CopyCached(new Location(0, 0), new Location(ulong.MaxValue, ulong.MaxValue), list));
        Assert.All(list, o => Assert.Equal(1UL, o.Location.Group));
        list.ForEach(o => o.Release());
    }

    [Fact]
    public async Task PublisherEndsTrack_SubscribersCompleteWithTrackEnded_LinkLossKeepsThemWaiting()
    {
        var track = new RelayTrack(FullTrackName.Uplink("CA1"), DeliveryProfile.Audio);
        var q = new SubscriberQueue(DeliveryProfile.Audio, _time);
        track.Attach(q, false);
        var pub = new object();
        track.TrySetPublisher(pub);

        track.RemovePublisher(pub, trackEnded: false);
        Assert.False(q.IsCompleted);
        Assert.Equal(1, track.SubscriberCount);

        var pub2 = new object();
        Assert.True(track.TrySetPublisher(pub2));
        track.RemovePublisher(pub2, trackEnded: true);
        Assert.True(q.IsCompleted);
        Assert.Equal(TrackEndReason.TrackEnded, q.EndReason);
        Assert.False(await q.WaitAsync());
        Assert.True(track.IsIdle);
    }

    [Fact]
    public void Detach_ReleasesQueuedReferences()
    {
        var track = new RelayTrack(FullTrackName.Uplink("CA1"), DeliveryProfile.Audio with { GroupCacheCapacity = 0 });
        var q = new SubscriberQueue(DeliveryProfile.Audio, _time);
        track.Attach(q, false);
        var obj = Rent(new Location(0, 0), [1]);
        obj.AddRef(); // observe it after the track is done with it
        track.Publish(obj);
        Assert.Equal(2, obj.RefCount);
        track.Detach(q, TrackEndReason.Unsubscribed);
        Assert.Equal(1, obj.RefCount);
        Assert.Equal(0, track.SubscriberCount);
        obj.Release();
    }

    private RelayObject Rent(Location location, byte[] payload)
    {
        var o = _pool.Rent(location, 0, 128, RelayObject.NoTimestamp, _time.GetTimestamp(), 0, payload.Length);
        payload.CopyTo(o.PayloadSpan);
        return o;
    }
}
