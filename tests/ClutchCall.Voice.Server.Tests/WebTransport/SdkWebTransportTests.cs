using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Quic;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using static ClutchCall.Voice.Server.Tests.WebTransport.QuicTestSupport;

namespace ClutchCall.Voice.Server.Tests.WebTransport;

/// <summary>
/// The SDK's audio bridge picks WebTransport when the relay offers it (pinning the certificate hash the API returns)
/// and falls back to WebSocket within the MoqtClient's head start when UDP is blocked or QUIC is unavailable.
/// </summary>
public sealed class SdkWebTransportTests
{
    private static readonly Dictionary<string, string> WebTransportOn = new()
    {
        ["TestLine:DialDelay"] = "00:00:00.050",
        ["TestLine:RingDuration"] = "00:00:00.200",
        ["Relay:DrainTimeout"] = "00:00:00.500",
        ["Relay:WebTransport:Port"] = "0",
        ["Relay:WebTransport:Address"] = "127.0.0.1",
    };

    [Fact]
    public async Task AttachAsync_WebTransportAdvertisedButUdpBlackholed_FallsBackToWebSocketQuickly()
    {
        // A bound UDP socket that never answers: QUIC handshakes to it time out (no ICMP), like a firewall dropping UDP.
        using var blackHole = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var blackHolePort = ((IPEndPoint)blackHole.Client.LocalEndPoint!).Port;
        var quicHere = QuicConnection.IsSupported;
        await using var server = await TestServer.StartAsync(Backend.Sqlite, null!, settings: WebTransportOn);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        var advertised = new List<string>();
        using var http = new HttpClient(new AudioTokenRewriter(token =>
        {
            var urls = token["relayUrls"]!.AsArray();
            if (token["webTransportUrl"] is null)
            {
                // No listener (libmsquic missing): advertise one anyway, as an operator's Relay:Urls may.
                urls.Add("https://127.0.0.1:" + blackHolePort + "/moq");
            }

            for (var i = 0; i < urls.Count; i++)
            {
                var url = new UriBuilder(urls[i]!.GetValue<string>());
                if (url.Scheme is "https" or "moqt")
                {
                    url.Port = blackHolePort;
                    urls[i] = url.Uri.AbsoluteUri;
                }
            }

            advertised.AddRange(urls.Select(u => u!.GetValue<string>()));
        }));
        using var voice = new Voice(new VoiceOptions { BaseUrl = server.BaseUrl, ApiKey = key, HttpClient = http });
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, Ct);
        await WaitForStatusAsync(voice, call.Sid, CallStatus.InProgress);

        using var skipped = new SkippedUrlListener();
        var received = 0;
        var clock = Stopwatch.StartNew();
        await using var bridge = await voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions { OnUplink = _ => Interlocked.Increment(ref received) }, Ct);
        var attachTime = clock.Elapsed;

        Assert.Contains(advertised, u => u.StartsWith("https://127.0.0.1:" + blackHolePort, StringComparison.Ordinal));
        Assert.Equal("websocket", bridge.TransportName);

        // With QUIC here the WebTransport attempt hangs until its 10 s connect timeout; WebSocket must win after the
        // 0.5 s head start instead. Without QUIC the https:// URL is skipped (a debug event, not an error).
        Assert.True(attachTime < TimeSpan.FromSeconds(8), $"attach took {attachTime}; the WebSocket fallback should not wait for the UDP attempt to time out");
        if (!quicHere)
        {
            Assert.Contains(skipped.Urls, u => u.Contains(":" + blackHolePort + "/", StringComparison.Ordinal));
        }

        await UntilAsync(() => Volatile.Read(ref received) > 10, "caller audio over the WebSocket fallback");
        await call.HangupAsync(Ct);
    }

    [Fact]
    public async Task AttachAsync_RelayOffersWebTransport_UsesWebTransportAndAudioEchoes()
    {
        RequireQuic("the SDK's audio bridge over WebTransport");
        await using var server = await TestServer.StartAsync(Backend.Sqlite, null!, settings: WebTransportOn);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = new Voice(new VoiceOptions { BaseUrl = server.BaseUrl, ApiKey = key });
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, Ct);
        await WaitForStatusAsync(voice, call.Sid, CallStatus.InProgress);

        // The token names the WebTransport URL after the WebSocket one (relayUrls[0] unchanged for older clients)
        // and the same certificate hash as GET /v1/relay/certificate-hash.
        var token = await voice.AudioBridge.RequestTokenAsync(call.Sid, cancellationToken: Ct);
        Assert.StartsWith("ws://", token.RelayUrls[0], StringComparison.Ordinal);
        Assert.NotNull(token.WebTransportUrl);
        Assert.StartsWith("https://127.0.0.1:", token.WebTransportUrl, StringComparison.Ordinal);
        Assert.EndsWith("/moq", token.WebTransportUrl, StringComparison.Ordinal);
        Assert.Contains(token.WebTransportUrl, token.RelayUrls);
        using (var api = new HttpClient())
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var hash = JsonDocument.Parse(await api.GetStringAsync(server.BaseUrl + "/v1/relay/certificate-hash", Ct));
            Assert.Equal(new[] { hash.RootElement.GetProperty("value").GetString()! }, token.ServerCertificateHashes);
        }

        var uplink = new ConcurrentQueue<byte[]>();
        var bridge = await voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions { OnUplink = f => uplink.Enqueue(f.Payload.ToArray()) }, Ct);
        Assert.Equal("webtransport", bridge.TransportName);
        await UntilAsync(() => uplink.Count >= 25, "the line's greeting on uplink over WebTransport");

        var sent = EncodeTone(frames: 50);
        var sentIndex = sent.Select((p, i) => (Convert.ToHexString(p), i)).ToDictionary(x => x.Item1, x => x.i);
        uplink.Clear();
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
        {
            foreach (var frame in sent)
            {
                Assert.True(bridge.PublishDownlink(frame));
                await timer.WaitForNextTickAsync(Ct);
            }
        }

        var echoed = new List<int>();
        await UntilAsync(() =>
        {
            echoed = [.. uplink.Select(p => sentIndex.TryGetValue(Convert.ToHexString(p), out var i) ? i : -1).Where(i => i >= 0)];
            return echoed.Count >= 45;
        }, "downlink frames echoed on uplink over WebTransport");
        Assert.Equal(echoed.Order(), echoed);
        Assert.Equal(echoed.Count, echoed.Distinct().Count());

        await call.HangupAsync(Ct);
        await bridge.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(bridge.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AttachAsync_CertificateHashMismatch_RefusesWebTransportAndFallsBackToWebSocket()
    {
        RequireQuic("certificate pinning of the SDK's WebTransport endpoint");
        await using var server = await TestServer.StartAsync(Backend.Sqlite, null!, settings: WebTransportOn);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        var rewrote = false;
        using var http = new HttpClient(new AudioTokenRewriter(token =>
        {
            // Another certificate's hash: the relay's self-signed certificate must not be accepted.
            token["serverCertificateHashes"] = new JsonArray(new JsonObject { ["algorithm"] = "sha-256", ["value"] = Convert.ToBase64String(new byte[32]) });
            rewrote = token["webTransportUrl"] is not null;
        }));
        using var voice = new Voice(new VoiceOptions { BaseUrl = server.BaseUrl, ApiKey = key, HttpClient = http });
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, Ct);
        await WaitForStatusAsync(voice, call.Sid, CallStatus.InProgress);

        var received = 0;
        await using var bridge = await voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions { OnUplink = _ => Interlocked.Increment(ref received) }, Ct);
        Assert.True(rewrote, "the token advertised WebTransport");
        Assert.Equal("websocket", bridge.TransportName);
        await UntilAsync(() => Volatile.Read(ref received) > 10, "caller audio over the WebSocket fallback");
        await call.HangupAsync(Ct);
    }

    private static async Task WaitForStatusAsync(Voice voice, string sid, CallStatus status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var call = await voice.Calls.GetAsync(sid, Ct);
            if (call.Status == status)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"call {sid} is {call.Status}, expected {status}");
            await Task.Delay(25, Ct);
        }
    }

    private static byte[][] EncodeTone(int frames)
    {
        using var encoder = new OpusEncoder(new AudioFormat(48000, 1));
        var pcm = new short[960];
        var packet = new byte[OpusEncoder.MaxPacketBytes];
        var result = new byte[frames][];
        var phase = 0.0;
        for (var f = 0; f < frames; f++)
        {
            for (var i = 0; i < pcm.Length; i++)
            {
                phase += 2 * Math.PI * (400 + (40 * f)) / 48000;
                pcm[i] = (short)(8000 * Math.Sin(phase));
            }

            result[f] = packet.AsSpan(0, encoder.Encode(pcm, packet)).ToArray();
        }

        return result;
    }

    /// <summary>Edits the JSON of <c>POST /v1/calls/{sid}/audio-token</c> answers on their way to the SDK (network conditions, a wrong hash).</summary>
    private sealed class AudioTokenRewriter(Action<JsonObject> edit) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode || request.RequestUri?.AbsolutePath.EndsWith("/audio-token", StringComparison.Ordinal) != true)
            {
                return response;
            }

            var token = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsObject();
            edit(token);
            response.Content = new StringContent(token.ToJsonString(), Encoding.UTF8, "application/json");
            return response;
        }
    }

    /// <summary>Collects the SDK's "QUIC unsupported, skipping URL" debug events.</summary>
    private sealed class SkippedUrlListener : EventListener
    {
        private readonly ConcurrentQueue<string> _urls = new();

        public IEnumerable<string> Urls => _urls;

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "ClutchCall-Voice")
            {
                EnableEvents(eventSource, EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventSource.Name == "ClutchCall-Voice" && eventData.EventId == 1 && eventData.Payload is [string url, ..])
            {
                _urls.Enqueue(url);
            }
        }
    }
}
