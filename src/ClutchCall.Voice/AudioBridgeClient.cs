using ClutchCall.Voice.Internal;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Session;

namespace ClutchCall.Voice;

/// <summary>Which side of a call's audio a client takes.</summary>
public enum AudioBridgeRole
{
    /// <summary>The application/agent side: subscribes <c>uplink</c> (caller audio), publishes <c>downlink</c>.</summary>
    Server,

    /// <summary>The caller side (softphone): publishes <c>uplink</c>, subscribes <c>downlink</c>.</summary>
    Caller,
}

/// <summary>Options of <see cref="AudioBridgeClient.AttachAsync"/> / <see cref="AudioBridgeClient.AttachCallerAsync"/>.</summary>
/// <remarks>
/// Call tracks carry Opus only (one encoded frame per MoQT object). <see cref="Codec"/> other than
/// <see cref="AudioCodec.Opus"/> is rejected with <see cref="NotSupportedException"/>: encode PCM or G.711 to
/// Opus before publishing (the SDK does not transcode). <see cref="SampleRate"/>, <see cref="Channels"/> and
/// <see cref="FrameMs"/> describe the frames you exchange and are validated against what Opus allows.
/// </remarks>
public sealed class AudioBridgeOptions
{
    /// <summary>Inbound caller audio (server side, <see cref="AudioBridgeClient.AttachAsync"/>): one encoded frame per call.</summary>
    public Action<AudioFrameReceived>? OnUplink { get; init; }

    /// <summary>Inbound cloud audio (caller side, <see cref="AudioBridgeClient.AttachCallerAsync"/>): one encoded frame per call.</summary>
    public Action<AudioFrameReceived>? OnDownlink { get; init; }

    /// <summary>Codec of the frames. Default and only supported value: Opus.</summary>
    public AudioCodec Codec { get; init; } = AudioCodec.Opus;

    /// <summary>Sample rate of the encoded audio: 8000, 12000, 16000, 24000 or 48000. Default 48000.</summary>
    public int SampleRate { get; init; } = 48000;

    /// <summary>Channels, 1 or 2. Default 1.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Frame duration in ms: 10, 20, 40 or 60. Default 20.</summary>
    public int FrameMs { get; init; } = 20;

    internal void Validate()
    {
        if (Codec != AudioCodec.Opus)
        {
            throw new NotSupportedException($"Call audio tracks carry Opus only; got codec {Codec}. Encode your audio to Opus before publishing (the SDK does not transcode).");
        }

        if (SampleRate is not (8000 or 12000 or 16000 or 24000 or 48000))
        {
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "Opus sample rate must be 8000, 12000, 16000, 24000 or 48000.");
        }

        if (Channels is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "Channels must be 1 or 2.");
        }

        if (FrameMs is not (10 or 20 or 40 or 60))
        {
            throw new ArgumentOutOfRangeException(nameof(FrameMs), FrameMs, "FrameMs must be 10, 20, 40 or 60.");
        }
    }
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
        WebTransportUrl = wire.WebTransportUrl;
        ServerCertificateHashes = wire.ServerCertificateHashes?.Where(h => string.Equals(h.Algorithm, "sha-256", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray() ?? [];
        CertificateHashes = RelayEndpoints.DecodeHashes(wire.ServerCertificateHashes);
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

    /// <summary>Relay URLs the server advertises (WebSocket first; WebTransport <c>https://</c> and raw QUIC <c>moqt://</c> when those listeners run).</summary>
    public IReadOnlyList<string> RelayUrls { get; }

    /// <summary>The relay's WebTransport URL (<c>https://host:port/moq</c>), or null when the relay has no WebTransport listener.</summary>
    public string? WebTransportUrl { get; }

    /// <summary>
    /// Base64 SHA-256 hashes of the relay's UDP (WebTransport/QUIC) certificate, as W3C WebTransport
    /// <c>serverCertificateHashes</c> takes them; empty when the server sent none. The SDK accepts a self-signed
    /// relay certificate only when its hash is one of these.
    /// </summary>
    public IReadOnlyList<string> ServerCertificateHashes { get; }

    internal IReadOnlyList<byte[]> CertificateHashes { get; }
}

/// <summary>
/// Audio data plane of calls. Reach it as <see cref="Voice.AudioBridge"/>. <see cref="AttachAsync"/> and
/// <see cref="AttachCallerAsync"/> fetch a relay token (<c>POST /v1/calls/{sid}/audio-token</c>, scope
/// <c>voice:audio</c>) and open a MoQT session to the relay URLs the server returns: WebTransport <c>https://</c>
/// and raw QUIC <c>moqt://</c> first when this machine supports QUIC (libmsquic; skipped silently otherwise),
/// WebSocket <c>ws(s)://</c> last, each with a short head start over the next, so a network that blocks UDP
/// falls back to WebSocket quickly. A self-signed WebTransport/QUIC certificate is accepted only when its SHA-256
/// matches the hash the server returned with the token.
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
    /// Opens the bridge as the server: subscribes the caller's audio (<c>uplink</c>) into
    /// <see cref="AudioBridgeOptions.OnUplink"/> and publishes audio back with
    /// <see cref="AudioBridgeSession.PublishDownlink(ReadOnlySpan{byte}, long?)"/>.
    /// Throws <see cref="VoiceApiException"/> when the API refuses the token (unknown or ended call, missing
    /// scope), <see cref="AudioBridgeException"/> when the relay cannot be reached or refuses a track, and
    /// <see cref="NotSupportedException"/> for a codec other than Opus or when the server advertises only relay
    /// URLs this SDK cannot dial here (WebTransport or QUIC without libmsquic).
    /// </summary>
    public Task<AudioBridgeSession> AttachAsync(string callSid, AudioBridgeOptions options, CancellationToken cancellationToken = default) =>
        AttachCoreAsync(callSid, options, AudioBridgeRole.Server, cancellationToken);

    /// <summary>
    /// The caller-side mirror of <see cref="AttachAsync"/> (softphone): subscribes <c>downlink</c> into
    /// <see cref="AudioBridgeOptions.OnDownlink"/> and publishes with
    /// <see cref="AudioBridgeSession.PublishUplink(ReadOnlySpan{byte}, long?)"/>.
    /// </summary>
    public Task<AudioBridgeSession> AttachCallerAsync(string callSid, AudioBridgeOptions options, CancellationToken cancellationToken = default) =>
        AttachCoreAsync(callSid, options, AudioBridgeRole.Caller, cancellationToken);

    private async Task<AudioBridgeSession> AttachCoreAsync(string callSid, AudioBridgeOptions options, AudioBridgeRole role, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var token = await RequestTokenAsync(callSid, role, cancellationToken).ConfigureAwait(false);
        var endpoints = RelayEndpoints.Select(token.RelayUrls, token.CertificateHashes, _http.BaseUri);
        MoqtClient client;
        try
        {
            client = await MoqtClient.ConnectAsync(new MoqtClientOptions { Endpoints = endpoints, AuthorizationToken = token.Token }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new AudioBridgeException($"Could not open a MoQT session to the relay ({string.Join(", ", endpoints.Select(e => e.Uri))}): {ex.Message}", innerException: ex);
        }

        try
        {
            return await AudioBridgeSession.OpenAsync(callSid, role, client, role == AudioBridgeRole.Server ? options.OnUplink : options.OnDownlink, cancellationToken).ConfigureAwait(false);
        }
        catch (MoqtRequestException ex)
        {
            throw new AudioBridgeException($"The relay refused a track of call {callSid}: {ex.Message}", ex.ErrorCode, ex);
        }
    }
}
