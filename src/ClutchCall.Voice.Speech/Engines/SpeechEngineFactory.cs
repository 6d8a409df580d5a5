using ClutchCall.Voice.Speech.Cloud;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.Fallback;
using ClutchCall.Voice.Speech.PocketSphinx;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Speech.Engines;

/// <summary>
/// Builds the configured engines (with their fallbacks) from <see cref="SpeechEngineOptions"/>.
/// Create them once per process: engines are shared by all calls. A bad configuration fails at
/// once with <see cref="SpeechEngineErrorKind.Unavailable"/> and a message naming the setting.
/// </summary>
internal static class SpeechEngineFactory
{
    private const int MaxFallbackDepth = 4;

    public static ISpeechToText CreateSpeechToText(SttEngineOptions options, HttpClient http, TimeProvider? time = null) =>
        CreateSpeechToText(options, http, time, 0);

    public static ITextToSpeech CreateTextToSpeech(TtsEngineOptions options, int outputRate, HttpClient http, TimeProvider? time = null) =>
        CreateTextToSpeech(options, outputRate, http, time, 0);

    private static ISpeechToText CreateSpeechToText(SttEngineOptions options, HttpClient http, TimeProvider? time, int depth)
    {
        ArgumentNullException.ThrowIfNull(options);
        var primary = CreateOneSpeechToText(options, http, time);
        if (options.Fallback is not { } fallback)
        {
            return primary;
        }

        return depth >= MaxFallbackDepth
            ? throw Invalid("Speech:Stt", $"more than {MaxFallbackDepth} nested Fallback entries")
            : new FallbackSpeechToText(primary, CreateSpeechToText(fallback, http, time, depth + 1));
    }

    private static ITextToSpeech CreateTextToSpeech(TtsEngineOptions options, int outputRate, HttpClient http, TimeProvider? time, int depth)
    {
        ArgumentNullException.ThrowIfNull(options);
        var primary = CreateOneTextToSpeech(options, outputRate, http, time);
        if (options.Fallback is not { } fallback)
        {
            return primary;
        }

        return depth >= MaxFallbackDepth
            ? throw Invalid("Speech:Tts", $"more than {MaxFallbackDepth} nested Fallback entries")
            : new FallbackTextToSpeech(primary, CreateTextToSpeech(fallback, outputRate, http, time, depth + 1));
    }

    private static ISpeechToText CreateOneSpeechToText(SttEngineOptions o, HttpClient http, TimeProvider? time)
    {
        switch (o.Engine.Trim().ToLowerInvariant())
        {
            case "pocketsphinx":
                return new PocketSphinxSpeechToText(new PocketSphinxOptions { IsolateStreams = o.IsolateStreams });
            case "openai":
                return new OpenAiTranscriptionSpeechToText(http, Http(o, "openai", new Uri("https://api.openai.com/"), keyRequired: o.Url is null), time);
            case "deepgram":
                return new DeepgramSpeechToText(
                    Http(o, "deepgram", DeepgramSpeechToText.DefaultUrl, keyRequired: o.Url is null),
                    new DeepgramOptions { Model = o.Model, Language = o.Language, EndpointingMs = o.EndpointingMs },
                    time);
            case "azure":
                return new AzureSpeechToText(http, Http(o, "azure", AzureUrl(o, "Stt", AzureSpeechToText.RegionUrl), keyRequired: o.Url is null), o.Language, time);
            default:
                throw Invalid("Speech:Stt:Engine", $"unknown STT engine \"{o.Engine}\"; expected pocketsphinx, openai, deepgram or azure");
        }
    }

    private static ITextToSpeech CreateOneTextToSpeech(TtsEngineOptions o, int outputRate, HttpClient http, TimeProvider? time)
    {
        switch (o.Engine.Trim().ToLowerInvariant())
        {
            case "espeak" or "espeak-ng":
                return new EspeakTextToSpeech(outputRate, new EspeakOptions { Voice = o.Voice ?? "en-us", Rate = o.EspeakRate, Pitch = o.EspeakPitch });
            case "openai":
                return new OpenAiSpeechTextToSpeech(http, Http(o, "openai", new Uri("https://api.openai.com/"), keyRequired: o.Url is null) with { Voice = o.Voice }, outputRate, time);
            case "elevenlabs":
                return new ElevenLabsTextToSpeech(http, Http(o, "elevenlabs", ElevenLabsTextToSpeech.DefaultUrl, keyRequired: o.Url is null) with { Voice = o.Voice }, outputRate, o.EngineRate ?? 16000, time);
            case "azure":
                return new AzureTextToSpeech(http, Http(o, "azure", AzureUrl(o, "Tts", AzureTextToSpeech.RegionUrl), keyRequired: o.Url is null) with { Voice = o.Voice }, outputRate, o.Language, time);
            default:
                throw Invalid("Speech:Tts:Engine", $"unknown TTS engine \"{o.Engine}\"; expected espeak, openai, elevenlabs or azure");
        }
    }

    private static Uri AzureUrl(EngineOptionsBase o, string section, Func<string, Uri> fromRegion)
    {
        if (o.Url is not null)
        {
            return o.Url;
        }

        return string.IsNullOrWhiteSpace(o.Region)
            ? throw Invalid($"Speech:{section}:Region", "the azure engine needs Region (or Url)")
            : fromRegion(o.Region.Trim());
    }

    private static HttpEngineOptions Http(EngineOptionsBase o, string engine, Uri defaultUrl, bool keyRequired)
    {
        if (keyRequired && string.IsNullOrWhiteSpace(o.Key))
        {
            throw Invalid("Key", $"the {engine} engine needs Key when it talks to the public endpoint");
        }

        if (o.Timeout <= TimeSpan.Zero)
        {
            throw Invalid("Timeout", $"must be positive, not {o.Timeout}");
        }

        var url = o.Url ?? defaultUrl;
        if (!url.IsAbsoluteUri)
        {
            throw Invalid("Url", $"\"{url}\" is not an absolute URL");
        }

        // Relative paths resolve under the base only when it ends with a slash.
        if (!url.AbsolutePath.EndsWith('/'))
        {
            url = new Uri(url.AbsoluteUri + "/");
        }

        return new HttpEngineOptions { BaseUrl = url, ApiKey = string.IsNullOrWhiteSpace(o.Key) ? null : o.Key, Model = o.Model, Timeout = o.Timeout };
    }

    private static SpeechEngineException Invalid(string setting, string message) =>
        new("configuration", SpeechEngineErrorKind.Unavailable, $"{setting}: {message}");
}
