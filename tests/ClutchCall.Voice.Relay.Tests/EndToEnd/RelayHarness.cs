using System.Collections.Concurrent;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Audio;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.InMemory;
using ClutchCall.Voice.Relay.Access;
using ClutchCall.Voice.Relay.Server;

namespace ClutchCall.Voice.Relay.Tests.EndToEnd;

/// <summary>A relay on a private in-memory listener plus clients that dial it.</summary>
internal sealed class RelayHarness : IAsyncDisposable
{
    private static int _counter;
    private readonly InMemoryTransportNetwork _network = new();
    private readonly List<MoqtClient> _clients = [];
    private readonly IRelayAuthorizer? _authorizer;

    public RelayHarness(IRelayAuthorizer? authorizer = null, MoqtRelayOptions? options = null)
    {
        _authorizer = authorizer;
        Name = "relay" + Interlocked.Increment(ref _counter);
        Options = options ?? new MoqtRelayOptions { DrainTimeout = TimeSpan.FromMilliseconds(200) };
        Server = StartServer();
    }

    public string Name { get; }

    public MoqtRelayOptions Options { get; }

    public MoqtRelayServer Server { get; private set; }

    public Uri Uri => new($"memory://{Name}/moq");

    public IMoqtTransportConnector Connector => _network.CreateConnector();

    public async Task RestartAsync()
    {
        await Server.DisposeAsync();
        Server = StartServer();
    }

    public async Task<MoqtClient> ConnectAsync(string? token = null, TimeSpan? backoff = null)
    {
        var client = await MoqtClient.ConnectAsync(new MoqtClientOptions
        {
            Endpoints = [new MoqtClientEndpoint(Connector, Uri)],
            AuthorizationToken = token,
            InitialBackoff = backoff ?? TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
            Random = new Random(7),
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

        await Server.DisposeAsync();
    }

    private MoqtRelayServer StartServer()
    {
        var server = new MoqtRelayServer(Options, _authorizer);
        server.AddListener(_network.Listen(Name));
        return server;
    }
}

/// <summary>Collects received audio objects (copies) for assertions.</summary>
internal sealed class AudioCollector
{
    private readonly ConcurrentQueue<(Location Location, long TimestampUs, byte[] Payload)> _items = new();
    private int _count;

    public Action<AudioObject> Callback => o =>
    {
        _items.Enqueue((o.Location, o.CaptureTimestampUs, o.Payload.ToArray()));
        Interlocked.Increment(ref _count);
    };

    public int Count => Volatile.Read(ref _count);

    public List<(Location Location, long TimestampUs, byte[] Payload)> Items => [.. _items];

    public async Task WaitForCountAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} objects, got {Count}.");
            }

            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}

/// <summary>Deterministic synthetic 20 ms "encoded" frames: varying length and content per index.</summary>
internal static class SyntheticFrames
{
    public static byte[] Frame(int index)
    {
        var length = 60 + (index * 37 % 140);
        var frame = new byte[length];
        var state = (uint)(index * 2654435761u) | 1;
        for (var i = 0; i < length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            frame[i] = (byte)state;
        }

        return frame;
    }

    public static long NowUs() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10;
}

internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + (what ?? "condition"));
            }

            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
