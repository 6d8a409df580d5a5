using System.Runtime.CompilerServices;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Speech.Fallback;

/// <summary>
/// Speaks with <c>primary</c> sentence by sentence; when a sentence fails (error, timeout, closed
/// connection) before its last chunk, the rest of the turn — starting with that sentence — is spoken
/// by <c>fallback</c>. Both engines must produce the same sample rate.
/// </summary>
internal sealed class FallbackTextToSpeech(ITextToSpeech primary, ITextToSpeech fallback) : ITextToSpeech
{
    private long _fallbackCount;

    public string Name => $"{primary.Name}|{fallback.Name}";

    public int SampleRate => primary.SampleRate == fallback.SampleRate
        ? primary.SampleRate
        : throw new InvalidOperationException("Fallback engines must share a sample rate.");

    public long FallbackCount => Interlocked.Read(ref _fallbackCount);

    public SpeechEngineException? LastPrimaryError { get; private set; }

    public async IAsyncEnumerable<SynthesizedAudio> SynthesizeAsync(IAsyncEnumerable<string> text, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _ = SampleRate;
        var splitter = new SentenceSplitter();
        var index = 0;
        var usePrimary = true;
        var sentences = new List<string>();
        await foreach (var chunk in text.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            sentences.AddRange(splitter.Push(chunk));
            while (sentences.Count > 0)
            {
                var s = sentences[0];
                sentences.RemoveAt(0);
                await foreach (var audio in SentenceAsync(s, index++, () => usePrimary, () => usePrimary = false, cancellationToken).ConfigureAwait(false))
                {
                    yield return audio;
                }
            }
        }

        if (splitter.Flush() is { } last)
        {
            await foreach (var audio in SentenceAsync(last, index, () => usePrimary, () => usePrimary = false, cancellationToken).ConfigureAwait(false))
            {
                yield return audio;
            }
        }
    }

    private async IAsyncEnumerable<SynthesizedAudio> SentenceAsync(string sentence, int index, Func<bool> usePrimary, Action switchOver, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (usePrimary())
        {
            var e = primary.SynthesizeAsync(sentence, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var failed = false;
            await using (e.ConfigureAwait(false))
            {
                while (true)
                {
                    try
                    {
                        if (!await e.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    catch (SpeechEngineException ex)
                    {
                        LastPrimaryError = ex;
                        failed = true;
                        break;
                    }

                    yield return e.Current with { SentenceIndex = index };
                }
            }

            if (!failed)
            {
                yield break;
            }

            Interlocked.Increment(ref _fallbackCount);
            switchOver();
        }

        await foreach (var audio in fallback.SynthesizeAsync(sentence, cancellationToken).ConfigureAwait(false))
        {
            yield return audio with { SentenceIndex = index };
        }
    }
}
