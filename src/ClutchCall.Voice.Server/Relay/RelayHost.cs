using ClutchCall.Voice.Moqt.Transport.InMemory;
using ClutchCall.Voice.Moqt.Transport.Quic;
using ClutchCall.Voice.Relay.Server;
using Microsoft.Extensions.Logging;

namespace ClutchCall.Voice.Server.Relay;

/// <summary>
/// Runs the process's MoQT relay: the in-memory listener that in-process parts (test line, SIP bridge,
/// agents) dial as ordinary MoQT clients, the WebTransport and raw QUIC listeners when configured
/// (<see cref="RelayQuicListeners"/>), and graceful drain on shutdown. The WebSocket listener is the
/// <c>/moq</c> endpoint (<see cref="RelayEndpoints"/>).
/// </summary>
internal sealed partial class RelayHost(
    MoqtRelayServer relay,
    InProcessRelay inProcess,
    IHostApplicationLifetime lifetime,
    RelayQuicListeners quic,
    ILogger<RelayHost> logger) : IHostedService
{
    private Task? _drain;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        relay.AddListener(inProcess.Network.Listen(InProcessRelay.ListenerName));
        await quic.StartAsync(relay, cancellationToken).ConfigureAwait(false);
        if (quic.WebTransportEndPoint is { } wt)
        {
            LogWebTransportListening(wt.ToString(), quic.Settings.Path, Convert.ToHexString(quic.CertificateHash!));
        }

        if (quic.QuicEndPoint is { } raw)
        {
            LogQuicListening(raw.ToString());
        }

        if (quic.Unavailable || !((OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsWindows()) && QuicTransportListener.IsSupported))
        {
            LogQuicUnavailable();
        }
        else if (quic.WebTransportEndPoint is null && quic.QuicEndPoint is null)
        {
            LogQuicNotConfigured();
        }

        // Kestrel waits for open requests when it stops, and every /moq request lasts as long as its
        // session: drain the relay as soon as stopping begins so those requests end.
        lifetime.ApplicationStopping.Register(() => _drain ??= DrainAsync());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _drain ??= DrainAsync();
        await _drain.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DrainAsync()
    {
        // draft-ietf-moq-transport-14 §9.4: GOAWAY first, then give clients the drain time to leave.
        LogDraining(relay.SessionCount);
        await relay.ShutdownAsync(relay.Options.DrainTimeout).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "QUIC is unavailable (libmsquic missing): the relay serves WebSocket at /moq and in-memory only")]
    private partial void LogQuicUnavailable();

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "QUIC is supported but no QUIC relay listener is configured: the relay serves WebSocket at /moq and in-memory")]
    private partial void LogQuicNotConfigured();

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Relay draining: GOAWAY to {Sessions} sessions")]
    private partial void LogDraining(int sessions);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Information, Message = "Relay WebTransport listening on UDP {EndPoint}, path {Path}, certificate SHA-256 {Hash}")]
    private partial void LogWebTransportListening(string endPoint, string path, string hash);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Information, Message = "Relay raw QUIC (ALPN moq-00) listening on UDP {EndPoint}")]
    private partial void LogQuicListening(string endPoint);
}

/// <summary>
/// The server's own in-memory MoQT network (one per server instance, so several servers in one process,
/// as in tests, never share a listener name). In-process parts dial <see cref="Uri"/> with <see cref="Network"/>'s connector.
/// </summary>
internal sealed class InProcessRelay
{
    public const string ListenerName = "relay";

    public InMemoryTransportNetwork Network { get; } = new();

    public Uri Uri { get; } = new("memory://" + ListenerName + "/moq");
}
