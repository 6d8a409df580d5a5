using System.Text.Json;
using ClutchCall.Voice.Speech.Cloud;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.Fallback;
using ClutchCall.Voice.Speech.Tests.Support;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Speech.Tests.Cloud;

/// <summary>
/// The ElevenLabs streaming client against a local server speaking the documented protocol; the
/// server synthesizes the requested text with our espeak-ng at the requested <c>pcm_*</c> rate.
/// </summary>
public sealed class ElevenLabsTextToSpeechTests
{
    private const string Key = "xi-test";

    private static HttpEngineOptions Options(Uri url, int timeoutMs = 5000) =>
        new() { BaseUrl = url, ApiKey = Key, Voice = "voice123", Model = "eleven_flash_v2_5", Timeout = TimeSpan.FromMilliseconds(timeoutMs) };

    private static EspeakTextToSpeech Espeak(int rate)
    {
        try
        {
            EspeakTextToSpeech.EnsureAvailable();
        }
        catch (SpeechEngineException ex) when (ex.Kind == SpeechEngineErrorKind.Unavailable)
        {
            Assert.Skip($"SKIPPED: {ex.Message}");
        }

        return new EspeakTextToSpeech(rate);
    }

    private static int RateOf(string query) => int.Parse(query[(query.IndexOf("pcm_", StringComparison.Ordinal) + 4)..].Split('&')[0], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Synthesize_RealSpeech_ResampledToOutputRateAndRequestShape()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Text = "Please call me back tomorrow morning.";
        var espeak22 = Espeak(22050);
        string? key = null, path = null, query = null;
        JsonElement body = default;
        short[] sent = [];
        await using var server = new LocalHttpServer(async (ctx, token) =>
        {
            key = ctx.Request.Headers["xi-api-key"];
            path = ctx.Request.Url!.AbsolutePath;
            query = ctx.Request.Url!.Query;
            body = JsonDocument.Parse(await CloudHttp.ReadBodyAsync(ctx.Request)).RootElement.Clone();
            sent = await espeak22.SynthesizeAllAsync(body.GetProperty("text").GetString()!, token);
            await CloudHttp.StreamPcmAsync(ctx, sent, 4097, token);
        });
        var tts = new ElevenLabsTextToSpeech(CloudHttp.Client, Options(server.BaseUrl), outputRate: 16000, engineRate: 22050);

        var output = await tts.SynthesizeAllAsync(Text, ct);

        Assert.Equal(Key, key);
        Assert.Equal("/v1/text-to-speech/voice123/stream", path);
        Assert.Equal(22050, RateOf(query!));
        Assert.Equal(Text, body.GetProperty("text").GetString());
        Assert.Equal("eleven_flash_v2_5", body.GetProperty("model_id").GetString());
        Assert.True(body.GetProperty("voice_settings").TryGetProperty("stability", out _));

        // The real 22.05 kHz speech the server sent, resampled in one go, is what must come out.
        Assert.True(sent.Length > 22050, "espeak-ng spoke");
        var resampler = new ClutchCall.Voice.Speech.Dsp.RationalResampler(22050, 16000);
        var expected = new short[resampler.MaxOutput(sent.Length)];
        expected = expected[..resampler.Process(sent, expected)];
        Assert.InRange(output.Length, expected.Length - 4, expected.Length + 4);
        var n = Math.Min(output.Length, expected.Length);
        double dot = 0, ea = 0, eb = 0;
        for (var i = 0; i < n; i++)
        {
            dot += (double)output[i] * expected[i];
            ea += (double)output[i] * output[i];
            eb += (double)expected[i] * expected[i];
        }

        Assert.True(dot / Math.Sqrt(ea * eb) > 0.999, $"correlation {dot / Math.Sqrt(ea * eb):F4}");
    }

    [Fact]
    public async Task Synthesize_SlowStream_FirstAudioBeforeResponseEnds()
    {
        var ct = TestContext.Current.CancellationToken;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sentSamples = 0;
        await using var server = new LocalHttpServer(async (ctx, token) =>
        {
            await CloudHttp.ReadBodyAsync(ctx.Request);
            ctx.Response.SendChunked = true;

            // 50 ms of audio every 100 ms until the client has shown it plays the first chunks.
            while (!release.Task.IsCompleted)
            {
                await ctx.Response.OutputStream.WriteAsync(new byte[1600], token);
                await ctx.Response.OutputStream.FlushAsync(token);
                sentSamples += 800;
                await Task.WhenAny(release.Task, Task.Delay(100, token));
            }
        });
        var tts = new ElevenLabsTextToSpeech(CloudHttp.Client, Options(server.BaseUrl, timeoutMs: 30_000), outputRate: 16000, engineRate: 16000);
        var e = tts.SynthesizeAsync("One sentence.", ct).GetAsyncEnumerator(ct);
        Assert.True(await e.MoveNextAsync());
        Assert.False(release.Task.IsCompleted); // audio arrived while the server was still holding the response open
        Assert.True(e.Current.Samples.Length > 0);
        release.SetResult();
        var total = e.Current.Samples.Length;
        while (await e.MoveNextAsync())
        {
            total += e.Current.Samples.Length;
        }

        await e.DisposeAsync();
        Assert.Equal(sentSamples, total);
    }

    [Theory]
    [InlineData(401, """{"detail":{"status":"invalid_api_key"}}""")]
    [InlineData(500, "boom")]
    public async Task Synthesize_HttpError_TypedServerError(int status, string body)
    {
        await using var server = new LocalHttpServer((ctx, _) => CloudHttp.WriteAsync(ctx, status, body));
        var tts = new ElevenLabsTextToSpeech(CloudHttp.Client, Options(server.BaseUrl));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => tts.SynthesizeAllAsync("Hello.", TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.ServerError, ex.Kind);
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(status == 401, ex.IsAuthFailure());
    }

    [Fact]
    public async Task Synthesize_DroppedMidStream_ConnectionLostThenEspeakFallbackSpeaks()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        _ = Task.Run(async () =>
        {
            // Each request: headers and one chunk of a chunked PCM body, then a TCP reset.
            while (!ct.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(ct);
                await socket.ReceiveAsync(new byte[64 * 1024], ct);
                await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: audio/pcm\r\nTransfer-Encoding: chunked\r\n\r\n640\r\n"u8.ToArray(), ct);
                await socket.SendAsync(new byte[0x640], ct);
                await socket.SendAsync("\r\n"u8.ToArray(), ct);
                socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            }
        }, ct);
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var primary = new ElevenLabsTextToSpeech(CloudHttp.Client, Options(new Uri($"http://127.0.0.1:{port}/")));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => primary.SynthesizeAllAsync("Hello.", ct));
        Assert.Equal(SpeechEngineErrorKind.ConnectionLost, ex.Kind);

        var tts = new FallbackTextToSpeech(primary, Espeak(16000));
        var chunks = new List<SynthesizedAudio>();
        await foreach (var c in tts.SynthesizeAsync("First sentence. Second sentence.", ct))
        {
            chunks.Add(c);
        }

        Assert.Equal(1, tts.FallbackCount);
        Assert.Contains(chunks, c => c.SentenceIndex == 1 && c.EndOfSentence);
        Assert.True(chunks.Sum(c => c.Samples.Length) > 16000, "espeak-ng spoke the rest of the turn");
    }

    [Fact]
    public async Task Synthesize_HangsBeforeHeaders_Timeout()
    {
        await using var server = new LocalHttpServer((_, token) => Task.Delay(Timeout.Infinite, token));
        var tts = new ElevenLabsTextToSpeech(CloudHttp.Client, Options(server.BaseUrl, timeoutMs: 300));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => tts.SynthesizeAllAsync("Hello.", TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.Timeout, ex.Kind);
    }

    [Fact]
    public void Create_UnsupportedPcmRate_Unavailable()
    {
        var ex = Assert.Throws<SpeechEngineException>(() => new ElevenLabsTextToSpeech(CloudHttp.Client, Options(new Uri("http://127.0.0.1:1/")), engineRate: 8000));
        Assert.Equal(SpeechEngineErrorKind.Unavailable, ex.Kind);
    }
}
