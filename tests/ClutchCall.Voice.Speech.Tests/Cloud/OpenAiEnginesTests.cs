using System.Net;
using System.Text;
using ClutchCall.Voice.Speech.Cloud;
using ClutchCall.Voice.Speech.Fallback;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tests.Support;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Speech.Tests.Cloud;

/// <summary>The OpenAI-compatible clients against a local HttpListener speaking the documented protocol.</summary>
public sealed class OpenAiEnginesTests
{
    private static readonly HttpClient Http = new();

    private static HttpEngineOptions Options(LocalHttpServer server, int timeoutMs = 2000) =>
        new() { BaseUrl = server.BaseUrl, ApiKey = "sk-test", Model = "whisper-1", Timeout = TimeSpan.FromMilliseconds(timeoutMs) };

    private static async Task<string> ReadBodyAsync(HttpListenerRequest request)
    {
        using var ms = new MemoryStream();
        await request.InputStream.CopyToAsync(ms);
        return Encoding.Latin1.GetString(ms.ToArray());
    }

    private static async Task WriteAsync(HttpListenerContext ctx, int status, string body, string type = "application/json")
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = type;
        var bytes = Encoding.UTF8.GetBytes(body);
        await ctx.Response.OutputStream.WriteAsync(bytes);
    }

    [Fact]
    public async Task Transcribe_VerboseJson_TextAndWordsAndRequestShape()
    {
        string? seenAuth = null, seenBody = null, seenPath = null;
        await using var server = new LocalHttpServer(async (ctx, _) =>
        {
            seenAuth = ctx.Request.Headers["Authorization"];
            seenPath = ctx.Request.Url!.AbsolutePath;
            seenBody = await ReadBodyAsync(ctx.Request);
            await WriteAsync(ctx, 200, """{"task":"transcribe","language":"english","duration":1.0,"text":" Hello world. ","words":[{"word":"Hello","start":0.1,"end":0.4},{"word":"world","start":0.5,"end":0.9}]}""");
        });
        var stt = new OpenAiTranscriptionSpeechToText(Http, Options(server));
        var (final, _) = await Recogniser.RecogniseAsync(stt, new short[16000], TestContext.Current.CancellationToken);
        Assert.Equal("Hello world.", final.Text);
        Assert.Equal(2, final.Words.Count);
        Assert.Equal(TimeSpan.FromSeconds(0.5), final.Words[1].Start);
        Assert.Equal("Bearer sk-test", seenAuth);
        Assert.Equal("/v1/audio/transcriptions", seenPath);
        Assert.Contains("name=model", seenBody);
        Assert.Contains("whisper-1", seenBody);
        Assert.Contains("verbose_json", seenBody);
        Assert.Contains("RIFF", seenBody);
        Assert.Contains("timestamp_granularities[]", seenBody);
    }

    [Theory]
    [InlineData(500, "{\"error\":{\"message\":\"boom\"}}", SpeechEngineErrorKind.ServerError)]
    [InlineData(200, "<html>not json</html>", SpeechEngineErrorKind.Protocol)]
    [InlineData(200, "{\"txt\":\"missing\"}", SpeechEngineErrorKind.Protocol)]
    [InlineData(200, "[1,2,3]", SpeechEngineErrorKind.Protocol)]
    public async Task Transcribe_BadResponses_TypedError(int status, string body, SpeechEngineErrorKind kind)
    {
        await using var server = new LocalHttpServer((ctx, _) => WriteAsync(ctx, status, body));
        var stt = new OpenAiTranscriptionSpeechToText(Http, Options(server));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[3200], TestContext.Current.CancellationToken));
        Assert.Equal(kind, ex.Kind);
        if (kind == SpeechEngineErrorKind.ServerError)
        {
            Assert.Equal(500, ex.StatusCode);
        }
    }

    [Fact]
    public async Task Transcribe_HangingServer_TimesOutPromptly()
    {
        await using var server = new LocalHttpServer((_, ct) => Task.Delay(Timeout.Infinite, ct));
        var stt = new OpenAiTranscriptionSpeechToText(Http, Options(server, timeoutMs: 300));
        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[3200], TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.Timeout, ex.Kind);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Transcribe_ClosedSocket_ConnectionLost()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accept = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken);
            await socket.ReceiveAsync(new byte[1024], TestContext.Current.CancellationToken);
            socket.LingerState = new System.Net.Sockets.LingerOption(true, 0); // reset, not a clean close
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var stt = new OpenAiTranscriptionSpeechToText(Http, new HttpEngineOptions { BaseUrl = new Uri($"http://127.0.0.1:{port}/") });
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[3200], TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.ConnectionLost, ex.Kind);
    }

    [Fact]
    public async Task FallbackStt_PrimaryFails_FallbackGetsWholeUtterance()
    {
        await using var bad = new LocalHttpServer((ctx, _) => WriteAsync(ctx, 503, "overloaded"));
        long seenBytes = 0;
        await using var good = new LocalHttpServer(async (ctx, _) =>
        {
            seenBytes = (await ReadBodyAsync(ctx.Request)).Length;
            await WriteAsync(ctx, 200, """{"text":"from the fallback"}""");
        });
        var stt = new FallbackSpeechToText(
            new OpenAiTranscriptionSpeechToText(Http, Options(bad)),
            new OpenAiTranscriptionSpeechToText(Http, Options(good), verbose: false));
        var (final, _) = await Recogniser.RecogniseAsync(stt, new short[16000], TestContext.Current.CancellationToken);
        Assert.Equal("from the fallback", final.Text);
        Assert.Equal(1, stt.FallbackCount);
        Assert.Equal(SpeechEngineErrorKind.ServerError, stt.LastPrimaryError?.Kind);
        Assert.Equal(503, stt.LastPrimaryError?.StatusCode);
        Assert.True(seenBytes > 32000, "the fallback must receive the whole utterance");
    }

    [Fact]
    public async Task Speech_PcmStream_ResampledAndRequestShape()
    {
        string? body = null;
        await using var server = new LocalHttpServer(async (ctx, _) =>
        {
            body = await ReadBodyAsync(ctx.Request);
            ctx.Response.ContentType = "audio/pcm";
            ctx.Response.SendChunked = true;
            var pcm = new byte[24000 * 2]; // one second at 24 kHz
            for (var i = 0; i < pcm.Length; i += 4801)
            {
                await ctx.Response.OutputStream.WriteAsync(pcm.AsMemory(i, Math.Min(4801, pcm.Length - i))); // odd sizes split samples
                await ctx.Response.OutputStream.FlushAsync();
            }
        });
        var tts = new OpenAiSpeechTextToSpeech(Http, Options(server) with { Model = "tts-1", Voice = "alloy" });
        var pcm = await tts.SynthesizeAllAsync("Hello there.", TestContext.Current.CancellationToken);
        Assert.InRange(pcm.Length, 15990, 16010);
        Assert.Contains("\"input\":\"Hello there.\"", body);
        Assert.Contains("\"response_format\":\"pcm\"", body);
    }

    [Fact]
    public async Task Speech_HangsMidStream_TimeoutThenFallbackSpeaks()
    {
        await using var hanging = new LocalHttpServer(async (ctx, ct) =>
        {
            ctx.Response.SendChunked = true;
            await ctx.Response.OutputStream.WriteAsync(new byte[4800], ct);
            await ctx.Response.OutputStream.FlushAsync(ct);
            await Task.Delay(Timeout.Infinite, ct);
        });
        await using var good = new LocalHttpServer(async (ctx, _) =>
        {
            await ReadBodyAsync(ctx.Request);
            await ctx.Response.OutputStream.WriteAsync(new byte[24000]);
        });
        var primary = new OpenAiSpeechTextToSpeech(Http, Options(hanging, timeoutMs: 300));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => primary.SynthesizeAllAsync("One.", TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.Timeout, ex.Kind);

        var tts = new FallbackTextToSpeech(primary, new OpenAiSpeechTextToSpeech(Http, Options(good)));
        var chunks = new List<SynthesizedAudio>();
        await foreach (var c in tts.SynthesizeAsync("First sentence. Second sentence.", TestContext.Current.CancellationToken))
        {
            chunks.Add(c);
        }

        Assert.Equal(1, tts.FallbackCount);
        Assert.Contains(chunks, c => c.SentenceIndex == 1);
        Assert.Equal(SpeechEngineErrorKind.Timeout, tts.LastPrimaryError!.Kind);
    }

    [Fact]
    public void Parse_Fuzz_OnlyProtocolErrors()
    {
        var rng = new Random(42);
        var seed = Encoding.UTF8.GetBytes("""{"text":"hi","words":[{"word":"hi","start":0.1,"end":0.2}]}""");
        for (var i = 0; i < 5000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[rng.Next(0, 80)];
                rng.NextBytes(input);
            }
            else
            {
                input = (byte[])seed.Clone();
                for (var k = rng.Next(1, 6); k > 0; k--)
                {
                    input[rng.Next(input.Length)] = (byte)rng.Next(256);
                }
            }

            try
            {
                OpenAiTranscriptionSpeechToText.Parse(input);
            }
            catch (SpeechEngineException ex)
            {
                Assert.Equal(SpeechEngineErrorKind.Protocol, ex.Kind);
            }
        }
    }
}
