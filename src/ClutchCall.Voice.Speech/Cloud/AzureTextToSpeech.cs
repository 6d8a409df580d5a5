using System.Text;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>
/// Azure TTS REST (https://learn.microsoft.com/azure/ai-services/speech-service/rest-text-to-speech):
/// <c>POST /cognitiveservices/v1</c> with an SSML body (<c>application/ssml+xml</c>),
/// <c>Ocp-Apim-Subscription-Key</c>, <c>User-Agent</c> and <c>X-Microsoft-OutputFormat</c>
/// <c>raw-16khz-16bit-mono-pcm</c> or <c>raw-24khz-16bit-mono-pcm</c> (headerless PCM16 LE), streamed
/// as it arrives, one request per sentence.
/// </summary>
internal sealed class AzureTextToSpeech(HttpClient http, HttpEngineOptions options, int outputRate = 16000, string language = "en-US", TimeProvider? time = null)
    : Tts.SentenceTextToSpeech(outputRate)
{
    public const string EngineName = "azure-tts";

    /// <summary>A neural voice from the voice list, used when none is configured.</summary>
    public const string DefaultVoice = "en-US-JennyNeural";

    private const string UserAgent = "ClutchCall.Voice";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public override string Name => EngineName;

    /// <summary>24 kHz when the caller wants more than 16 kHz (less resampling loss), else 16 kHz.</summary>
    protected override int EngineRate => SampleRate > 16000 ? 24000 : 16000;

    /// <summary>The regional endpoint.</summary>
    public static Uri RegionUrl(string region) => new($"https://{Uri.EscapeDataString(region)}.tts.speech.microsoft.com/");

    internal string OutputFormat => EngineRate == 24000 ? "raw-24khz-16bit-mono-pcm" : "raw-16khz-16bit-mono-pcm";

    protected override IAsyncEnumerable<short[]> SynthesizeSentenceAsync(string sentence, CancellationToken cancellationToken)
    {
        var ssml = Ssml.Build(sentence, options.Voice ?? DefaultVoice, language);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseUrl, "cognitiveservices/v1"))
        {
            Content = new StringContent(ssml, Encoding.UTF8, "application/ssml+xml"),
        };
        request.Headers.Add("X-Microsoft-OutputFormat", OutputFormat);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        if (options.ApiKey is { } key)
        {
            request.Headers.Add("Ocp-Apim-Subscription-Key", key);
        }

        return PcmHttpStream.ReadAsync(EngineName, http, request, options.Timeout, _time, expectWav: false, cancellationToken);
    }
}
