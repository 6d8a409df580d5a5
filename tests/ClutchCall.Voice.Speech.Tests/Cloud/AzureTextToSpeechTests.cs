using System.Text;
using System.Xml.Linq;
using ClutchCall.Voice.Speech.Cloud;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.Tests.Support;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Speech.Tests.Cloud;

/// <summary>
/// The Azure TTS REST client against a local server speaking the documented protocol: the server
/// parses the SSML as XML, takes the voice and text out of it, and answers with espeak-ng audio in
/// the requested raw PCM format.
/// </summary>
public sealed class AzureTextToSpeechTests
{
    private const string Key = "az-tts";
    private static readonly XNamespace SynthesisNs = "http://www.w3.org/2001/10/synthesis";

    private static HttpEngineOptions Options(Uri url, int timeoutMs = 5000) =>
        new() { BaseUrl = url, ApiKey = Key, Voice = "en-US-AvaNeural", Timeout = TimeSpan.FromMilliseconds(timeoutMs) };

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

    [Theory]
    [InlineData(16000, "raw-16khz-16bit-mono-pcm")]
    [InlineData(24000, "raw-24khz-16bit-mono-pcm")]
    [InlineData(48000, "raw-24khz-16bit-mono-pcm")]
    public async Task Synthesize_RealSpeech_SsmlAndHeadersAndRate(int outputRate, string expectedFormat)
    {
        var ct = TestContext.Current.CancellationToken;
        const string Text = "Tom & Jerry said <hello> \"quoted\" it's 5 > 3 café ✓.";
        string? format = null, key = null, agent = null, contentType = null, path = null, voice = null, spoken = null, lang = null;
        await using var server = new LocalHttpServer(async (ctx, token) =>
        {
            format = ctx.Request.Headers["X-Microsoft-OutputFormat"];
            key = ctx.Request.Headers["Ocp-Apim-Subscription-Key"];
            agent = ctx.Request.UserAgent;
            contentType = ctx.Request.ContentType;
            path = ctx.Request.Url!.AbsolutePath;
            var ssml = XDocument.Parse(Encoding.UTF8.GetString(await CloudHttp.ReadBodyAsync(ctx.Request)));
            lang = (string?)ssml.Root!.Attribute(XNamespace.Xml + "lang");
            var voiceEl = ssml.Root!.Element(SynthesisNs + "voice")!;
            voice = (string?)voiceEl.Attribute("name");
            spoken = voiceEl.Value;
            var rate = format!.StartsWith("raw-24khz", StringComparison.Ordinal) ? 24000 : 16000;
            var pcm = await Espeak(rate).SynthesizeAllAsync(spoken, token);
            await CloudHttp.StreamPcmAsync(ctx, pcm, 3001, token);
        });
        var tts = new AzureTextToSpeech(CloudHttp.Client, Options(server.BaseUrl), outputRate);

        var output = await tts.SynthesizeAllAsync(Text, ct);

        Assert.Equal(expectedFormat, format);
        Assert.Equal(Key, key);
        Assert.False(string.IsNullOrEmpty(agent));
        Assert.StartsWith("application/ssml+xml", contentType);
        Assert.Equal("/cognitiveservices/v1", path);
        Assert.Equal("en-US-AvaNeural", voice);
        Assert.Equal("en-US", lang);
        Assert.Equal(Text, spoken);
        var reference = await Espeak(outputRate).SynthesizeAllAsync(Text, ct);
        Assert.InRange(output.Length, reference.Length * 0.98, reference.Length * 1.02);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(500)]
    public async Task Synthesize_HttpError_TypedServerError(int status)
    {
        await using var server = new LocalHttpServer((ctx, _) => CloudHttp.WriteAsync(ctx, status, string.Empty));
        var tts = new AzureTextToSpeech(CloudHttp.Client, Options(server.BaseUrl));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => tts.SynthesizeAllAsync("Hello.", TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.ServerError, ex.Kind);
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(status == 401, ex.IsAuthFailure());
    }

    [Fact]
    public async Task Synthesize_StallsMidStream_Timeout()
    {
        await using var server = new LocalHttpServer(async (ctx, token) =>
        {
            await CloudHttp.ReadBodyAsync(ctx.Request);
            await CloudHttp.StreamPcmAsync(ctx, new short[1600], 3200, token);
            await Task.Delay(Timeout.Infinite, token);
        });
        var tts = new AzureTextToSpeech(CloudHttp.Client, Options(server.BaseUrl, timeoutMs: 300));
        var ex = await Assert.ThrowsAsync<SpeechEngineException>(() => tts.SynthesizeAllAsync("Hello.", TestContext.Current.CancellationToken));
        Assert.Equal(SpeechEngineErrorKind.Timeout, ex.Kind);
    }

    [Fact]
    public void Ssml_MarkupAndControlCharacters_EscapedOrDropped()
    {
        var ssml = Ssml.Build("a</voice><voice name='x'>b\u0001c\uD800d&", "v\"1", "en-US");
        var doc = XDocument.Parse(ssml);
        var voice = Assert.Single(doc.Root!.Elements(SynthesisNs + "voice"));
        Assert.Equal("v\"1", (string?)voice.Attribute("name"));
        Assert.Equal("a</voice><voice name='x'>bcd&", voice.Value);
    }
}
