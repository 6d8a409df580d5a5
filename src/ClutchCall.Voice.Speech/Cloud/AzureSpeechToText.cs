using System.Net.Http.Headers;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>
/// Azure Speech "speech to text REST API for short audio"
/// (https://learn.microsoft.com/azure/ai-services/speech-service/rest-speech-to-text-short):
/// <c>POST /speech/recognition/conversation/cognitiveservices/v1?language=…&amp;format=detailed</c>
/// with the utterance as a 16 kHz mono PCM WAV, <c>Ocp-Apim-Subscription-Key</c>. The API returns
/// final results only (no partials) and takes at most 60 s of audio.
/// </summary>
internal sealed class AzureSpeechToText(HttpClient http, HttpEngineOptions options, string language = "en-US", TimeProvider? time = null) : ISpeechToText
{
    public const string EngineName = AzureRecognitionReader.EngineName;

    // The short-audio reference: "can contain no more than 60 seconds of audio".
    private const int MaxSeconds = 60;

    // The short-audio reference, request headers: the accepted Content-Type for WAV/PCM.
    private const string WavContentType = "audio/wav; codecs=audio/pcm; samplerate=16000";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Name => EngineName;

    public int SampleRate => 16000;

    /// <summary>The regional endpoint of the short-audio API.</summary>
    public static Uri RegionUrl(string region) => new($"https://{Uri.EscapeDataString(region)}.stt.speech.microsoft.com/");

    public ValueTask<ISpeechRecognitionStream> StartAsync(CancellationToken cancellationToken)
    {
        var stream = new BufferedRecognitionStream(EngineName, MaxSeconds, SampleRate, RecogniseAsync);
        stream.Start();
        return ValueTask.FromResult<ISpeechRecognitionStream>(stream);
    }

    internal Uri RecognitionUri() => new(options.BaseUrl, $"speech/recognition/conversation/cognitiveservices/v1?language={Uri.EscapeDataString(language)}&format=detailed");

    internal Task<SpeechRecognitionResult> RecogniseAsync(short[] samples, CancellationToken cancellationToken) =>
        HttpEngineErrors.GuardAsync(EngineName, options.Timeout, _time, async _ =>
        {
            using var wav = new MemoryStream(64 + (samples.Length * 2));
            WavFile.WritePcm16(wav, new AudioFormat(SampleRate, 1), samples);
            using var content = new ByteArrayContent(wav.GetBuffer(), 0, (int)wav.Length);
            content.Headers.TryAddWithoutValidation("Content-Type", WavContentType);
            using var request = new HttpRequestMessage(HttpMethod.Post, RecognitionUri()) { Content = content };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (options.ApiKey is { } key)
            {
                request.Headers.Add("Ocp-Apim-Subscription-Key", key);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            await HttpEngineErrors.EnsureSuccessAsync(EngineName, response, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return AzureRecognitionReader.Parse(body);
        }, cancellationToken);
}
