namespace ClutchCall.Voice.Speech.Tts;

/// <summary>
/// A chunk of synthesized PCM16 mono audio and the sentence it speaks, so a player can tell which
/// text was actually heard when playback stops early.
/// </summary>
/// <param name="Samples">PCM16 mono at the engine's <see cref="ITextToSpeech.SampleRate"/>; owned by the receiver.</param>
/// <param name="SentenceIndex">Index of the sentence in the turn's text (0-based).</param>
/// <param name="Sentence">The sentence's text.</param>
/// <param name="SentenceOffset">Samples of this sentence emitted before this chunk.</param>
/// <param name="EndOfSentence">True on the sentence's last chunk.</param>
public sealed record SynthesizedAudio(short[] Samples, int SentenceIndex, string Sentence, long SentenceOffset, bool EndOfSentence);

/// <summary>
/// A text-to-speech engine: text arrives as a stream of chunks (e.g. an agent's tokens), audio
/// leaves as soon as the first sentence is complete. Cancelling the token stops synthesis at once.
/// </summary>
internal interface ITextToSpeech
{
    /// <summary>Short engine name for logs, metrics and errors.</summary>
    string Name { get; }

    /// <summary>Rate of the audio produced.</summary>
    int SampleRate { get; }

    /// <summary>Synthesizes streamed text. Fails with <see cref="SpeechEngineException"/>.</summary>
    IAsyncEnumerable<SynthesizedAudio> SynthesizeAsync(IAsyncEnumerable<string> text, CancellationToken cancellationToken);
}
