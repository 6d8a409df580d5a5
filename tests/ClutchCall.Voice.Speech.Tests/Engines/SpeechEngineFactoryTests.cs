using System.Text.Json;
using ClutchCall.Voice.Speech.Cloud;
using ClutchCall.Voice.Speech.Engines;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.Fallback;
using ClutchCall.Voice.Speech.PocketSphinx;
using ClutchCall.Voice.Speech.Tests.Cloud;
using ClutchCall.Voice.Speech.Tests.Support;

namespace ClutchCall.Voice.Speech.Tests.Engines;

/// <summary>Engine selection from the <c>Speech</c> configuration shape.</summary>
public sealed class SpeechEngineFactoryTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public void Create_Defaults_OfflineEngines()
    {
        var options = new SpeechEngineOptions();
        using var stt = (PocketSphinxSpeechToText)SpeechEngineFactory.CreateSpeechToText(options.Stt, Http);
        Assert.False(stt.Options.IsolateStreams);
        using var isolated = (PocketSphinxSpeechToText)SpeechEngineFactory.CreateSpeechToText(new SttEngineOptions { IsolateStreams = true }, Http);
        Assert.True(isolated.Options.IsolateStreams);
        var tts = SpeechEngineFactory.CreateTextToSpeech(options.Tts, 16000, Http);
        Assert.IsType<EspeakTextToSpeech>(tts);
        Assert.Equal(16000, tts.SampleRate);
    }

    [Theory]
    [InlineData("openai", typeof(OpenAiTranscriptionSpeechToText))]
    [InlineData("Deepgram", typeof(DeepgramSpeechToText))]
    [InlineData("azure", typeof(AzureSpeechToText))]
    public void CreateStt_CloudEngine_RightType(string engine, Type type)
    {
        var stt = SpeechEngineFactory.CreateSpeechToText(new SttEngineOptions { Engine = engine, Key = "k", Region = "westeurope" }, Http);
        Assert.IsType(type, stt);
        Assert.Equal(16000, stt.SampleRate);
    }

    [Theory]
    [InlineData("openai", typeof(OpenAiSpeechTextToSpeech))]
    [InlineData("ElevenLabs", typeof(ElevenLabsTextToSpeech))]
    [InlineData("azure", typeof(AzureTextToSpeech))]
    [InlineData("espeak-ng", typeof(EspeakTextToSpeech))]
    public void CreateTts_Engine_RightTypeAndRate(string engine, Type type)
    {
        var tts = SpeechEngineFactory.CreateTextToSpeech(new TtsEngineOptions { Engine = engine, Key = "k", Region = "westeurope", EngineRate = 24000 }, 48000, Http);
        Assert.IsType(type, tts);
        Assert.Equal(48000, tts.SampleRate);
    }

    [Fact]
    public void Create_Fallback_WrapsPrimaryAndFallback()
    {
        var stt = SpeechEngineFactory.CreateSpeechToText(new SttEngineOptions { Engine = "deepgram", Key = "k", Fallback = new SttEngineOptions { Engine = "azure", Key = "k", Region = "eastus" } }, Http);
        Assert.Equal("deepgram|azure-stt", Assert.IsType<FallbackSpeechToText>(stt).Name);
        var tts = SpeechEngineFactory.CreateTextToSpeech(new TtsEngineOptions { Engine = "elevenlabs", Key = "k", Fallback = new TtsEngineOptions() }, 16000, Http);
        Assert.Equal("elevenlabs|espeak-ng", Assert.IsType<FallbackTextToSpeech>(tts).Name);
    }

    [Theory]
    [InlineData("whisper", null, null, null, "Engine")]
    [InlineData("deepgram", null, null, null, "Key")]
    [InlineData("azure", "k", null, null, "Region")]
    [InlineData("openai", "k", null, "ftp-relative", "Url")]
    public void CreateStt_BadConfiguration_UnavailableNamingTheSetting(string engine, string? key, string? region, string? url, string setting)
    {
        var options = new SttEngineOptions { Engine = engine, Key = key, Region = region, Url = url is null ? null : new Uri(url, UriKind.RelativeOrAbsolute) };
        var ex = Assert.Throws<SpeechEngineException>(() => SpeechEngineFactory.CreateSpeechToText(options, Http));
        Assert.Equal(SpeechEngineErrorKind.Unavailable, ex.Kind);
        Assert.Contains(setting, ex.Message);
    }

    [Fact]
    public void Options_AppSettingsShape_Deserialises()
    {
        const string Json = """
            {"Stt":{"Engine":"deepgram","Key":"dg","Model":"nova-3","Timeout":"00:00:05","Fallback":{"Engine":"pocketsphinx"}},
             "Tts":{"Engine":"azure","Key":"az","Region":"westeurope","Voice":"en-US-AvaNeural","Fallback":{"Engine":"espeak"}}}
            """;
        var options = JsonSerializer.Deserialize<SpeechEngineOptions>(Json)!;
        Assert.Equal("deepgram", options.Stt.Engine);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Stt.Timeout);
        Assert.Equal("pocketsphinx", options.Stt.Fallback!.Engine);
        Assert.Equal("westeurope", options.Tts.Region);
        Assert.Equal("espeak", options.Tts.Fallback!.Engine);
    }

    [Fact]
    public async Task CreateStt_AzureWithLocalUrl_TalksToThatServer()
    {
        string? path = null, key = null;
        await using var server = new LocalHttpServer(async (ctx, _) =>
        {
            path = ctx.Request.Url!.AbsolutePath;
            key = ctx.Request.Headers["Ocp-Apim-Subscription-Key"];
            await CloudHttp.WriteAsync(ctx, 200, """{"RecognitionStatus":"Success","DisplayText":"configured"}""");
        });
        var stt = SpeechEngineFactory.CreateSpeechToText(new SttEngineOptions { Engine = "azure", Url = new Uri(server.BaseUrl.ToString().TrimEnd('/')), Key = "secret" }, Http);
        var (final, _) = await Recogniser.RecogniseAsync(stt, new short[3200], TestContext.Current.CancellationToken);
        Assert.Equal("configured", final.Text);
        Assert.Equal("/speech/recognition/conversation/cognitiveservices/v1", path);
        Assert.Equal("secret", key);
    }
}
