using System.Globalization;
using System.Text.Json;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech.Cloud;
using ClutchCall.Voice.Speech.Fallback;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tests.Stt;
using ClutchCall.Voice.Speech.Tests.Support;

namespace ClutchCall.Voice.Speech.Tests.Cloud;

/// <summary>
/// The Azure short-audio client against a local server speaking the documented protocol; the server
/// decodes the uploaded WAV and runs our pocketsphinx on it, so the transcript is real.
/// </summary>
public sealed class AzureSpeechToTextTests : IClassFixture<PocketSphinxFixture>
{
    private const string Key = "az-test";
    private readonly PocketSphinxFixture _sphinx;

    public AzureSpeechToTextTests(PocketSphinxFixture sphinx)
    {
        _sphinx = sphinx;
    }

    private static HttpEngineOptions Options(Uri url, int timeoutMs = 5000) =>
        new() { BaseUrl = url, ApiKey = Key, Timeout = TimeSpan.FromMilliseconds(timeoutMs) };

    [Fact]
    public async Task Recognise_RealSpeech_DetailedResponseAndRequestShape()
    {
        var ct = TestContext.Current.CancellationToken;
        var audio = SpeechSamples.Load("librivox-0870");
        string? key = null, contentType = null, path = null, query = null;
        WavAudio? uploaded = null;
        var engine = _sphinx.Engine;
        await using var server = new LocalHttpServer(async (ctx, token) =>
        {
            key = ctx.Request.Headers["Ocp-Apim-Subscription-Key"];
            contentType = ctx.Request.ContentType;
            path = ctx.Request.Url!.AbsolutePath;
            query = ctx.Request.Url!.Query;
            uploaded = WavFile.Parse(await CloudHttp.ReadBodyAsync(ctx.Request));
            var (r, _) = await Recogniser.RecogniseAsync(engine, uploaded.Samples, token);
            var json = JsonSerializer.Serialize(new
            {
                RecognitionStatus = "Success",
                Offset = 0,
                Duration = audio.Length * 625L,
                DisplayText = r.Text + ".",
                NBest = new[]
                {
                    new
                    {
                        Confidence = 0.87,
                        Lexical = r.Text,
                        ITN = r.Text,
                        MaskedITN = r.Text,
                        Display = r.Text + ".",
                        Words = r.Words.Select(w => new { Word = w.Word, Offset = w.Start.Ticks, Duration = (w.End - w.Start).Ticks }).ToArray(),
                    },
                },
            });
            await CloudHttp.WriteAsync(ctx, 200, json);
        });
        var stt = new AzureSpeechToText(CloudHttp.Client, Options(server.BaseUrl, timeoutMs: 60_000));

        var (final, partials) = await Recogniser.RecogniseAsync(stt, audio, ct);

        Assert.Equal(Key, key);
        Assert.Equal("audio/wav; codecs=audio/pcm; samplerate=16000", contentType);
        Assert.Equal("/speech/recognition/conversation/cognitiveservices/v1", path);
        Assert.Contains("language=en-US", query);
        Assert.Contains("format=detailed", query);
        Assert.Equal(new AudioFormat(16000, 1), uploaded!.Format);
        Assert.Equal(audio, uploaded.Samples);
        Assert.Empty(partials); // the short-audio API gives final results only
        Assert.EndsWith(".", final.Text);
        var words = WordErrorRate.Normalise(final.Text);
        Assert.Contains("leisure", words);
        Assert.Contains("consider", words);
        Assert.Equal(0.87f, final.Confidence, 3);
        Assert.NotEmpty(final.Words);
        Assert.All(final.Words, w => Assert.True(w.End >= w.Start && w.End <= TimeSpan.FromSeconds((audio.Length / 16000.0) + 0.05)));
    }

    [Theory]
    [InlineData("""{"RecognitionStatus":"NoMatch","Offset":0,"Duration":0}""", "")]
    [InlineData("""{"RecognitionStatus":"InitialSilenceTimeout","Offset":0,"Duration":0}""", "")]
    [InlineData("""{"RecognitionStatus":"Success","DisplayText":"Simple format.","Offset":1,"Duration":2}""", "Simple format.")]
    [InlineData("""{"RecognitionStatus":"Success","NBest":[{"Confidence":0.9,"Lexical":"lexical only"}]}""", "lexical only")]
    public async Task Recognise_DocumentedStatuses_Parsed(string body, string expected)
    {
        await using var server = new LocalHttpServer((ctx, _) => CloudHttp.WriteAsync(ctx, 200, body));
        var stt = new AzureSpeechToText(CloudHttp.Client, Options(server.BaseUrl));
        var (final, _) = await Recogniser.RecogniseAsync(stt, new short[3200], TestContext.Current.CancellationToken);
        Assert.Equal(expected, final.Text);
        Assert.True(final.IsFinal);
    }

    [Theory]
    [InlineData(401, """{"error":{"code":"401","message":"Access denied"}}""", SpeechEngineErrorKind.ServerError)]
    [InlineData(500, "internal", SpeechEngineErrorKind.ServerError)]
    [InlineData(200, "<xml/>", SpeechEngineErrorKind.Protocol)]
    [InlineData(200, """{"RecognitionStatus":"Mystery"}""", SpeechEngineErrorKind.Protocol)]
    [InlineData(200, """{"RecognitionStatus":"Error"}""", SpeechEngineErrorKind.EngineFailure)]
    public async Task Recognise_BadResponses_TypedError(int status, string body, SpeechEngineErrorKind kind)
    {
        await using var server = new LocalHttpServer((ctx, _) => CloudHttp.WriteAsync(ctx, status, body));
        var stt = new AzureSpeechToText(CloudHttp.Client, Options(server.BaseUrl));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[3200], TestContext.Current.CancellationToken));
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(status == 401, ex.IsAuthFailure());
        if (status >= 400)
        {
            Assert.Equal(status, ex.StatusCode);
        }
    }

    [Fact]
    public async Task Recognise_HangingServer_TimeoutThenFallback()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var hanging = new LocalHttpServer((_, token) => Task.Delay(Timeout.Infinite, token));
        var primary = new AzureSpeechToText(CloudHttp.Client, Options(hanging.BaseUrl, timeoutMs: 300));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(primary, new short[3200], ct));
        Assert.Equal(SpeechEngineErrorKind.Timeout, ex.Kind);

        await using var good = new LocalHttpServer((ctx, _) => CloudHttp.WriteAsync(ctx, 200, """{"RecognitionStatus":"Success","DisplayText":"from the fallback"}"""));
        var stt = new FallbackSpeechToText(primary, new AzureSpeechToText(CloudHttp.Client, Options(good.BaseUrl)));
        var (final, _) = await Recogniser.RecogniseAsync(stt, new short[3200], ct);
        Assert.Equal("from the fallback", final.Text);
        Assert.Equal(SpeechEngineErrorKind.Timeout, stt.LastPrimaryError?.Kind);
    }

    [Fact]
    public async Task Recognise_LongerThanSixtySeconds_InvalidInput()
    {
        await using var server = new LocalHttpServer((ctx, _) => CloudHttp.WriteAsync(ctx, 200, """{"RecognitionStatus":"NoMatch"}"""));
        var stt = new AzureSpeechToText(CloudHttp.Client, Options(server.BaseUrl));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => Recogniser.RecogniseAsync(stt, new short[(16000 * 60) + 320], TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.InvalidInput, ex.Kind);
    }

    [Fact]
    public void RegionUrl_Region_DocumentedHost() =>
        Assert.Equal("https://westeurope.stt.speech.microsoft.com/", AzureSpeechToText.RegionUrl("westeurope").ToString().ToLower(CultureInfo.InvariantCulture));
}
