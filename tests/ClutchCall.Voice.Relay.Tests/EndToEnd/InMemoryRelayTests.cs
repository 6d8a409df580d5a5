using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Relay.Tests.EndToEnd;

public sealed class InMemoryRelayTests
{
    [Fact]
    public async Task Relay_PublishedFrames_ArriveByteIdenticalWithTimestamps()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync();
        var subscriber = await relay.ConnectAsync();
        var track = FullTrackName.Uplink("CA100");
        var got = new AudioCollector();
        await using var sub = await subscriber.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);

        const int frames = 200;
        var sent = new List<(long Ts, byte[] Frame)>();
        for (var i = 0; i < frames; i++)
        {
            var frame = SyntheticFrames.Frame(i);
            var ts = SyntheticFrames.NowUs();
            sent.Add((ts, frame));
            Assert.True(pub.Publish(frame, ts));
            await got.WaitForCountAsync(i + 1);
        }

        var items = got.Items;
        Assert.Equal(frames, items.Count);
        for (var i = 0; i < frames; i++)
        {
            Assert.Equal(sent[i].Frame, items[i].Payload);
            Assert.Equal(sent[i].Ts, items[i].TimestampUs);
        }

        // One object per frame, a new group every 50 frames.
        var groups = items.Select(x => x.Location.Group).Distinct().Count();
        Assert.InRange(groups, 4, 5);
        Assert.All(items, x => Assert.InRange(x.Location.Object, 0UL, 49UL));
        Assert.Equal(0, sub.Lost);
    }

    [Fact]
    public async Task Relay_PipelinedFramesAcrossManyGroups_NoneLost()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync();
        var subscriber = await relay.ConnectAsync();
        var track = FullTrackName.Uplink("CA110");
        var got = new AudioCollector();
        await using var sub = await subscriber.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        const int frames = 1500;
        for (var i = 0; i < frames; i++)
        {
            pub.Publish(SyntheticFrames.Frame(i), SyntheticFrames.NowUs());
            await got.WaitForCountAsync(i - 3);
        }

        await got.WaitForCountAsync(frames);
        var items = got.Items.OrderBy(x => x.Location).ToList();
        for (var i = 0; i < frames; i++)
        {
            Assert.Equal(SyntheticFrames.Frame(i), items[i].Payload);
        }

        Assert.Equal(0, sub.Lost);
    }

    [Fact]
    public async Task Relay_SubscriberBeforePublisher_WaitsThenFlows()
    {
        await using var relay = new RelayHarness();
        var subscriber = await relay.ConnectAsync();
        var track = FullTrackName.Downlink("CA101");
        var got = new AudioCollector();
        await using var sub = await subscriber.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(0, got.Count);

        var publisher = await relay.ConnectAsync();
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        pub.Publish(SyntheticFrames.Frame(1), SyntheticFrames.NowUs());
        await got.WaitForCountAsync(1);
        Assert.Equal(SyntheticFrames.Frame(1), got.Items[0].Payload);
    }

    [Fact]
    public async Task Relay_LateSubscriber_StartsAtNewestGroup()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync();
        var early = await relay.ConnectAsync();
        var track = FullTrackName.Uplink("CA102");
        var earlyGot = new AudioCollector();
        await using var earlySub = await early.SubscribeAudioAsync(track, earlyGot.Callback, TestContext.Current.CancellationToken);
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        for (var i = 0; i < 130; i++)
        {
            pub.Publish(SyntheticFrames.Frame(i), SyntheticFrames.NowUs());
            await earlyGot.WaitForCountAsync(i + 1);
        }

        var newestGroup = earlyGot.Items[^1].Location.Group;
        var firstGroup = earlyGot.Items[0].Location.Group;
        Assert.Equal(firstGroup + 2, newestGroup);

        var late = await relay.ConnectAsync();
        var lateGot = new AudioCollector();
        await using var lateSub = await late.SubscribeAudioAsync(track, lateGot.Callback, TestContext.Current.CancellationToken);
        pub.Publish(SyntheticFrames.Frame(130), SyntheticFrames.NowUs());
        await lateGot.WaitForCountAsync(1);
        Assert.Equal(newestGroup, lateGot.Items[0].Location.Group);
        Assert.Equal(SyntheticFrames.Frame(130), lateGot.Items[0].Payload);
    }

    [Fact]
    public async Task Relay_OnePublisherFiftySubscribers_AllReceiveEveryFrame()
    {
        await using var relay = new RelayHarness();
        var track = FullTrackName.Uplink("CA103");
        var collectors = new List<AudioCollector>();
        for (var i = 0; i < 50; i++)
        {
            var c = await relay.ConnectAsync();
            var got = new AudioCollector();
            collectors.Add(got);
            await c.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        }

        var publisher = await relay.ConnectAsync();
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        for (var i = 0; i < 60; i++)
        {
            pub.Publish(SyntheticFrames.Frame(i), SyntheticFrames.NowUs());
            foreach (var c in collectors)
            {
                await c.WaitForCountAsync(i + 1);
            }
        }

        foreach (var c in collectors)
        {
            var items = c.Items;
            Assert.Equal(60, items.Count);
            Assert.Equal(SyntheticFrames.Frame(59), items[^1].Payload);
        }
    }

    [Fact]
    public async Task Relay_PublisherClosesTrack_SubscriberSeesTrackEnded()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync();
        var subscriber = await relay.ConnectAsync();
        var track = FullTrackName.Uplink("CA104");
        var got = new AudioCollector();
        var sub = await subscriber.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        pub.Publish(SyntheticFrames.Frame(0), SyntheticFrames.NowUs());
        await got.WaitForCountAsync(1);
        await pub.DisposeAsync();
        var code = await sub.Ended.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(MoqtPublishDoneCode.TrackEnded, code);
    }

    [Fact]
    public async Task Relay_SubscriberLeaves_RelayForgetsItAndPublisherContinues()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync();
        var subscriber = await relay.ConnectAsync();
        var track = FullTrackName.Uplink("CA105");
        var got = new AudioCollector();
        var sub = await subscriber.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        pub.Publish(SyntheticFrames.Frame(0), SyntheticFrames.NowUs());
        await got.WaitForCountAsync(1);
        Assert.True(relay.Server.Tracks.TryGet(track, out var relayTrack));
        Assert.Equal(1, relayTrack.SubscriberCount);

        await sub.DisposeAsync();
        await Wait.UntilAsync(() => relayTrack.SubscriberCount == 0, what: "unsubscribe");
        pub.Publish(SyntheticFrames.Frame(1), SyntheticFrames.NowUs());
        await Wait.UntilAsync(() => pub.Sent == 2, what: "second frame sent");
        Assert.Equal(1, got.Count);
    }

    [Fact]
    public async Task Relay_TrackStatusAndFetch_AnsweredFromNewestGroup()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync();
        var watcher = await relay.ConnectAsync();
        var track = FullTrackName.Uplink("CA106");
        var got = new AudioCollector();
        await using var sub = await watcher.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        for (var i = 0; i < 55; i++)
        {
            pub.Publish(SyntheticFrames.Frame(i), SyntheticFrames.NowUs());
            await got.WaitForCountAsync(i + 1);
        }

        var last = got.Items[^1].Location;
        var session = watcher.Session!;
        var status = await session.TrackStatusAsync(track, TestContext.Current.CancellationToken);
        Assert.Equal(last, status.LargestLocation);

        var fetched = new FetchCollector();
        var fetch = await session.FetchAsync(track, new Location(0, 0), new Location(last.Group + 1, 0), fetched, TestContext.Current.CancellationToken);
        await fetch.Completed.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(5, fetched.Locations.Count);
        Assert.All(fetched.Locations, l => Assert.Equal(last.Group, l.Group));

        var missing = await Assert.ThrowsAsync<MoqtRequestException>(async () =>
            await session.TrackStatusAsync(FullTrackName.Uplink("CA-nope"), TestContext.Current.CancellationToken));
        Assert.Equal((ulong)MoqtSubscribeErrorCode.TrackDoesNotExist, missing.ErrorCode);
        var noFetch = await Assert.ThrowsAsync<MoqtRequestException>(async () =>
            await session.FetchAsync(FullTrackName.Uplink("CA-nope"), default, new Location(1, 0), fetched, TestContext.Current.CancellationToken));
        Assert.Equal((ulong)MoqtFetchErrorCode.TrackDoesNotExist, noFetch.ErrorCode);
    }

    [Fact]
    public async Task Relay_RestartedMidCall_FramesResumeAfterReconnect()
    {
        await using var relay = new RelayHarness();
        var publisher = await relay.ConnectAsync();
        var subscriber = await relay.ConnectAsync();
        var track = FullTrackName.Uplink("CA107");
        var got = new AudioCollector();
        await using var sub = await subscriber.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        for (var i = 0; i < 10; i++)
        {
            pub.Publish(SyntheticFrames.Frame(i), SyntheticFrames.NowUs());
            await got.WaitForCountAsync(i + 1);
        }

        await relay.RestartAsync();

        // The application keeps publishing at its pace; nothing else happens on its side.
        var i2 = 10;
        await Wait.UntilAsync(() =>
        {
            pub.Publish(SyntheticFrames.Frame(i2), SyntheticFrames.NowUs());
            i2++;
            return got.Count >= 15;
        }, TimeSpan.FromSeconds(15), "frames after restart");

        Assert.True(publisher.ConnectCount >= 2);
        Assert.True(subscriber.ConnectCount >= 2);
        Assert.Equal(MoqtClientState.Connected, subscriber.State);
        // Every frame received is one that was published, byte for byte, in publishing order.
        var index = Enumerable.Range(0, i2).ToDictionary(k => Convert.ToHexString(SyntheticFrames.Frame(k)), k => k);
        var order = got.Items.Select(x => index[Convert.ToHexString(x.Payload)]).ToList();
        Assert.Equal(Enumerable.Range(0, 10), order.Take(10));
        Assert.True(order.Zip(order.Skip(1)).All(p => p.First < p.Second));
    }

    private sealed class FetchCollector : IMoqtObjectSink
    {
        public List<Location> Locations { get; } = [];

        public void OnObject(in ReceivedObjectHeader header, ReadOnlySpan<byte> extensions, in System.Buffers.ReadOnlySequence<byte> payload)
        {
            lock (Locations)
            {
                Locations.Add(header.Location);
            }
        }

        public void OnEnded(MoqtPublishDoneCode code, string reason, bool sessionClosed)
        {
        }
    }
}
