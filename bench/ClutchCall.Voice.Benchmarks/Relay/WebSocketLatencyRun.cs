using System.Diagnostics;
using System.Globalization;
using System.Net;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Audio;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.Qmux;
using ClutchCall.Voice.Relay.Server;

namespace ClutchCall.Voice.Benchmarks.Relay;

/// <summary>
/// End-to-end latency through the relay over loopback WebSockets (QMux) with many concurrent audio tracks:
/// each track publishes one 20 ms object at real-time pace, one subscriber per track receives it, and the
/// latency is the receive time minus the capture timestamp carried in the object's extension header.
/// Not a BenchmarkDotNet job (a fixed-rate load, not a throughput loop):
/// <c>dotnet run -c Release --project bench/ClutchCall.Voice.Benchmarks -- --ws-latency [--tracks 1000] [--seconds 20] [--connections 50]</c>.
/// </summary>
internal static class WebSocketLatencyRun
{
    private const int BucketUs = 50;
    private const int Buckets = 40_000; // 2 s of 50 µs buckets; beyond that lands in the last one.
    private const int PayloadBytes = 80; // 32 kbit/s Opus, 20 ms
    private static readonly string[] Alpn = ["moq-00"];

    public static async Task<int> RunAsync(string[] args)
    {
        var tracks = Option(args, "--tracks", 1000);
        var seconds = Option(args, "--seconds", 20);
        var connections = Math.Clamp(Option(args, "--connections", 50), 1, tracks);
        var warmupSeconds = 3;

        await using var listener = new WebSocketTransportListener(new IPEndPoint(IPAddress.Loopback, 0), Alpn);
        var relay = new MoqtRelayServer(new MoqtRelayOptions());
        relay.AddListener(listener);
        var uri = new Uri($"ws://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}/moq");

        var histogram = new long[Buckets];
        long received = 0, lostReported = 0;
        var measuring = 0;
        var clients = new List<MoqtClient>();
        var publications = new AudioTrackPublication[tracks];
        try
        {
            var subscribers = new MoqtClient[connections];
            var publishers = new MoqtClient[connections];
            for (var c = 0; c < connections; c++)
            {
                subscribers[c] = await ConnectAsync(uri);
                publishers[c] = await ConnectAsync(uri);
                clients.Add(subscribers[c]);
                clients.Add(publishers[c]);
            }

            for (var t = 0; t < tracks; t++)
            {
                var track = FullTrackName.Uplink($"CAlat{t:D5}");
                await subscribers[t % connections].SubscribeAudioAsync(track, o =>
                {
                    if (Volatile.Read(ref measuring) == 0)
                    {
                        return;
                    }

                    var us = NowUs() - o.CaptureTimestampUs;
                    Interlocked.Increment(ref histogram[Math.Clamp(us / BucketUs, 0, Buckets - 1)]);
                    Interlocked.Increment(ref received);
                    if (o.LostBefore > 0)
                    {
                        Interlocked.Add(ref lostReported, o.LostBefore);
                    }
                }, CancellationToken.None);
                publications[t] = await publishers[t % connections].PublishAudioAsync(track, CancellationToken.None);
            }

            Console.WriteLine($"ws-latency: {tracks} tracks on {connections}+{connections} WebSocket sessions, {warmupSeconds} s warm-up, {seconds} s measured...");
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var published = Pace(publications, warmupSeconds, seconds, () => Volatile.Write(ref measuring, 1), () => Volatile.Write(ref measuring, 0));
            await Task.Delay(500);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

            var total = Interlocked.Read(ref received);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"published {published} objects while measuring, received {total} ({100.0 * total / Math.Max(1, published):F2} %), gaps reported by subscribers {lostReported}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"latency µs: p50 {Percentile(histogram, total, 0.50)}  p90 {Percentile(histogram, total, 0.90)}  p99 {Percentile(histogram, total, 0.99)}  p99.9 {Percentile(histogram, total, 0.999)}  max<= {Percentile(histogram, total, 1.0)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"process CPU {cpu.TotalSeconds:F1} s over {seconds + warmupSeconds + 0.5:F1} s wall ({cpu.TotalSeconds / (seconds + warmupSeconds + 0.5) * 100:F0} % of one core; publisher, relay and subscribers in one process)"));
            return total > 0 ? 0 : 1;
        }
        finally
        {
            foreach (var p in publications)
            {
                if (p is not null)
                {
                    await p.DisposeAsync();
                }
            }

            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }

            await relay.ShutdownAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>
    /// Publishes every track once per 20 ms on absolute deadlines, spreading the tracks over the 20 one-ms
    /// slots of a frame period the way independent calls are spread in time. Returns objects published while measuring.
    /// </summary>
    private static long Pace(AudioTrackPublication[] publications, int warmupSeconds, int seconds, Action startMeasuring, Action stopMeasuring)
    {
        var payload = new byte[PayloadBytes];
        new Random(5).NextBytes(payload);
        var slots = 20;
        var start = Stopwatch.GetTimestamp();
        var totalMs = (warmupSeconds + seconds) * 1000;
        long published = 0;
        var measuring = false;
        for (var ms = 0; ms < totalMs; ms++)
        {
            var due = start + (ms * Stopwatch.Frequency / 1000);
            while (Stopwatch.GetTimestamp() < due)
            {
                var left = (due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                if (left > 1)
                {
                    Thread.Sleep(1);
                }
                else
                {
                    Thread.SpinWait(50);
                }
            }

            if (!measuring && ms >= warmupSeconds * 1000)
            {
                measuring = true;
                startMeasuring();
            }

            var slot = ms % slots;
            for (var t = slot; t < publications.Length; t += slots)
            {
                publications[t].Publish(payload, NowUs());
                if (measuring)
                {
                    published++;
                }
            }
        }

        // Objects still in flight at the end belong to the measurement; stop after they land.
        Thread.Sleep(300);
        stopMeasuring();
        return published;
    }

    private static async Task<MoqtClient> ConnectAsync(Uri uri) => await MoqtClient.ConnectAsync(new MoqtClientOptions
    {
        Endpoints = [new MoqtClientEndpoint(new WebSocketTransportConnector(), uri)],
        Transport = new MoqtTransportConnectOptions { ApplicationProtocols = Alpn },
    }, CancellationToken.None);

    private static long Percentile(long[] histogram, long total, double p)
    {
        if (total == 0)
        {
            return 0;
        }

        var target = (long)Math.Ceiling(total * p);
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen >= target)
            {
                return (i + 1) * (long)BucketUs;
            }
        }

        return Buckets * (long)BucketUs;
    }

    private static readonly long EpochAnchorUs = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
    private static readonly long StopwatchAnchor = Stopwatch.GetTimestamp();

    private static long NowUs() => EpochAnchorUs + (long)Stopwatch.GetElapsedTime(StopwatchAnchor).TotalMicroseconds;

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }
}
