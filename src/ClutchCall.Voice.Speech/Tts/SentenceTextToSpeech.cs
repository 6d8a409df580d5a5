using System.Runtime.CompilerServices;
using ClutchCall.Voice.Speech.Dsp;

namespace ClutchCall.Voice.Speech.Tts;

/// <summary>
/// Base for engines that synthesize a sentence at a time: splits streamed text into sentences,
/// asks the engine for each one, resamples the engine's native rate to <see cref="SampleRate"/>
/// and labels every chunk with its sentence.
/// </summary>
internal abstract class SentenceTextToSpeech : ITextToSpeech
{
    /// <summary>Longest text accepted for one turn.</summary>
    public const int MaxTextLength = 20_000;

    protected SentenceTextToSpeech(int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        SampleRate = outputRate;
    }

    public abstract string Name { get; }

    public int SampleRate { get; }

    public async IAsyncEnumerable<SynthesizedAudio> SynthesizeAsync(IAsyncEnumerable<string> text, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var splitter = new SentenceSplitter();
        var index = 0;
        var total = 0;
        await foreach (var chunk in text.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            total += chunk.Length;
            if (total > MaxTextLength)
            {
                throw new SpeechEngineException(Name, SpeechEngineErrorKind.InvalidInput, $"text longer than {MaxTextLength} characters");
            }

            foreach (var sentence in splitter.Push(chunk))
            {
                await foreach (var audio in SentenceAsync(sentence, index++, cancellationToken).ConfigureAwait(false))
                {
                    yield return audio;
                }
            }
        }

        if (splitter.Flush() is { } last)
        {
            await foreach (var audio in SentenceAsync(last, index, cancellationToken).ConfigureAwait(false))
            {
                yield return audio;
            }
        }
    }

    /// <summary>The engine's native output rate.</summary>
    protected abstract int EngineRate { get; }

    /// <summary>Synthesizes one sentence, yielding PCM16 mono chunks at <see cref="EngineRate"/>.</summary>
    protected abstract IAsyncEnumerable<short[]> SynthesizeSentenceAsync(string sentence, CancellationToken cancellationToken);

    private async IAsyncEnumerable<SynthesizedAudio> SentenceAsync(string sentence, int index, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var resampler = EngineRate == SampleRate ? null : new RationalResampler(EngineRate, SampleRate);
        long offset = 0;
        short[]? held = null; // hold one chunk back so the last one can carry EndOfSentence
        await foreach (var raw in SynthesizeSentenceAsync(sentence, cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pcm = raw;
            if (resampler is not null)
            {
                var buffer = new short[resampler.MaxOutput(raw.Length)];
                var n = resampler.Process(raw, buffer);
                pcm = buffer.AsSpan(0, n).ToArray();
            }

            if (pcm.Length == 0)
            {
                continue;
            }

            if (held is not null)
            {
                yield return new SynthesizedAudio(held, index, sentence, offset, false);
                offset += held.Length;
            }

            held = pcm;
        }

        if (held is not null)
        {
            yield return new SynthesizedAudio(held, index, sentence, offset, true);
        }
    }
}
