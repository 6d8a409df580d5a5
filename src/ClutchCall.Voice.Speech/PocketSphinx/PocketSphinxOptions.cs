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
}
