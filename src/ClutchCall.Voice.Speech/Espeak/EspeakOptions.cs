namespace ClutchCall.Voice.Speech.Espeak;

/// <summary>espeak-ng voice settings.</summary>
public sealed record EspeakOptions
{
    /// <summary>Voice name as <c>espeak-ng --voices</c> lists it.</summary>
    public string Voice { get; init; } = "en-us";

    /// <summary>Words per minute (80 … 450); the default 130 is what pocketsphinx understands best.</summary>
    public int Rate { get; init; } = 130;

    /// <summary>Base pitch (0 … 100).</summary>
    public int Pitch { get; init; } = 50;
}
