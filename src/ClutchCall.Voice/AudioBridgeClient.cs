using ClutchCall.Voice.Internal;
using ClutchCall.Voice.Media;

namespace ClutchCall.Voice;

/// <summary>Which side of a call's audio a client takes.</summary>
public enum AudioBridgeRole
{
    /// <summary>The application/agent side: subscribes <c>uplink</c> (caller audio), publishes <c>downlink</c>.</summary>
    Server,

    /// <summary>The caller side (softphone): publishes <c>uplink</c>, subscribes <c>downlink</c>.</summary>
    Caller,
}

/// <summary>Receives one encoded audio frame. <paramref name="frame"/> is valid only during the call.</summary>
/// <param name="frame">One encoded frame (e.g. 20 ms of Opus).</param>
/// <param name="timestampUs">Sender's capture timestamp in microseconds.</param>
public delegate void AudioFrameHandler(ReadOnlyMemory<byte> frame, long timestampUs);

/// <summary>Options of <see cref="AudioBridgeClient.AttachAsync"/> / <see cref="AudioBridgeClient.AttachCallerAsync"/>.</summary>
public sealed class AudioBridgeOptions
{
    /// <summary>Inbound caller audio (server side).</summary>
    public AudioFrameHandler? OnUplink { get; init; }

    /// <summary>Inbound cloud audio (caller side).</summary>
    public AudioFrameHandler? OnDownlink { get; init; }

    /// <summary>Codec of the frames. Default Opus.</summary>
    public AudioCodec Codec { get; init; } = AudioCodec.Opus;

    /// <summary>Default 48000.</summary>
    public int SampleRate { get; init; } = 48000;

    /// <summary>Default 1.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Frame duration in ms. Default 20.</summary>
    public int FrameMs { get; init; } = 20;
}

/// <summary>A relay token for one side of one call, as issued by <c>POST /v1/calls/{sid}/audio-token</c>.</summary>
public sealed class AudioToken
{
    internal AudioToken(AudioTokenWire wire, string? relayHostOverride)
    {
        Token = wire.Token;
        ExpiresAt = wire.ExpiresAt;
        CallSid = wire.CallSid;
        Role = wire.Role == "caller" ? AudioBridgeRole.Caller : AudioBridgeRole.Server;
        Namespace = wire.Namespace;
        Publish = wire.Publish;
        Subscribe = wire.Subscribe;
        RelayHost = relayHostOverride ?? (string.IsNullOrEmpty(wire.RelayHost) ? AudioBridgeClient.DefaultRelayHost : wire.RelayHost);
        RelayUrls = wire.RelayUrls;
    }

    /// <summary>The bearer token to present to the relay.</summary>
    public string Token { get; }

    /// <summary>When the token stops being accepted for new sessions.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The call it is scoped to.</summary>
    public string CallSid { get; }

    /// <summary>Which side it grants.</summary>
    public AudioBridgeRole Role { get; }

    /// <summary>The MoQT track namespace, <c>voice/&lt;sid&gt;</c>.</summary>
    public string Namespace { get; }

    /// <summary>Tracks the holder may publish.</summary>
    public IReadOnlyList<string> Publish { get; }

    /// <summary>Tracks the holder may subscribe to.</summary>
    public IReadOnlyList<string> Subscribe { get; }

    /// <summary>Relay host (<see cref="VoiceOptions.RelayHost"/> wins over the server's answer).</summary>
    public string RelayHost { get; }

    /// <summary>Relay URLs the server advertises.</summary>
    public IReadOnlyList<string> RelayUrls { get; }
}

/// <summary>
/// Audio data plane of calls. Reach it as <see cref="Voice.AudioBridge"/>.
/// <see cref="RequestTokenAsync"/> works against any server. <see cref="AttachAsync"/> and
/// <see cref="AttachCallerAsync"/> need the MoQT transport, which is not wired into this build yet:
/// they throw <see cref="NotSupportedException"/> until it is.
/// </summary>
public sealed class AudioBridgeClient
{
    /// <summary>Relay host used when neither the options nor the server name one.</summary>
    public const string DefaultRelayHost = "relay.clutchcall.dev";

    private readonly VoiceHttp _http;
    private readonly VoiceOptions _options;

    internal AudioBridgeClient(VoiceHttp http, VoiceOptions options)
    {
        _http = http;
        _options = options;
    }

    /// <summary>Issues a short-lived relay token for one side of a call (needs <c>voice:audio</c>).</summary>
    public async Task<AudioToken> RequestTokenAsync(string callSid, AudioBridgeRole role = AudioBridgeRole.Server, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callSid);
        var wire = await _http.SendAsync<AudioTokenWire>(
            HttpMethod.Post,
            $"/v1/calls/{Uri.EscapeDataString(callSid)}/audio-token",
            new AudioTokenRequestWire(role == AudioBridgeRole.Caller ? "caller" : "server"),
            cancellationToken).ConfigureAwait(false);
        return new AudioToken(wire, _options.RelayHost);
    }

    /// <summary>
    /// Opens the bridge as the server: subscribe the caller's audio (uplink) into
    /// <see cref="AudioBridgeOptions.OnUplink"/>, publish audio back with <c>PublishDownlink</c>.
    /// Not available in this build (the MoQT client is wired later): throws <see cref="NotSupportedException"/>
    /// after validating the call and obtaining its token.
    /// </summary>
    public Task AttachAsync(string callSid, AudioBridgeOptions options, CancellationToken cancellationToken = default) =>
        AttachCoreAsync(callSid, options, AudioBridgeRole.Server, cancellationToken);

    /// <summary>The caller-side mirror of <see cref="AttachAsync"/>: subscribe downlink, publish uplink. Not available in this build.</summary>
    public Task AttachCallerAsync(string callSid, AudioBridgeOptions options, CancellationToken cancellationToken = default) =>
        AttachCoreAsync(callSid, options, AudioBridgeRole.Caller, cancellationToken);

    private async Task AttachCoreAsync(string callSid, AudioBridgeOptions options, AudioBridgeRole role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ = await RequestTokenAsync(callSid, role, cancellationToken).ConfigureAwait(false);
        throw new NotSupportedException("The audio bridge's MoQT transport is not part of this build yet; use RequestTokenAsync and a MoQT client for now.");
    }
}
