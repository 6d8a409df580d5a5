namespace ClutchCall.Voice.Speech.Tts;

internal static class TextToSpeechExtensions
{
    /// <summary>Synthesizes a whole text.</summary>
    public static IAsyncEnumerable<SynthesizedAudio> SynthesizeAsync(this ITextToSpeech tts, string text, CancellationToken cancellationToken)
        => tts.SynthesizeAsync(One(text), cancellationToken);

    /// <summary>Synthesizes a whole text into one PCM buffer.</summary>
    public static async Task<short[]> SynthesizeAllAsync(this ITextToSpeech tts, string text, CancellationToken cancellationToken)
    {
        var all = new List<short>();
        await foreach (var chunk in tts.SynthesizeAsync(text, cancellationToken).ConfigureAwait(false))
        {
            all.AddRange(chunk.Samples);
        }

        return [.. all];
    }

#pragma warning disable CS1998 // an async iterator with nothing to await
    private static async IAsyncEnumerable<string> One(string text)
    {
        yield return text;
    }
#pragma warning restore CS1998
}
