using System.Net.Http.Headers;
using System.Text.Json;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>
/// Client for OpenAI-compatible <c>POST /v1/audio/transcriptions</c> (OpenAI, whisper.cpp's server,
/// faster-whisper servers): multipart upload of a 16 kHz WAV with <c>model</c> and
/// <c>response_format=verbose_json</c> (word timings via <c>timestamp_granularities[]=word</c>);
/// plain <c>json</c> answers (<c>{"text": …}</c>) are accepted too.
/// </summary>
internal sealed class OpenAiTranscriptionSpeechToText(HttpClient http, HttpEngineOptions options, TimeProvider? time = null, bool verbose = true) : ISpeechToText
{
    public const string EngineName = "openai-transcription";
    private const int MaxSeconds = 600;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Name => EngineName;

    public int SampleRate => 16000;

    public ValueTask<ISpeechRecognitionStream> StartAsync(CancellationToken cancellationToken)
    {
        var stream = new BufferedRecognitionStream(EngineName, MaxSeconds, SampleRate, RecogniseAsync);
        stream.Start();
        return ValueTask.FromResult<ISpeechRecognitionStream>(stream);
    }

    internal Task<SpeechRecognitionResult> RecogniseAsync(short[] samples, CancellationToken cancellationToken) =>
        HttpEngineErrors.GuardAsync(EngineName, options.Timeout, _time, async _ =>
        {
            using var wav = new MemoryStream(64 + (samples.Length * 2));
            WavFile.WritePcm16(wav, new AudioFormat(SampleRate, 1), samples);
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(wav.GetBuffer(), 0, (int)wav.Length);
            file.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
            form.Add(file, "file", "audio.wav");
            form.Add(new StringContent(options.Model ?? "whisper-1"), "model");
            form.Add(new StringContent(verbose ? "verbose_json" : "json"), "response_format");
            if (verbose)
            {
                form.Add(new StringContent("word"), "timestamp_granularities[]");
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseUrl, "v1/audio/transcriptions")) { Content = form };
            if (options.ApiKey is { } key)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            await HttpEngineErrors.EnsureSuccessAsync(EngineName, response, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return Parse(body);
        }, cancellationToken);

    /// <summary>Parses a json or verbose_json transcription; garbage becomes a Protocol error.</summary>
    internal static SpeechRecognitionResult Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("text", out var textEl) || textEl.ValueKind != JsonValueKind.String)
            {
                throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.Protocol, "response has no \"text\" string");
            }

            var words = new List<WordTiming>();
            if (root.TryGetProperty("words", out var wordsEl) && wordsEl.ValueKind == JsonValueKind.Array)
            {
                foreach (var w in wordsEl.EnumerateArray())
                {
                    if (w.ValueKind == JsonValueKind.Object
                        && w.TryGetProperty("word", out var word) && word.ValueKind == JsonValueKind.String
                        && w.TryGetProperty("start", out var start) && start.TryGetDouble(out var s)
                        && w.TryGetProperty("end", out var end) && end.TryGetDouble(out var e)
                        && double.IsFinite(s) && double.IsFinite(e) && s >= 0 && e >= s && e < 86_400)
                    {
                        words.Add(new WordTiming(word.GetString()!.Trim(), TimeSpan.FromSeconds(s), TimeSpan.FromSeconds(e), float.NaN));
                    }
                }
            }

            return new SpeechRecognitionResult(textEl.GetString()!.Trim(), true, float.NaN, words);
        }
        catch (JsonException ex)
        {
            throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.Protocol, $"response is not JSON: {ex.Message}", inner: ex);
        }
        catch (InvalidOperationException ex)
        {
            // Strings that are not valid UTF-8.
            throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.Protocol, $"response text is not valid UTF-8: {ex.Message}", inner: ex);
        }
    }
}
