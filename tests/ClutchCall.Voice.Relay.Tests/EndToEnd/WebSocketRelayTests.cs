using System.Net;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.Qmux;
using ClutchCall.Voice.Relay.Server;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Relay.Tests.EndToEnd;

/// <summary>Two or more clients and a relay over real loopback WebSockets (QMux framing).</summary>
public sealed class WebSocketRelayTests
{
    private static readonly string[] Alpn = ["moq-00"];

    [Fact]
    public async Task WebSocket_ThirtySecondsOfOpusSpeech_ArriveByteIdenticalWithLatencyFromTimestamps()
    {
        var frames = EncodeSpeech(TimeSpan.FromSeconds(30));
        Assert.Equal(1500, frames.Count);

        await using var relay = new WsRelay();
        await using var publisher = await relay.ConnectAsync();
        await using var subscriber = await relay.ConnectAsync();
        Assert.Equal("websocket", publisher.TransportName);
        var track = FullTrackName.Uplink("CAws1");
        var got = new AudioCollector();
        var latenciesUs = new List<long>();
        await using var sub = await subscriber.SubscribeAudioAsync(track, o =>
        {
            var now = SyntheticFrames.NowUs();
            lock (latenciesUs)
            {
                latenciesUs.Add(now - o.CaptureTimestampUs);
            }

            got.Callback(o);
        }, TestContext.Current.CancellationToken);
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);

        AudioCollector? late = null;
        ulong newestWhenLateJoined = 0;
        for (var i = 0; i < frames.Count; i++)
        {
            pub.Publish(frames[i], SyntheticFrames.NowUs());
            await got.WaitForCountAsync(i - 3); // at most four frames in flight: nothing ages out
            if (i == 700)
            {
                await got.WaitForCountAsync(i + 1);
                newestWhenLateJoined = got.Items[^1].Location.Group;
                late = new AudioCollector();
                await subscriber.SubscribeAudioAsync(FullTrackName.Uplink("CAws1"), late.Callback, TestContext.Current.CancellationToken);
            }
        }

        try
        {
            await got.WaitForCountAsync(frames.Count);
        }
        catch (TimeoutException)
        {
            relay.Server.Tracks.TryGet(track, out var rt);
            var have = got.Items.Select(x => x.Location).ToHashSet();
            var g0 = got.Items.Min(x => x.Location.Group);
            var missing = Enumerable.Range(0, 1500).Select(k => new Location(g0 + (ulong)(k / 50), (ulong)(k % 50))).Where(l => !have.Contains(l));
            TestContext.Current.TestOutputHelper?.WriteLine("missing " + string.Join(" ", missing) + " resets " + subscriber.Session?.DataStreamsReset);
            Assert.Fail($"published {pub.Published} sent {pub.Sent} stale {pub.DroppedStale} overflow {pub.DroppedOverflow} got {got.Count} late {late?.Count} subs {rt?.SubscriberCount} largest {(rt!.TryGetLargest(out var l) ? l : default)} last {got.Items[^1].Location} lost {sub.Lost} relay queues {string.Join(",", rt.Subscribers.Select(q => $"{q.Enqueued}/{q.StaleDropped}/{q.OverflowDropped}"))}");
        }

        // Group streams may interleave at a boundary; the location puts every frame back in place.
        var items = got.Items.OrderBy(x => x.Location).ToList();
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(frames[i], items[i].Payload);
        }

        Assert.Equal(0, sub.Lost);
        Assert.True(late!.Count > 0);
        Assert.True(late.Items[0].Location.Group >= newestWhenLateJoined);
        Assert.True(late.Items[0].Location.Group <= newestWhenLateJoined + 1);

        latenciesUs.Sort();
        var p50 = latenciesUs[latenciesUs.Count / 2];
        var p99 = latenciesUs[latenciesUs.Count * 99 / 100];
        TestContext.Current.TestOutputHelper?.WriteLine($"WebSocket relay per-object latency over {latenciesUs.Count} objects: p50 {p50} us, p99 {p99} us");
        Assert.InRange(p50, 0, 200_000);
    }

    [Fact]
    public async Task WebSocket_OnePublisherFiftySubscribers_AllReceive()
    {
        await using var relay = new WsRelay();
        var track = FullTrackName.Uplink("CAws50");
        var collectors = new List<AudioCollector>();
        var clients = new List<MoqtClient>();
        for (var i = 0; i < 50; i++)
        {
            var c = await relay.ConnectAsync();
            clients.Add(c);
            var got = new AudioCollector();
            collectors.Add(got);
            await c.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        }

        await using var publisher = await relay.ConnectAsync();
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        for (var i = 0; i < 25; i++)
        {
            pub.Publish(SyntheticFrames.Frame(i), SyntheticFrames.NowUs());
            foreach (var c in collectors)
            {
                await c.WaitForCountAsync(i + 1);
            }
        }

        Assert.All(collectors, c => Assert.Equal(SyntheticFrames.Frame(24), c.Items[^1].Payload));
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task WebSocket_RelayKilledAndRestartedOnSamePort_FramesResumeWithoutApplicationCode()
    {
        await using var relay = new WsRelay();
        await using var publisher = await relay.ConnectAsync();
        await using var subscriber = await relay.ConnectAsync();
        var states = new List<MoqtClientState>();
        subscriber.StateChanged += s =>
        {
            lock (states)
            {
                states.Add(s);
            }
        };
        var track = FullTrackName.Uplink("CAws2");
        var got = new AudioCollector();
        await using var sub = await subscriber.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        for (var i = 0; i < 20; i++)
        {
            pub.Publish(SyntheticFrames.Frame(i), SyntheticFrames.NowUs());
            await got.WaitForCountAsync(i + 1);
        }

        await relay.RestartAsync();

        // The "application" only keeps publishing a frame every 20 ms.
        var next = 20;
        await Wait.UntilAsync(() =>
        {
            pub.Publish(SyntheticFrames.Frame(next), SyntheticFrames.NowUs());
            next++;
            return got.Count >= 30;
        }, TimeSpan.FromSeconds(20), "frames after the relay restart");

        Assert.True(publisher.ConnectCount >= 2);
        Assert.True(subscriber.ConnectCount >= 2);
        lock (states)
        {
            Assert.Contains(MoqtClientState.Reconnecting, states);
            Assert.Equal(MoqtClientState.Connected, states[^1]);
        }

        var index = Enumerable.Range(0, next).ToDictionary(k => Convert.ToHexString(SyntheticFrames.Frame(k)), k => k);
        var order = got.Items.Select(x => index[Convert.ToHexString(x.Payload)]).ToList();
        Assert.True(order.Zip(order.Skip(1)).All(p => p.First < p.Second));
    }

    /// <summary>Real speech (the shared LibriVox and JFK recordings, looped) encoded to 20 ms Opus packets at 16 kHz.</summary>
    private static List<byte[]> EncodeSpeech(TimeSpan duration)
    {
        var files = new[] { "speech/jfk.wav", "speech/librivox-0870.wav", "speech/librivox-0880.wav", "speech/librivox-0890.wav" };
        var pcm = new List<short>();
        foreach (var f in files)
        {
            var wav = WavFile.Read(TestData.Require(f));
            Assert.Equal(16000, wav.Format.SampleRate);
            pcm.AddRange(wav.Samples);
        }

        var format = new AudioFormat(16000, 1);
        using var encoder = new OpusEncoder(format);
        var frameSamples = format.SamplesPerChannel(20);
        var count = (int)(duration.TotalMilliseconds / 20);
        var all = pcm.ToArray();
        var frames = new List<byte[]>(count);
        var packet = new byte[4000];
        for (var i = 0; i < count; i++)
        {
            var offset = i * frameSamples % (all.Length - frameSamples);
            var n = encoder.Encode(all.AsSpan(offset, frameSamples), packet);
            frames.Add(packet[..n]);
        }

        return frames;
    }

    private sealed class WsRelay : IAsyncDisposable
    {
        private readonly List<MoqtClient> _clients = [];

        public WsRelay()
        {
            Server = Start(0, out var port);
            Port = port;
        }

        public int Port { get; }

        public MoqtRelayServer Server { get; private set; }

        public Uri Uri => new($"ws://127.0.0.1:{Port}/moq");

        public async Task RestartAsync()
        {
            await Server.ShutdownAsync(TimeSpan.Zero);
            await Task.Delay(100, TestContext.Current.CancellationToken);
            Server = Start(Port, out _);
        }

        public async Task<MoqtClient> ConnectAsync()
        {
            var client = await MoqtClient.ConnectAsync(new MoqtClientOptions
            {
                Endpoints = [new MoqtClientEndpoint(new WebSocketTransportConnector(), Uri)],
                Transport = new MoqtTransportConnectOptions { ApplicationProtocols = Alpn },
                InitialBackoff = TimeSpan.FromMilliseconds(100),
                MaxBackoff = TimeSpan.FromSeconds(1),
                Random = new Random(11),
            }, TestContext.Current.CancellationToken);
            _clients.Add(client);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var c in _clients)
            {
                await c.DisposeAsync();
            }

            await Server.ShutdownAsync(TimeSpan.FromMilliseconds(200));
        }

        private static MoqtRelayServer Start(int port, out int boundPort)
        {
            var listener = new WebSocketTransportListener(new IPEndPoint(IPAddress.Loopback, port), Alpn);
            boundPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
            var server = new MoqtRelayServer(new MoqtRelayOptions { DrainTimeout = TimeSpan.FromMilliseconds(200) });
            server.AddListener(listener);
            return server;
        }
    }
}
