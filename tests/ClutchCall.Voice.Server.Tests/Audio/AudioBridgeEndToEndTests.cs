using System.Collections.Concurrent;
using System.Net;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.Qmux;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClutchCall.Voice.Server.Tests.Audio;

/// <summary>
/// The whole audio path on loopback: the real server (control plane + relay at /moq + the sim:echo line as an
/// in-process MoQT client), and the SDK's audio bridge over WebSocket.
/// </summary>
public sealed class AudioBridgeEndToEndTests(PostgresServer postgres)
{
    private static readonly Dictionary<string, string> FastLine = new()
    {
        ["TestLine:DialDelay"] = "00:00:00.050",
        ["TestLine:RingDuration"] = "00:00:00.200",
        ["Relay:DrainTimeout"] = "00:00:00.500",
    };

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task AudioBridge_SimEcho_SpeechOnUplinkAndDownlinkEchoedByteIdentical(Backend backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(backend, postgres, settings: FastLine);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        await WaitForStatusAsync(voice, call.Sid, CallStatus.InProgress);

        var uplink = new ConcurrentQueue<(byte[] Payload, long TimestampUs)>();
        var bridge = await voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions
        {
            OnUplink = f => uplink.Enqueue((f.Payload.ToArray(), f.TimestampUs)),
        }, ct);
        Assert.Equal(call.Sid, bridge.CallSid);
        Assert.Equal("websocket", bridge.TransportName);

        // The line's greeting arrives as real Opus speech.
        await WaitUntilAsync(() => uplink.Count >= 60, "60 greeting frames on uplink");
        using (var decoder = new OpusDecoder(new AudioFormat(48000, 1)))
        {
            var pcm = new short[960 * 6];
            var loudest = 0.0;
            foreach (var (payload, timestamp) in uplink.Take(60))
            {
                Assert.True(timestamp > 0, "each uplink frame carries a capture timestamp");
                var samples = decoder.Decode(payload, pcm);
                Assert.Equal(960, samples);
                loudest = Math.Max(loudest, Rms(pcm.AsSpan(0, samples)));
            }

            Assert.True(loudest > 300, $"greeting should be audible speech; loudest frame RMS {loudest:F0}");
        }

        // One second of distinctive downlink audio (an Opus-encoded chirp) comes back on uplink unchanged.
        var sent = EncodeChirp(frames: 50);
        var sentTimestamps = new long[sent.Length];
        var sentIndex = sent.Select((p, i) => (Convert.ToHexString(p), i)).ToDictionary(x => x.Item1, x => x.i);
        uplink.Clear();
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
        {
            for (var i = 0; i < sent.Length; i++)
            {
                sentTimestamps[i] = AudioBridgeSession.NowUs();
                Assert.True(bridge.PublishDownlink(sent[i], sentTimestamps[i]));
                await timer.WaitForNextTickAsync(ct);
            }
        }

        var echoed = new List<int>();
        await WaitUntilAsync(() =>
        {
            echoed = uplink.Select(f => sentIndex.TryGetValue(Convert.ToHexString(f.Payload), out var i) ? i : -1).Where(i => i >= 0).ToList();
            return echoed.Count >= 48;
        }, "downlink frames echoed on uplink");
        Assert.Equal(echoed.Order(), echoed); // in order
        Assert.Equal(echoed.Count, echoed.Distinct().Count());
        foreach (var (payload, timestamp) in uplink.Where(f => sentIndex.ContainsKey(Convert.ToHexString(f.Payload))))
        {
            Assert.Equal(sentTimestamps[sentIndex[Convert.ToHexString(payload)]], timestamp); // capture time survives two relay hops
        }

        await call.HangupAsync(ct);
        var ended = await WaitForStatusAsync(voice, call.Sid, CallStatus.Completed);
        Assert.NotNull(ended.DurationSeconds);
        Assert.True(ended.DurationSeconds >= 1, $"duration {ended.DurationSeconds}");
        await bridge.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.True(bridge.Completion.IsCompletedSuccessfully);
        Assert.False(bridge.PublishDownlink(sent[0]));
    }

    [Fact]
    public async Task AudioBridge_SimSpeech_ReceivesLoopedSpeechOnUplink()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(Backend.Sqlite, postgres, settings: FastLine);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:speech", From = "+14155550100" }, ct);
        await WaitForStatusAsync(voice, call.Sid, CallStatus.InProgress);
        var frames = new ConcurrentQueue<byte[]>();
        await using var bridge = await voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions { OnUplink = f => frames.Enqueue(f.Payload.ToArray()) }, ct);
        await WaitUntilAsync(() => frames.Count >= 75, "1.5 s of speech");

        using var decoder = new OpusDecoder(new AudioFormat(48000, 1));
        var pcm = new short[960 * 6];
        var levels = frames.Take(75).Select(p => Rms(pcm.AsSpan(0, decoder.Decode(p, pcm)))).ToList();
        Assert.True(levels.Max() > 300, $"speech should be audible; loudest RMS {levels.Max():F0}");
        Assert.True(levels.Distinct().Count() > 50, "speech varies frame to frame");
        await call.HangupAsync(ct);
        await WaitForStatusAsync(voice, call.Sid, CallStatus.Completed);
    }

    [Fact]
    public async Task SpeechFrames_Espeak_SynthesizesWholeSentenceAsOpus()
    {
        try
        {
            Speech.Espeak.EspeakTextToSpeech.EnsureAvailable();
        }
        catch (Speech.SpeechEngineException ex)
        {
            Assert.Skip("SKIPPED: espeak-ng unavailable: " + ex.Message);
        }

        var prompts = new Server.Calls.Simulated.SpeechFrames(Microsoft.Extensions.Logging.Abstractions.NullLogger<Server.Calls.Simulated.SpeechFrames>.Instance);
        var frames = await prompts.SpeechAsync();

        // The sentence takes several seconds to speak; the tone fallback is exactly 100 frames (2 s).
        Assert.InRange(frames.Length, 200, 1000);
        Assert.All(frames, f => Assert.InRange(f.Length, 1, 400));
        Assert.Same(frames, await prompts.SpeechAsync()); // synthesized once per process
    }

    [Fact]
    public async Task AudioToken_ForOneSid_CannotSubscribeAnotherSidUnauthorized()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(Backend.Sqlite, postgres, settings: FastLine);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var a = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        var b = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);

        var token = await voice.AudioBridge.RequestTokenAsync(a.Sid, AudioBridgeRole.Server, ct);
        var relayUrl = Assert.Single(token.RelayUrls);
        Assert.Equal(server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/moq", relayUrl);

        await using var client = await MoqtClient.ConnectAsync(new MoqtClientOptions
        {
            Endpoints = [new MoqtClientEndpoint(new WebSocketTransportConnector(), new Uri(relayUrl))],
            AuthorizationToken = token.Token,
        }, ct);
        var refused = await Assert.ThrowsAsync<MoqtRequestException>(async () =>
            await client.SubscribeAudioAsync(FullTrackName.Uplink(b.Sid), _ => { }, ct));
        Assert.Equal(MoqtMessageType.SubscribeError, refused.Response);
        Assert.Equal((ulong)MoqtSubscribeErrorCode.Unauthorized, refused.ErrorCode);

        // Its own call still works on the same session.
        await using var own = await client.SubscribeAudioAsync(FullTrackName.Uplink(a.Sid), _ => { }, ct);
        await WaitForStatusAsync(voice, a.Sid, CallStatus.InProgress);
        await WaitUntilAsync(() => own.Received > 5, "own call's uplink");
    }

    [Fact]
    public async Task Moq_NoTokenOrGarbageToken_RefusedWithoutAffectingConnectedBridge()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(Backend.Sqlite, postgres, settings: FastLine);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        await WaitForStatusAsync(voice, call.Sid, CallStatus.InProgress);
        var received = 0;
        await using var bridge = await voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions { OnUplink = _ => Interlocked.Increment(ref received) }, ct);
        await WaitUntilAsync(() => Volatile.Read(ref received) > 5, "bridge receiving");

        var relay = server.Services.GetRequiredService<ClutchCall.Voice.Relay.Server.MoqtRelayServer>();
        var sessionsBefore = relay.SessionCount;
        var moq = new Uri(server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/moq");
        foreach (var bad in new string?[] { null, "garbage", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA" })
        {
            var connection = await new WebSocketTransportConnector().ConnectAsync(moq, new MoqtTransportConnectOptions { AuthorizationToken = bad }, ct);
            var refused = await Assert.ThrowsAsync<MoqtProtocolException>(async () =>
                await MoqtSession.ConnectAsync(connection, new MoqtSessionOptions(), ct));
            Assert.Equal(MoqtSessionErrorCode.Unauthorized, refused.Code);

            // The relay's close carries UNAUTHORIZED and reaches the client before any close of its own.
            var closed = await connection.Closed.WaitAsync(TimeSpan.FromSeconds(10), ct);
            Assert.False(closed.IsLocal, $"the relay closes the session, not the client (got {closed})");
            Assert.Equal((long)MoqtSessionErrorCode.Unauthorized, closed.ErrorCode);
            await connection.DisposeAsync();
        }

        await WaitUntilAsync(() => relay.SetupFailures == 3, "three refused setups counted by the relay");
        Assert.Equal(sessionsBefore, relay.SessionCount);
        using (var http = new HttpClient())
        {
            var plain = await http.GetAsync(server.BaseUrl + "/moq", ct);
            Assert.Equal(HttpStatusCode.UpgradeRequired, plain.StatusCode);
        }

        // The bridge is untouched: what it publishes now still comes back.
        var echoes = 0;
        var marker = new byte[] { 0xF8, 0xFF, 0xFE }; // an Opus DTX-style packet, distinctive enough here
        bridge.OnUplink(f =>
        {
            if (f.Payload.Span.SequenceEqual(marker))
            {
                Interlocked.Increment(ref echoes);
            }
        });
        for (var i = 0; i < 20 && Volatile.Read(ref echoes) == 0; i++)
        {
            bridge.PublishDownlink(marker);
            await Task.Delay(20, ct);
        }

        await WaitUntilAsync(() => Volatile.Read(ref echoes) > 0, "echo after refused connections");
    }

    [Fact]
    public async Task Server_StopWithBridgeAttached_DrainsRelayAndStopsPromptly()
    {
        var ct = TestContext.Current.CancellationToken;
        var server = await TestServer.StartAsync(Backend.Sqlite, postgres, settings: FastLine);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        await WaitForStatusAsync(voice, call.Sid, CallStatus.InProgress);
        var received = 0;
        var bridge = await voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions { OnUplink = _ => Interlocked.Increment(ref received) }, ct);
        await WaitUntilAsync(() => Volatile.Read(ref received) > 5, "bridge receiving");
        var relay = server.Services.GetRequiredService<ClutchCall.Voice.Relay.Server.MoqtRelayServer>();
        Assert.True(relay.SessionCount >= 2, $"bridge and test line sessions, got {relay.SessionCount}");

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15), ct);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"shutdown took {stopwatch.Elapsed}: the /moq requests must end with the relay drain");
        Assert.Equal(0, relay.SessionCount);
        await bridge.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10), ct);
        server.DeleteData();
    }

    [Theory]
    [InlineData(AudioCodec.Pcm16)]
    [InlineData(AudioCodec.G711Ulaw)]
    public async Task AudioBridge_NonOpusCodec_RejectedBeforeAnyRequest(AudioCodec codec)
    {
        using var voice = new Voice(new VoiceOptions { BaseUrl = "http://127.0.0.1:9", ApiKey = "k" });
        var ex = await Assert.ThrowsAsync<NotSupportedException>(() =>
            voice.AudioBridge.AttachAsync("CA1", new AudioBridgeOptions { Codec = codec }, TestContext.Current.CancellationToken));
        Assert.Contains("Opus only", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            voice.AudioBridge.AttachAsync("CA1", new AudioBridgeOptions { FrameMs = 25 }, TestContext.Current.CancellationToken));
    }

    private static async Task<Call> WaitForStatusAsync(Voice voice, string sid, CallStatus status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var call = await voice.Calls.GetAsync(sid, TestContext.Current.CancellationToken);
            if (call.Status == status)
            {
                return call;
            }

            Assert.True(DateTime.UtcNow < deadline, $"call {sid} is {call.Status}, expected {status}");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private static byte[][] EncodeChirp(int frames)
    {
        var format = new AudioFormat(48000, 1);
        using var encoder = new OpusEncoder(format);
        var pcm = new short[960];
        var packet = new byte[OpusEncoder.MaxPacketBytes];
        var result = new byte[frames][];
        var phase = 0.0;
        for (var f = 0; f < frames; f++)
        {
            for (var i = 0; i < pcm.Length; i++)
            {
                var hz = 300 + (2700.0 * (f * 960 + i) / (frames * 960));
                phase += 2 * Math.PI * hz / 48000;
                pcm[i] = (short)(9000 * Math.Sin(phase));
            }

            result[f] = packet.AsSpan(0, encoder.Encode(pcm, packet)).ToArray();
        }

        return result;
    }

    private static double Rms(ReadOnlySpan<short> pcm)
    {
        double sum = 0;
        foreach (var s in pcm)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / Math.Max(1, pcm.Length));
    }
}
