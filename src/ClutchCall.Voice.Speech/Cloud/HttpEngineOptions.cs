namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>Where a server or cloud speech engine lives and how long to wait for it.</summary>
public sealed record HttpEngineOptions
{
    /// <summary>Base URL, e.g. <c>https://api.openai.com</c> or a local whisper.cpp server.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>API key (sent as the engine's documented header); null for servers without auth.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Model name, when the API takes one.</summary>
    public string? Model { get; init; }

    /// <summary>Voice name, for TTS.</summary>
    public string? Voice { get; init; }

    /// <summary>Longest wait for a response to start, and between two pieces of a streamed response.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
