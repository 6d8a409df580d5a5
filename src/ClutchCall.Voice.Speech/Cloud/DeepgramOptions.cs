namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>
/// Deepgram live-streaming settings sent as query parameters of <c>/v1/listen</c>
/// (https://developers.deepgram.com/reference/speech-to-text-api/listen-streaming).
/// </summary>
public sealed record DeepgramOptions
{
    /// <summary>Model name (<c>model</c>), e.g. <c>nova-3</c>; null uses the account default.</summary>
    public string? Model { get; init; }

    /// <summary>BCP-47 language (<c>language</c>); null uses the model default.</summary>
    public string? Language { get; init; } = "en-US";

    /// <summary>Ask for interim (partial) results (<c>interim_results</c>).</summary>
    public bool InterimResults { get; init; } = true;

    /// <summary>Silence, in ms, after which Deepgram sets <c>speech_final</c> (<c>endpointing</c>); 0 disables it.</summary>
    public int EndpointingMs { get; init; } = 300;

    /// <summary>Add punctuation and capitals (<c>punctuate</c>).</summary>
    public bool Punctuate { get; init; } = true;

    /// <summary>
    /// How often to send <c>{"type":"KeepAlive"}</c> while no audio flows: Deepgram closes an idle
    /// socket after 10 s (NET-0001), and its docs ask for one every 3–5 s
    /// (https://developers.deepgram.com/docs/audio-keep-alive).
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(4);
}
