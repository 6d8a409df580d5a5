namespace ClutchCall.Voice;

/// <summary>Settings of a <see cref="Voice"/> client.</summary>
public sealed class VoiceOptions
{
    /// <summary>Control-plane origin, e.g. <c>https://voice.example.com</c>. A trailing slash is trimmed; a path, query or fragment is rejected.</summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>API key (<c>ccv_live_…</c>), sent as <c>Authorization: Bearer</c>.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Optional org id. When set it is sent with every request and the server refuses a key of another org (403).</summary>
    public string? OrgId { get; set; }

    /// <summary>Relay host for the audio bridge; overrides the host the server hands out. Defaults to <c>relay.clutchcall.dev</c> when neither is known.</summary>
    public string? RelayHost { get; set; }

    /// <summary>Optional HTTP client to send requests with (not disposed by <see cref="Voice"/>).</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Attempts for idempotent requests (GET) on transient failures (network errors, 429, 502, 503, 504). Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;
}
