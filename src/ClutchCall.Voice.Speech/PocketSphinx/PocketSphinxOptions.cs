namespace ClutchCall.Voice.Speech.PocketSphinx;

/// <summary>Where the pocketsphinx model lives and how often to publish partial hypotheses.</summary>
public sealed record PocketSphinxOptions
{
    /// <summary>Acoustic model folder (Debian <c>pocketsphinx-en-us</c>).</summary>
    public string AcousticModel { get; init; } = "/usr/share/pocketsphinx/model/en-us/en-us";

    /// <summary>Language model.</summary>
    public string LanguageModel { get; init; } = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";

    /// <summary>Pronunciation dictionary.</summary>
    public string Dictionary { get; init; } = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";

    /// <summary>Audio between partial hypotheses.</summary>
    public TimeSpan PartialInterval { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// Decoders kept loaded for reuse (loading one takes a few hundred milliseconds). A reused decoder
    /// keeps its cepstral-mean estimate from earlier utterances, which helps within one call but makes
    /// results depend on what it heard before; 0 loads a fresh decoder for every stream.
    /// </summary>
    public int MaxIdleDecoders { get; init; } = 4;

    /// <summary>
    /// Start every stream on a reused decoder from the model's own cepstral mean, as a freshly loaded
    /// decoder does, so no call's audio shapes another call's transcript and results do not depend on
    /// history. Off by default because the carried-over mean is what makes the first seconds of an
    /// utterance usable on telephone and synthetic audio (measured on espeak-ng sentences: WER 89–111 %
    /// from the model's mean, 30–44 % after one adapting pass; docs/speech.md).
    /// </summary>
    public bool IsolateStreams { get; init; }
}
