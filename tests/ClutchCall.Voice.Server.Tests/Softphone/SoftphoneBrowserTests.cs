using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Transport.Qmux;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClutchCall.Voice.Server.Tests.Softphone;

/// <summary>
/// The TypeScript softphone (clients/softphone, built with esbuild) in headless Debian Chromium against the real
/// server: fake microphone (real speech from a WAV) → WebCodecs Opus → MoQT over WebSocket/QMux → relay, and the
/// relay → WebCodecs decode in the page. The browser takes the <c>server</c> role on a <c>sim:echo</c> call, so its
/// microphone goes out on <c>downlink</c>, the echo line sends it back on <c>uplink</c>, and the page plays uplink:
/// audio provably crosses the real relay in both directions; a dropped link is then recovered by the softphone alone.
/// The page reports its stats by POSTing to the page server.
/// </summary>
public sealed class SoftphoneBrowserTests(PostgresServer postgres)
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly Dictionary<string, string> FastLine = new()
    {
        ["TestLine:DialDelay"] = "00:00:00.050",
        ["TestLine:RingDuration"] = "00:00:00.200",
        ["Relay:DrainTimeout"] = "00:00:00.500",
    };

    private static string SoftphoneFolder => Path.Combine(NodeTooling.RepoRoot, "clients", "softphone");

    [Fact]
    public async Task Softphone_InChromiumOnSimEcho_MicReachesRelayAndEchoIsDecodedWithEnergy()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"SKIPPED: {Chromium} not installed (Debian: apt-get install chromium); the softphone browser test needs it.");
        }

        var (_, npm) = NodeTooling.RequireNode();
        var speech = ClutchCall.Voice.TestSupport.TestData.Require("speech/jfk.wav");
        await NodeTooling.EnsureInstalledAsync(SoftphoneFolder, npm, ct);
        var (code, output) = await NodeTooling.RunToEndAsync(npm, ["run", "bundle"], SoftphoneFolder, TimeSpan.FromMinutes(2), ct);
        Assert.True(code == 0, "esbuild bundle failed:\n" + output);
        var bundle = await File.ReadAllBytesAsync(Path.Combine(SoftphoneFolder, "dist", "softphone.js"), ct);
        var page = await File.ReadAllBytesAsync(Path.Combine(NodeTooling.RepoRoot, "tests", "ClutchCall.Voice.Server.Tests", "Softphone", "softphone-page.html"), ct);

        await using var server = await TestServer.StartAsync(Backend.Sqlite, postgres, settings: FastLine);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        await WaitUntilAsync(async () => (await voice.Calls.GetAsync(call.Sid, ct)).Status == CallStatus.InProgress, () => "call in progress");
        var browserToken = await voice.AudioBridge.RequestTokenAsync(call.Sid, AudioBridgeRole.Server, ct);
        var observerToken = await voice.AudioBridge.RequestTokenAsync(call.Sid, AudioBridgeRole.Caller, ct);
        var relayUrl = Assert.Single(browserToken.RelayUrls);

        // A C# observer on downlink sees what the browser publishes, exactly as the relay forwards it.
        var downlink = new ConcurrentQueue<byte[]>();
        await using var observer = await MoqtClient.ConnectAsync(new MoqtClientOptions
        {
            Endpoints = [new MoqtClientEndpoint(new WebSocketTransportConnector(), new Uri(relayUrl))],
            AuthorizationToken = observerToken.Token,
        }, ct);
        await using var observed = await observer.SubscribeAudioAsync(FullTrackName.Downlink(call.Sid), o => downlink.Enqueue(o.Payload.ToArray()), ct);

        // The page server: the page, the bundle, and /report where the page POSTs its stats.
        JsonElement? latest = null;
        var reports = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var web = builder.Build();
        web.MapGet("/", () => Results.Bytes(page, "text/html; charset=utf-8"));
        web.MapGet("/softphone.js", () => Results.Bytes(bundle, "text/javascript; charset=utf-8"));
        web.MapPost("/report", async (HttpRequest request) =>
        {
            using var doc = await JsonDocument.ParseAsync(request.Body);
            latest = doc.RootElement.Clone();
            Interlocked.Increment(ref reports);
            return Results.NoContent();
        });
        await web.StartAsync(ct);
        var origin = web.Urls.First().TrimEnd('/');
        var url = $"{origin}/?relay={Uri.EscapeDataString(relayUrl)}&token={Uri.EscapeDataString(browserToken.Token)}&sid={call.Sid}&role=server";

        var profile = Directory.CreateTempSubdirectory("ccv-chromium-");
        using var browser = NodeTooling.Start(Chromium,
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            $"--use-file-for-fake-audio-capture={speech}", $"--user-data-dir={profile.FullName}", url,
        ], profile.FullName);
        var browserLog = new System.Text.StringBuilder();
        browser.ErrorDataReceived += (_, e) => { lock (browserLog) { browserLog.AppendLine(e.Data); } };
        browser.OutputDataReceived += (_, e) => { lock (browserLog) { browserLog.AppendLine(e.Data); } };
        browser.BeginErrorReadLine();
        browser.BeginOutputReadLine();
        try
        {
            string Describe() => $"page report #{Volatile.Read(ref reports)}: {latest}\ndownlink at relay: {downlink.Count}\nchromium:\n{Tail(browserLog)}";
            int Int(string name) => latest is { } l && l.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : 0;

            // Both directions: the browser's frames reach the relay, and the echo comes back and decodes with energy.
            // After 50 echoed frames the page drops its link once; audio must flow again through a second session
            // that the softphone opened and re-published/re-subscribed on its own.
            await WaitUntilAsync(
                () => Task.FromResult(downlink.Count >= 100 && Int("echoed") >= 50 && Int("decodedWithEnergy") >= 25),
                Describe);
            await WaitUntilAsync(
                () => Task.FromResult(Int("connects") >= 2 && Int("echoedAtDrop") > 0 && Int("echoed") >= Int("echoedAtDrop") + 50),
                Describe);

            Assert.Equal("websocket", latest!.Value.GetProperty("transport").GetString());
            Assert.Equal(0, Int("decodeErrors"));

            // What the relay forwarded from the browser is real 20 ms Opus with speech energy in it.
            using var decoder = new OpusDecoder(new AudioFormat(48000, 1));
            var pcm = new short[960 * 6];
            var loud = 0;
            foreach (var payload in downlink.Take(100))
            {
                var samples = decoder.Decode(payload, pcm);
                Assert.Equal(960, samples);
                if (Rms(pcm.AsSpan(0, samples)) > 100)
                {
                    loud++;
                }
            }

            Assert.True(loud >= 10, $"only {loud}/100 browser frames carried audible audio\n{Describe()}");
        }
        finally
        {
            if (!browser.HasExited)
            {
                browser.Kill(entireProcessTree: true);
                await browser.WaitForExitAsync(CancellationToken.None);
            }

            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / Math.Max(1, samples.Length));
    }

    private static string Tail(System.Text.StringBuilder log)
    {
        lock (log)
        {
            var text = log.ToString();
            return text.Length > 4000 ? text[^4000..] : text;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                Assert.Fail("Timed out waiting for " + what());
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
