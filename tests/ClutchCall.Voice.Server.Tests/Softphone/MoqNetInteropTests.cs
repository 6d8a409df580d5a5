using System.Collections.Concurrent;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Transport.Qmux;
using ClutchCall.Voice.Server.Tests.Infrastructure;

namespace ClutchCall.Voice.Server.Tests.Softphone;

/// <summary>
/// Interop with a MoQT client nobody on this team wrote: moq-dev's <c>@moq/net</c> 0.3.4 (npm) in Node 20, over
/// WebSocket/QMux to the real server's relay at <c>/moq</c>, negotiating draft-14 (<c>qmux-02.moq-00</c>).
/// The npm project and its scripts live in tests/ClutchCall.Voice.Moqt.Tests/Interop/moq-net/.
/// </summary>
public sealed class MoqNetInteropTests(PostgresServer postgres)
{
    private const int Groups = 3;
    private const int PerGroup = 10;

    private static readonly Dictionary<string, string> FastLine = new()
    {
        ["TestLine:DialDelay"] = "00:00:00.050",
        ["TestLine:RingDuration"] = "00:00:00.200",
        ["Relay:DrainTimeout"] = "00:00:00.500",
    };

    private static string ScriptFolder => Path.Combine(NodeTooling.RepoRoot, "tests", "ClutchCall.Voice.Moqt.Tests", "Interop", "moq-net");

    [Fact]
    public async Task MoqNet_PublishesThroughRelay_CSharpClientReceivesExactObjects()
    {
        var ct = TestContext.Current.CancellationToken;
        var (node, npm) = NodeTooling.RequireNode();
        await NodeTooling.EnsureInstalledAsync(ScriptFolder, npm, ct);
        await using var server = await TestServer.StartAsync(Backend.Sqlite, postgres, settings: FastLine);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:speech", From = "+14155550100" }, ct);
        var publisherToken = await voice.AudioBridge.RequestTokenAsync(call.Sid, AudioBridgeRole.Server, ct);
        var subscriberToken = await voice.AudioBridge.RequestTokenAsync(call.Sid, AudioBridgeRole.Caller, ct);
        var relayUrl = Assert.Single(publisherToken.RelayUrls);

        // Our client subscribes first; the relay holds the subscription until @moq/net publishes.
        var received = new ConcurrentQueue<(ulong Group, ulong Object, string Payload)>();
        await using var client = await MoqtClient.ConnectAsync(new MoqtClientOptions
        {
            Endpoints = [new MoqtClientEndpoint(new WebSocketTransportConnector(), new Uri(relayUrl))],
            AuthorizationToken = subscriberToken.Token,
        }, ct);
        await using var subscription = await client.SubscribeAudioAsync(
            FullTrackName.Downlink(call.Sid),
            o => received.Enqueue((o.Location.Group, o.Location.Object, Convert.ToHexStringLower(o.Payload.Span))),
            ct);

        await using var publisher = new NodeScript(node, ScriptFolder, "publish.mjs", $"{relayUrl}?jwt={publisherToken.Token}", $"voice/{call.Sid}", "downlink", Groups.ToString(), PerGroup.ToString());
        await WaitUntilAsync(() => publisher.Events("done").Count > 0 || publisher.Events("error").Count > 0 || publisher.HasExited, () => "@moq/net publisher finishing:\n" + publisher.Log);
        Assert.Empty(publisher.Events("error"));
        var connected = Assert.Single(publisher.Events("connected"));
        Assert.Equal("moq-transport-14", connected.GetProperty("version").GetString());

        var sent = publisher.Events("sent")
            .Select(e => ((ulong)e.GetProperty("group").GetInt64(), (ulong)e.GetProperty("object").GetInt64(), e.GetProperty("payload").GetString()!))
            .ToArray();
        Assert.Equal(Groups * PerGroup, sent.Length);
        await WaitUntilAsync(() => received.Count >= sent.Length, () => $"{received.Count}/{sent.Length} objects at our subscriber\n{publisher.Log}");

        // Every object byte-identical, at the location @moq/net gave it, in order, none missing.
        Assert.Equal(sent, received.ToArray());
    }

    [Fact]
    public async Task CSharpClient_PublishesThroughRelay_MoqNetSubscriberReceivesExactObjects()
    {
        var ct = TestContext.Current.CancellationToken;
        var (node, npm) = NodeTooling.RequireNode();
        await NodeTooling.EnsureInstalledAsync(ScriptFolder, npm, ct);
        await using var server = await TestServer.StartAsync(Backend.Sqlite, postgres, settings: FastLine);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:speech", From = "+14155550100" }, ct);
        var publisherToken = await voice.AudioBridge.RequestTokenAsync(call.Sid, AudioBridgeRole.Server, ct);
        var subscriberToken = await voice.AudioBridge.RequestTokenAsync(call.Sid, AudioBridgeRole.Caller, ct);
        var relayUrl = Assert.Single(publisherToken.RelayUrls);

        const int Want = 40;
        await using var subscriber = new NodeScript(node, ScriptFolder, "subscribe.mjs", $"{relayUrl}?jwt={subscriberToken.Token}", $"voice/{call.Sid}", "downlink", Want.ToString());
        await WaitUntilAsync(() => subscriber.Events("subscribed").Count > 0 || subscriber.HasExited, () => "@moq/net subscriber ready:\n" + subscriber.Log);
        Assert.Empty(subscriber.Events("error"));
        Assert.Equal("moq-transport-14", Assert.Single(subscriber.Events("connected")).GetProperty("version").GetString());

        await using var client = await MoqtClient.ConnectAsync(new MoqtClientOptions
        {
            Endpoints = [new MoqtClientEndpoint(new WebSocketTransportConnector(), new Uri(relayUrl))],
            AuthorizationToken = publisherToken.Token,
        }, ct);
        await using var publication = await client.PublishAudioAsync(FullTrackName.Downlink(call.Sid), ct);

        // Published at the audio pace (20 ms); frames the delivery timeout drops under load are not sent at all.
        var published = new List<string>();
        using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (var i = 0; subscriber.Events("done").Count == 0 && !subscriber.HasExited && i < 3000; i++)
        {
            var payload = Payload(i);
            published.Add(Convert.ToHexStringLower(payload));
            publication.Publish(payload, (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10 + 1);
            await pace.WaitForNextTickAsync(ct);
        }

        Assert.Empty(subscriber.Events("error"));
        var frames = subscriber.Events("frame");
        Assert.True(frames.Count >= Want, $"@moq/net received {frames.Count}/{Want} frames\n{subscriber.Log}");

        // Each frame is byte-identical to one we published, in publishing order, at rising locations.
        var last = -1;
        var lastLocation = (Group: -1L, Object: -1L);
        foreach (var f in frames)
        {
            var index = published.IndexOf(f.GetProperty("payload").GetString()!);
            Assert.True(index > last, $"frame {f} is not the next published payload after #{last}");
            last = index;
            var location = (f.GetProperty("group").GetInt64(), f.GetProperty("object").GetInt64());
            Assert.True(location.CompareTo(lastLocation) > 0, $"location {location} after {lastLocation}");
            lastLocation = location;
        }

        Assert.Equal(Want, frames.Count);
        Assert.True(publication.Sent >= Want, $"sent {publication.Sent}");
    }

    private static byte[] Payload(int index)
    {
        var head = System.Text.Encoding.ASCII.GetBytes($"cc-{index}-");
        var bytes = new byte[head.Length + 40 + (index % 80)];
        head.CopyTo(bytes, 0);
        for (var i = head.Length; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((index * 7) + i);
        }

        return bytes;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting for " + what());
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
