using ClutchCall.Voice.Internal;

namespace ClutchCall.Voice;

/// <summary>
/// The top-level ClutchCall Voice client. It hands out three helpers that share its credentials and
/// transport: <see cref="Calls"/> (control plane), <see cref="AudioBridge"/> (call audio) and
/// <see cref="Agents"/> (AI agents).
/// </summary>
/// <example>
/// <code>
/// using var voice = new Voice(new VoiceOptions { BaseUrl = "http://127.0.0.1:8080", ApiKey = key });
/// var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" });
/// </code>
/// </example>
public sealed class Voice : IDisposable
{
    private readonly VoiceHttp _http;

    /// <summary>Creates a client. Throws <see cref="ArgumentException"/> when <see cref="VoiceOptions.BaseUrl"/> or <see cref="VoiceOptions.ApiKey"/> is unusable.</summary>
    public Voice(VoiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = new VoiceHttp(options);
        Options = options;
        Calls = new CallsClient(_http);
        Agents = new AgentsClient(_http);
        AudioBridge = new AudioBridgeClient(_http, options);
    }

    /// <summary>The options this client was created with.</summary>
    public VoiceOptions Options { get; }

    /// <summary>The normalised control-plane origin (no trailing slash).</summary>
    public Uri BaseUri => _http.BaseUri;

    /// <summary>Originate, fetch and list calls.</summary>
    public CallsClient Calls { get; }

    /// <summary>Attach AI agents to live calls.</summary>
    public AgentsClient Agents { get; }

    /// <summary>Open the audio bridge of a call.</summary>
    public AudioBridgeClient AudioBridge { get; }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
