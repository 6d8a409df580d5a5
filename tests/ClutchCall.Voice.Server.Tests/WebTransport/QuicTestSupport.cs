using System.Collections.Concurrent;
using System.Net.Quic;
using ClutchCall.Voice.Moqt.Audio;

namespace ClutchCall.Voice.Server.Tests.WebTransport;

internal static class QuicTestSupport
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static void RequireQuic(string what)
    {
        if (!QuicListener.IsSupported || !QuicConnection.IsSupported)
        {
            Assert.Skip($"SKIPPED: libmsquic not installed (QuicListener.IsSupported=false): {what} is not exercised. "
                + "Install libmsquic (packages.microsoft.com 'libmsquic', or a local build on LD_LIBRARY_PATH) to run it.");
        }
    }

    public static long NowUs() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10;

    /// <summary>Deterministic synthetic 20 ms "encoded" frames of varying length.</summary>
    public static byte[] Frame(int index)
    {
        var frame = new byte[60 + (index * 37 % 140)];
        new Random(index).NextBytes(frame);
        return frame;
    }

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(5, Ct);
        }
    }

    public static double Percentile(List<long> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }
}

/// <summary>Collects received audio objects (copies) and their one-way latency from the capture timestamp.</summary>
internal sealed class ReceivedAudio
{
    private readonly ConcurrentQueue<(ulong Group, ulong Object, byte[] Payload)> _items = new();
    private readonly ConcurrentQueue<long> _latencyUs = new();
    private int _count;

    public Action<AudioObject> Callback => o =>
    {
        _latencyUs.Enqueue(QuicTestSupport.NowUs() - o.CaptureTimestampUs);
        _items.Enqueue((o.Location.Group, o.Location.Object, o.Payload.ToArray()));
        Interlocked.Increment(ref _count);
    };

    public int Count => Volatile.Read(ref _count);

    public List<byte[]> InOrder() => [.. _items.OrderBy(i => i.Group).ThenBy(i => i.Object).Select(i => i.Payload)];

    public List<long> LatenciesUs => [.. _latencyUs];
}
