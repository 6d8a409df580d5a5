namespace ClutchCall.Voice.Speech.Stt;

/// <summary>One recognised word with its time in the utterance's audio.</summary>
/// <param name="Word">The word as the engine wrote it.</param>
/// <param name="Start">Offset of the word's start from the start of the stream's audio.</param>
/// <param name="End">Offset of the word's end.</param>
/// <param name="Confidence">0 … 1, or NaN when the engine gives none.</param>
public readonly record struct WordTiming(string Word, TimeSpan Start, TimeSpan End, float Confidence);

/// <summary>A partial or final recognition result.</summary>
/// <param name="Text">The recognised text (empty when nothing was recognised).</param>
/// <param name="IsFinal">False for a partial hypothesis that may still change.</param>
/// <param name="Confidence">0 … 1, or NaN when the engine gives none.</param>
/// <param name="Words">Word timings when the engine gives them; otherwise empty.</param>
public sealed record SpeechRecognitionResult(string Text, bool IsFinal, float Confidence, IReadOnlyList<WordTiming> Words)
{
    /// <summary>A final result with no words.</summary>
    public static SpeechRecognitionResult EmptyFinal { get; } = new(string.Empty, true, float.NaN, []);
}
