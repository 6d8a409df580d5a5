using System.Buffers;
using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport.InMemory;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;
using ClutchCall.Voice.Relay.Fanout;
using ClutchCall.Voice.Relay.Server;

namespace ClutchCall.Voice.Benchmarks.Relay;

/// <summary>
/// Relay fan-out end to end over the in-memory transport: a publisher session writes audio-sized objects, the
/// relay copies each once and fans it out by reference, N subscriber sessions parse and count them.
/// One operation is one object delivered to one subscriber.
/// </summary>
[MemoryDiagnoser]
public class RelayFanoutBenchmarks
{
    private const int ObjectsPerInvoke = 16;

    private readonly byte[] _payload = new byte[120];
    private readonly byte[] _extensions = new byte[16];
    private MoqtRelayServer _relay = null!;
    private MoqtSession _publisher = null!;
    private MoqtTrackWriter _writer = null!;
    private readonly List<MoqtSession> _subscribers = [];
    private CountingSink _sink = null!;
    private int _extensionsLength;
    private ulong _nextObject;

    [Params(1, 10, 100)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var s in _subscribers)
        {
            s.CloseAsync(MoqtSessionErrorCode.NoError, "done").AsTask().GetAwaiter().GetResult();
        }

        _publisher.CloseAsync(MoqtSessionErrorCode.NoError, "done").AsTask().GetAwaiter().GetResult();
        _relay.ShutdownAsync(TimeSpan.Zero).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = ObjectsPerInvoke)]
    public async Task PublishOneObjectToAllSubscribers()
    {
        var target = _sink.Count + ((long)ObjectsPerInvoke * Subscribers);
        for (var i = 0; i < ObjectsPerInvoke; i++)
        {
            await _writer.WriteObjectAsync(new Location(1, _nextObject++), _extensions.AsMemory(0, _extensionsLength), _payload, 64);
        }

        _sink.WaitFor(target);
    }

    private async Task SetupAsync()
    {
        _extensionsLength = MoqtExtensionHeaders.WriteCaptureTimestamp(_extensions, 1_700_000_000_000_000);
        new Random(1).NextBytes(_payload);
        _relay = new MoqtRelayServer(new MoqtRelayOptions
        {
            Delivery = DeliveryProfile.Audio with { DeliveryTimeout = TimeSpan.FromMinutes(5), QueueCapacity = 1024 },
        });
        _sink = new CountingSink();
        var track = FullTrackName.Uplink("CAbench");
        for (var i = 0; i < Subscribers; i++)
        {
            var s = await ConnectAsync();
            await s.SubscribeAsync(track, MoqtSubscriptionFilter.LargestObject, _sink, CancellationToken.None);
            _subscribers.Add(s);
        }

        _publisher = await ConnectAsync();
        _writer = await _publisher.PublishAsync(track, 64, CancellationToken.None);

        // Warm the streams, pools and pumps.
        for (var i = 0; i < 64; i++)
        {
            await PublishOneObjectToAllSubscribers();
        }
    }

    private async Task<MoqtSession> ConnectAsync()
    {
        var (client, server) = InMemoryTransport.CreatePair();
        var accept = _relay.AcceptConnectionAsync(server);
        var session = await MoqtSession.ConnectAsync(client, new MoqtSessionOptions(), CancellationToken.None);
        session.Start(new MoqtSessionHandler());
        _ = await accept ?? throw new InvalidOperationException("relay refused the benchmark session");
        return session;
    }

    private sealed class CountingSink : IMoqtObjectSink
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void OnObject(in ReceivedObjectHeader header, ReadOnlySpan<byte> extensions, in ReadOnlySequence<byte> payload) =>
            Interlocked.Increment(ref _count);

        public void OnEnded(MoqtPublishDoneCode code, string reason, bool sessionClosed)
        {
        }

        public void WaitFor(long target)
        {
            var spin = new SpinWait();
            var deadline = Environment.TickCount64 + 10_000;
            while (Interlocked.Read(ref _count) < target)
            {
                spin.SpinOnce();
                if (Environment.TickCount64 > deadline)
                {
                    throw new TimeoutException($"Delivered {Count} of {target}.");
                }
            }
        }
    }
}

/// <summary>The relay core alone: one shared object offered to N subscriber queues and drained, no transport.</summary>
[MemoryDiagnoser]
public class RelayTrackFanoutBenchmarks
{
    private readonly RelayObjectPool _pool = new();
    private RelayTrack _track = null!;
    private SubscriberQueue[] _queues = [];

    [Params(1, 10, 100)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _track = new RelayTrack(FullTrackName.Uplink("CAcore"), DeliveryProfile.Audio);
        _queues = new SubscriberQueue[Subscribers];
        for (var i = 0; i < Subscribers; i++)
        {
            _queues[i] = new SubscriberQueue(DeliveryProfile.Audio, TimeProvider.System);
            _track.Attach(_queues[i], nextGroup: false);
        }
    }

    private ulong _next;

    [Benchmark]
    public int PublishAndDrain()
    {
        var obj = _pool.Rent(new Location(_next / 50, _next % 50), 0, 64, 0, TimeProvider.System.GetTimestamp(), 0, 120);
        _next++;
        _track.Publish(obj);
        var n = 0;
        foreach (var q in _queues)
        {
            while (q.TryDequeue(out var o))
            {
                o.Release();
                n++;
            }
        }

        return n;
    }
}
