using System.Text.Json;
using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>The kinds of JSON text message a Deepgram live socket sends.</summary>
internal enum DeepgramMessageType
{
    /// <summary>A message type this client does not use (forward compatible: ignored).</summary>
    Other = 0,

    /// <summary>A transcript: interim or final.</summary>
    Results,

    /// <summary>Request metadata, sent once after <c>CloseStream</c>.</summary>
    Metadata,

    /// <summary>A server-reported error (the socket closes after it).</summary>
    Error,
}

/// <summary>One parsed Deepgram message; only the fields this client uses.</summary>
internal readonly record struct DeepgramMessage(
    DeepgramMessageType Type,
    string Transcript,
    float Confidence,
    bool IsFinal,
    bool SpeechFinal,
    IReadOnlyList<WordTiming> Words,
    string? Description);

/// <summary>
/// Reads Deepgram live-streaming server messages
/// (https://developers.deepgram.com/reference/speech-to-text-api/listen-streaming, "Results":
/// <c>channel.alternatives[0].transcript/confidence/words[word,start,end,confidence]</c>,
/// <c>is_final</c>, <c>speech_final</c>). Anything malformed is a Protocol error.
/// </summary>
internal static class DeepgramMessageReader
{
    public const string EngineName = "deepgram";

    /// <summary>Largest text message accepted (a Results message with hundreds of words is a few KiB).</summary>
    public const int MaxMessageBytes = 1 << 20;

    private const double MaxWordSeconds = 86_400;

    /// <summary>Parses one complete text message; throws <see cref="SpeechEngineException"/> (Protocol) on garbage.</summary>
    public static DeepgramMessage Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxMessageBytes)
        {
            throw Protocol($"message of {json.Length} bytes exceeds {MaxMessageBytes}");
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeEl) || typeEl.ValueKind != JsonValueKind.String)
            {
                throw Protocol("message has no \"type\" string");
            }

            return typeEl.GetString() switch
            {
                "Results" => ReadResults(root),
                "Metadata" => new DeepgramMessage(DeepgramMessageType.Metadata, string.Empty, float.NaN, false, false, [], null),
                "Error" => new DeepgramMessage(DeepgramMessageType.Error, string.Empty, float.NaN, false, false, [], OptionalString(root, "description") ?? OptionalString(root, "message") ?? "unspecified error"),
                _ => new DeepgramMessage(DeepgramMessageType.Other, string.Empty, float.NaN, false, false, [], null),
            };
        }
        catch (JsonException ex)
        {
            throw Protocol($"message is not JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw Protocol($"message has an invalid string: {ex.Message}", ex);
        }
    }

    private static DeepgramMessage ReadResults(JsonElement root)
    {
        if (!root.TryGetProperty("channel", out var channel) || channel.ValueKind != JsonValueKind.Object
            || !channel.TryGetProperty("alternatives", out var alternatives) || alternatives.ValueKind != JsonValueKind.Array)
        {
            throw Protocol("Results without channel.alternatives");
        }

        var isFinal = OptionalBool(root, "is_final");
        var speechFinal = OptionalBool(root, "speech_final");
        if (alternatives.GetArrayLength() == 0)
        {
            return new DeepgramMessage(DeepgramMessageType.Results, string.Empty, float.NaN, isFinal, speechFinal, [], null);
        }

        var best = alternatives[0];
        if (best.ValueKind != JsonValueKind.Object || !best.TryGetProperty("transcript", out var transcriptEl) || transcriptEl.ValueKind != JsonValueKind.String)
        {
            throw Protocol("Results alternative without a transcript string");
        }

        var words = new List<WordTiming>();
        if (best.TryGetProperty("words", out var wordsEl) && wordsEl.ValueKind == JsonValueKind.Array)
        {
            foreach (var w in wordsEl.EnumerateArray())
            {
                if (w.ValueKind == JsonValueKind.Object
                    && (OptionalString(w, "punctuated_word") ?? OptionalString(w, "word")) is { Length: > 0 } word
                    && w.TryGetProperty("start", out var startEl) && startEl.ValueKind == JsonValueKind.Number && startEl.TryGetDouble(out var start)
                    && w.TryGetProperty("end", out var endEl) && endEl.ValueKind == JsonValueKind.Number && endEl.TryGetDouble(out var end)
                    && start >= 0 && end >= start && end < MaxWordSeconds)
                {
                    words.Add(new WordTiming(word, TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(end), Confidence(w)));
                }
            }
        }

        return new DeepgramMessage(DeepgramMessageType.Results, transcriptEl.GetString()!.Trim(), Confidence(best), isFinal, speechFinal, words, null);
    }

    private static float Confidence(JsonElement element) =>
        element.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetDouble(out var v) && v is >= 0 and <= 1
            ? (float)v
            : float.NaN;

    private static bool OptionalBool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static SpeechEngineException Protocol(string message, Exception? inner = null) =>
        new(EngineName, SpeechEngineErrorKind.Protocol, message, inner: inner);
}
