using System.Text.Json;
using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>
/// Reads the short-audio recognition response
/// (https://learn.microsoft.com/azure/ai-services/speech-service/rest-speech-to-text-short, "Response
/// parameters"): <c>RecognitionStatus</c>, <c>DisplayText</c> (simple) or <c>NBest[]</c> with
/// <c>Confidence</c>, <c>Lexical</c>, <c>Display</c> and, when present, <c>Words[]</c> whose
/// <c>Offset</c>/<c>Duration</c> are in 100-ns ticks. Anything malformed is a Protocol error.
/// </summary>
internal static class AzureRecognitionReader
{
    public const string EngineName = "azure-stt";

    private static readonly long MaxTicks = TimeSpan.FromDays(1).Ticks;

    public static SpeechRecognitionResult Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("RecognitionStatus", out var statusEl) || statusEl.ValueKind != JsonValueKind.String)
            {
                throw Protocol("response has no RecognitionStatus string");
            }

            // The reference's RecognitionStatus values: Success, NoMatch, InitialSilenceTimeout, BabbleTimeout, Error.
            switch (statusEl.GetString())
            {
                case "Success":
                    return ReadSuccess(root);
                case "NoMatch" or "InitialSilenceTimeout" or "BabbleTimeout":
                    return SpeechRecognitionResult.EmptyFinal;
                case "Error":
                    throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.EngineFailure, "recognition service reported RecognitionStatus Error");
                default:
                    throw Protocol($"unknown RecognitionStatus \"{Truncate(statusEl.GetString())}\"");
            }
        }
        catch (JsonException ex)
        {
            throw Protocol($"response is not JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw Protocol($"response has an invalid string: {ex.Message}", ex);
        }
    }

    private static SpeechRecognitionResult ReadSuccess(JsonElement root)
    {
        var display = root.TryGetProperty("DisplayText", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (!root.TryGetProperty("NBest", out var nbest) || nbest.ValueKind != JsonValueKind.Array || nbest.GetArrayLength() == 0)
        {
            return display is null
                ? throw Protocol("Success without DisplayText or NBest")
                : new SpeechRecognitionResult(display.Trim(), true, float.NaN, []);
        }

        var best = nbest[0];
        if (best.ValueKind != JsonValueKind.Object)
        {
            throw Protocol("NBest entry is not an object");
        }

        var text = display
            ?? (best.TryGetProperty("Display", out var disp) && disp.ValueKind == JsonValueKind.String ? disp.GetString() : null)
            ?? (best.TryGetProperty("Lexical", out var lex) && lex.ValueKind == JsonValueKind.String ? lex.GetString() : null)
            ?? throw Protocol("NBest entry has no Display or Lexical text");
        var confidence = best.TryGetProperty("Confidence", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetDouble(out var cv) && cv is >= 0 and <= 1
            ? (float)cv
            : float.NaN;
        var words = new List<WordTiming>();
        if (best.TryGetProperty("Words", out var wordsEl) && wordsEl.ValueKind == JsonValueKind.Array)
        {
            foreach (var w in wordsEl.EnumerateArray())
            {
                if (w.ValueKind == JsonValueKind.Object
                    && w.TryGetProperty("Word", out var word) && word.ValueKind == JsonValueKind.String && word.GetString() is { Length: > 0 } ws
                    && w.TryGetProperty("Offset", out var off) && off.ValueKind == JsonValueKind.Number && off.TryGetInt64(out var offset)
                    && w.TryGetProperty("Duration", out var dur) && dur.ValueKind == JsonValueKind.Number && dur.TryGetInt64(out var duration)
                    && offset >= 0 && duration >= 0 && offset < MaxTicks && duration < MaxTicks)
                {
                    var wc = w.TryGetProperty("Confidence", out var wcEl) && wcEl.ValueKind == JsonValueKind.Number && wcEl.TryGetDouble(out var wcv) && wcv is >= 0 and <= 1 ? (float)wcv : float.NaN;
                    words.Add(new WordTiming(ws, TimeSpan.FromTicks(offset), TimeSpan.FromTicks(offset + duration), wc));
                }
            }
        }

        return new SpeechRecognitionResult(text.Trim(), true, confidence, words);
    }

    private static string? Truncate(string? s) => s is { Length: > 40 } ? s[..40] : s;

    private static SpeechEngineException Protocol(string message, Exception? inner = null) =>
        new(EngineName, SpeechEngineErrorKind.Protocol, message, inner: inner);
}
