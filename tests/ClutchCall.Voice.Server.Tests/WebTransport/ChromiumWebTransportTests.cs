using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport.InMemory;
using ClutchCall.Voice.Moqt.Transport.Quic;
using ClutchCall.Voice.Moqt.Transport.WebTransport;
using ClutchCall.Voice.Relay.Server;
using static ClutchCall.Voice.Server.Tests.WebTransport.QuicTestSupport;

namespace ClutchCall.Voice.Server.Tests.WebTransport;

/// <summary>
/// Real headless Chromium (Debian's /usr/bin/chromium) opens WebTransport to our relay on System.Net.Quic, speaks
/// draft-14 MoQT from JavaScript and receives the audio objects a C# <see cref="MoqtClient"/> publishes.
/// </summary>
public sealed class ChromiumWebTransportTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const int Wanted = 40;

    [Fact]
    public async Task Chromium_WebTransportDraft14Subscribe_ReceivesObjectsFromCSharpPublisher()
    {
        RequireQuic("Chromium WebTransport to the relay");
        if (!File.Exists(Chromium))
        {
            Assert.Skip("SKIPPED: Chromium is not installed at /usr/bin/chromium (Debian package 'chromium').");
        }

        var sid = "CAchrome" + Environment.ProcessId;
        var network = new InMemoryTransportNetwork();
        await using var relay = new MoqtRelayServer(new MoqtRelayOptions { DrainTimeout = TimeSpan.FromMilliseconds(200) });
        var listener = await WebTransportListener.StartQuicAsync(new IPEndPoint(IPAddress.Loopback, 0), null, null, null, Ct);
        relay.AddListener(listener);
        relay.AddListener(network.Listen("chromepub"));
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var hash = Convert.ToBase64String(SelfSignedCertificate.Sha256(listener.Certificate!));

        // The C# publisher (in-process, as the SIP bridge or an agent would be) publishes 20 ms frames until the page is done.
        await using var publisher = await MoqtClient.ConnectAsync(new MoqtClientOptions
        {
            Endpoints = [new MoqtClientEndpoint(network.CreateConnector(), new Uri("memory://chromepub/moq"))],
        }, Ct);
        await using var publication = await publisher.PublishAudioAsync(FullTrackName.Uplink(sid), Ct);
        using var stopPublishing = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var publishing = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            for (var i = 0; await timer.WaitForNextTickAsync(stopPublishing.Token); i++)
            {
                publication.Publish(IndexedFrame(i), NowUs());
            }
        }, stopPublishing.Token);

        await using var http = new MiniHttpServer(() => ChromiumMoqtPage.Render($"https://127.0.0.1:{port}/moq", hash, sid, Wanted));
        var profile = Directory.CreateTempSubdirectory("ccv-chromium-");
        using var browser = Process.Start(new ProcessStartInfo(Chromium)
        {
            ArgumentList =
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile.FullName,
                $"http://127.0.0.1:{http.Port}/",
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        browser.ErrorDataReceived += (_, _) => { };
        browser.OutputDataReceived += (_, _) => { };
        browser.BeginErrorReadLine();
        browser.BeginOutputReadLine();
        string resultJson;
        try
        {
            resultJson = await http.Result.Task.WaitAsync(TimeSpan.FromSeconds(90), Ct);
        }
        catch (TimeoutException)
        {
            Assert.Fail("Chromium reported nothing within 90 s. Page log: " + string.Join(" | ", http.Logs));
            throw;
        }
        finally
        {
            await stopPublishing.CancelAsync();
            try
            {
                browser.Kill(entireProcessTree: true);
                await browser.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            }
            catch (Exception)
            {
                // Already gone.
            }

            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }

        try
        {
            await publishing;
        }
        catch (OperationCanceledException)
        {
        }

        using var result = JsonDocument.Parse(resultJson);
        var root = result.RootElement;
        Assert.False(root.TryGetProperty("error", out var error), "page failed: " + error + " | log: " + string.Join(" | ", http.Logs));
        Assert.Equal("moq-00", root.GetProperty("protocol").GetString());
        Assert.Equal(0xff00000e, root.GetProperty("version").GetInt64());
        Assert.Equal(7, root.GetProperty("closed").GetProperty("closeCode").GetInt32());

        var objects = root.GetProperty("objects").EnumerateArray().ToList();
        Assert.True(objects.Count >= Wanted);
        var latenciesUs = new List<long>();
        foreach (var o in objects)
        {
            var payload = Convert.FromBase64String(o.GetProperty("payload").GetString()!);
            var index = BinaryPrimitives.ReadInt32BigEndian(payload);
            Assert.Equal(IndexedFrame(index), payload);
            Assert.True(o.GetProperty("timestampUs").GetInt64() > 0, "capture timestamp extension carried to the browser");
            latenciesUs.Add(o.GetProperty("receivedUs").GetInt64() - o.GetProperty("timestampUs").GetInt64());
        }

        // Objects arrive in order within each group and the indices are consecutive: nothing was lost or duplicated.
        var indices = objects.Select(o => BinaryPrimitives.ReadInt32BigEndian(Convert.FromBase64String(o.GetProperty("payload").GetString()!))).Order().ToList();
        Assert.Equal(indices.Count, indices.Distinct().Count());
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Chromium: WebTransport ready {root.GetProperty("readyMs").GetDouble():F1} ms, SERVER_SETUP after {root.GetProperty("setupMs").GetDouble():F1} ms; "
            + $"{objects.Count} objects, C# publish → browser JS latency p50 {Percentile(latenciesUs, 0.5) / 1000:F1} ms, p99 {Percentile(latenciesUs, 0.99) / 1000:F1} ms "
            + $"(wall clocks of one machine). Page log: {string.Join(" | ", http.Logs)}");
        await UntilAsync(() => relay.SessionCount == 1, "the page's session closed on the relay");
    }

    /// <summary>A frame that names its own index in its first 4 bytes, so the receiver can check every byte.</summary>
    private static byte[] IndexedFrame(int index)
    {
        var frame = Frame(index);
        BinaryPrimitives.WriteInt32BigEndian(frame, index);
        return frame;
    }
}
