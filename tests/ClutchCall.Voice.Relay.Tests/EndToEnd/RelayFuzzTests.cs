using System.Buffers;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Relay.Tests.EndToEnd;

public sealed class RelayFuzzTests
{
    [Fact]
    public async Task Relay_RandomAndMutatedSessions_OnlyTheBadSessionsClose_GoodCallKeepsFlowing()
    {
        var unobserved = 0;
        var unobservedTypes = new System.Collections.Concurrent.ConcurrentBag<string>();
        EventHandler<UnobservedTaskExceptionEventArgs> onUnobserved = (_, e) =>
        {
            if (e.Exception.InnerExceptions.Any(x => x is not OperationCanceledException))
            {
                Interlocked.Increment(ref unobserved);
                unobservedTypes.Add(e.Exception.ToString());
            }
        };
        TaskScheduler.UnobservedTaskException += onUnobserved;
        try
        {
            await using var relay = new RelayHarness();
            var publisher = await relay.ConnectAsync();
            var subscriber = await relay.ConnectAsync();
            var track = FullTrackName.Uplink("CAfuzz");
            var got = new AudioCollector();
            await using var sub = await subscriber.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
            await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);

            var random = new Random(1234);
            var valid = ValidControlBytes();
            var validData = ValidDataStream();
            const int iterations = 1200;
            var frame = 0;
            for (var batch = 0; batch < iterations / 20; batch++)
            {
                var tasks = new List<Task>();
                for (var j = 0; j < 20; j++)
                {
                    tasks.Add(OneBadSessionAsync(relay, random.Next(), valid, validData));
                }

                await Task.WhenAll(tasks);

                // The good call keeps flowing while the bad sessions come and go.
                pub.Publish(SyntheticFrames.Frame(frame), SyntheticFrames.NowUs());
                frame++;
                await got.WaitForCountAsync(frame, TimeSpan.FromSeconds(5));
            }

            Assert.Equal(iterations / 20, got.Count);
            Assert.Equal(SyntheticFrames.Frame(frame - 1), got.Items[^1].Payload);
            await Wait.UntilAsync(() => relay.Server.SessionCount == 2, TimeSpan.FromSeconds(10), "bad sessions cleaned up");
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= onUnobserved;
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(Volatile.Read(ref unobserved) == 0, "unobserved task exceptions: " + string.Join(" | ", unobservedTypes));
    }

    private static async Task OneBadSessionAsync(RelayHarness relay, int seed, byte[] valid, byte[] validData)
    {
        var random = new Random(seed);
        var connection = await relay.Connector.ConnectAsync(relay.Uri, new MoqtTransportConnectOptions(), CancellationToken.None);
        try
        {
            var kind = random.Next(4);
            var control = await connection.OpenBidirectionalStreamAsync(CancellationToken.None);
            byte[] bytes = kind switch
            {
                0 => RandomBytes(random, random.Next(1, 300)),
                1 => Mutate(random, valid),
                _ => valid,
            };
            await control.Output!.WriteAsync(bytes, CancellationToken.None);
            if (kind >= 2)
            {
                var uni = await connection.OpenUnidirectionalStreamAsync(CancellationToken.None);
                var data = kind == 2 ? Mutate(random, validData) : RandomBytes(random, random.Next(1, 400));
                await uni.Output!.WriteAsync(data, CancellationToken.None);
                if (random.Next(2) == 0)
                {
                    await uni.CompleteWritesAsync();
                }
            }

            await Task.WhenAny(connection.Closed, Task.Delay(2));
        }
        catch (MoqtTransportException)
        {
            // The relay closed us first: that is the point.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private static byte[] ValidControlBytes()
    {
        var w = new ArrayBufferWriter<byte>();
        var writer = MoqtControlMessageWriter.Draft14;
        writer.Write(w, new ClientSetupMessage { SupportedVersions = [MoqtVersion.Draft14], Parameters = MoqtParameters.ForSetup(maxRequestId: 50) });
        writer.Write(w, new SubscribeMessage { RequestId = 0, Track = FullTrackName.Uplink("CAx") });
        writer.Write(w, new PublishMessage { RequestId = 2, Track = FullTrackName.Downlink("CAx"), TrackAlias = 3 });
        writer.Write(w, new TrackStatusMessage { RequestId = 4, Track = FullTrackName.Uplink("CAfuzz") });
        writer.Write(w, new FetchMessage { RequestId = 6, FetchType = MoqtFetchType.Standalone, Track = FullTrackName.Uplink("CAfuzz"), EndLocation = new Location(100, 0) });
        writer.Write(w, new SubscribeNamespaceMessage { RequestId = 8, NamespacePrefix = TrackNamespace.FromStrings("voice") });
        writer.Write(w, new PublishNamespaceMessage { RequestId = 10, Namespace = TrackNamespace.FromStrings("voice", "CAy") });
        writer.Write(w, new UnsubscribeMessage { RequestId = 0 });
        return w.WrittenSpan.ToArray();
    }

    private static byte[] ValidDataStream()
    {
        var w = new ArrayBufferWriter<byte>();
        var header = new MoqtSubgroupHeader(3, 7, 0, 64, MoqtSubgroupIdMode.Zero, HasExtensions: true);
        var cursor = new MoqtSubgroupCursor(header);
        MoqtDataWriter.WriteSubgroupHeader(w, header);
        Span<byte> ext = stackalloc byte[16];
        var n = MoqtExtensionHeaders.WriteCaptureTimestamp(ext, 1_700_000_000_000_000);
        for (ulong i = 0; i < 4; i++)
        {
            MoqtDataWriter.WriteSubgroupObject(w, ref cursor, i, ext[..n], SyntheticFrames.Frame((int)i));
        }

        return w.WrittenSpan.ToArray();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var b = new byte[length];
        random.NextBytes(b);
        return b;
    }

    private static byte[] Mutate(Random random, byte[] source)
    {
        var b = (byte[])source.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (var i = 0; i < 1 + random.Next(6); i++)
                {
                    b[random.Next(b.Length)] ^= (byte)(1 << random.Next(8));
                }

                return b;
            case 1:
                return b[..random.Next(1, b.Length)];
            case 2:
                var at = random.Next(b.Length);
                return [.. b[..at], .. RandomBytes(random, random.Next(1, 20)), .. b[at..]];
            default:
                b[random.Next(b.Length)] = (byte)random.Next(256);
                b[random.Next(b.Length)] = 0xff;
                return b;
        }
    }
}
