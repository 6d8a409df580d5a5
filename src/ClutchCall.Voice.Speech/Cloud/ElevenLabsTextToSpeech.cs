using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>
/// ElevenLabs streaming TTS (https://elevenlabs.io/docs/api-reference/text-to-speech/stream):
/// <c>POST /v1/text-to-speech/{voice_id}/stream?output_format=pcm_&lt;rate&gt;</c> with
/// <c>xi-api-key</c> and a JSON body <c>{text, model_id, voice_settings}</c>; the chunked response is
/// raw PCM16 LE mono at that rate. Each chunk is handed on as it arrives and resampled to the output rate.
/// </summary>
internal sealed class ElevenLabsTextToSpeech : Tts.SentenceTextToSpeech
{
    public const string EngineName = "elevenlabs";

    /// <summary>The production endpoint.</summary>
    public static readonly Uri DefaultUrl = new("https://api.elevenlabs.io/");

    /// <summary>A premade voice from the API reference's examples, used when no voice is configured.</summary>
    public const string DefaultVoice = "JBFqnCBsd6RMkjVDRZzb";

    /// <summary>The model used when none is configured.</summary>
    public const string DefaultModel = "eleven_flash_v2_5";

    private readonly HttpClient _http;
    private readonly HttpEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly int _engineRate;

    /// <param name="http">Shared client.</param>
    /// <param name="options">URL, key, model, voice id, timeout.</param>
    /// <param name="outputRate">Rate handed to callers.</param>
    /// <param name="engineRate">The <c>pcm_*</c> output format asked for: 16000, 22050, 24000 or 44100.</param>
    /// <param name="time">Clock for timeouts.</param>
    public ElevenLabsTextToSpeech(HttpClient http, HttpEngineOptions options, int outputRate = 16000, int engineRate = 16000, TimeProvider? time = null)
        : base(outputRate)
    {
        if (engineRate is not (16000 or 22050 or 24000 or 44100))
        {
            throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.Unavailable, $"pcm_{engineRate} is not an ElevenLabs PCM output format (16000, 22050, 24000, 44100)");
        }

        _http = http;
        _options = options;
        _engineRate = engineRate;
        _time = time ?? TimeProvider.System;
    }

    public override string Name => EngineName;

    protected override int EngineRate => _engineRate;

    internal Uri StreamUri() =>
        new(_options.BaseUrl, string.Create(CultureInfo.InvariantCulture, $"v1/text-to-speech/{Uri.EscapeDataString(_options.Voice ?? DefaultVoice)}/stream?output_format=pcm_{_engineRate}"));

    protected override IAsyncEnumerable<short[]> SynthesizeSentenceAsync(string sentence, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(new Body(sentence, _options.Model ?? DefaultModel, new VoiceSettings(0.5, 0.75)), ElevenLabsJson.Options);
        var request = new HttpRequestMessage(HttpMethod.Post, StreamUri())
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (_options.ApiKey is { } key)
        {
            request.Headers.Add("xi-api-key", key);
        }

        return PcmHttpStream.ReadAsync(EngineName, _http, request, _options.Timeout, _time, expectWav: false, cancellationToken);
    }

    private sealed record Body(string Text, string ModelId, VoiceSettings VoiceSettings);

    private sealed record VoiceSettings(double Stability, double SimilarityBoost);

    private static class ElevenLabsJson
    {
        public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    }
}
