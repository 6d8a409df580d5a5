using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport;

namespace ClutchCall.Voice.Moqt.Client;

/// <summary>One way to reach the relay: a transport connector and the URL it dials.</summary>
/// <param name="Connector">The transport (QUIC, WebTransport, WebSocket, in-memory).</param>
/// <param name="Uri">Where it connects.</param>
internal sealed record MoqtClientEndpoint(IMoqtTransportConnector Connector, Uri Uri);

/// <summary>Settings of a <see cref="MoqtClient"/>.</summary>
internal sealed record MoqtClientOptions
{
    /// <summary>
    /// Endpoints in preference order (QUIC/WebTransport first, WebSocket last). Each later endpoint starts
    /// after <see cref="FallbackHeadStart"/> more, or at once when every earlier one has failed; the first
    /// session set up wins.
    /// </summary>
    public required IReadOnlyList<MoqtClientEndpoint> Endpoints { get; init; }

    /// <summary>Head start each endpoint gets over the next (500 ms, as browsers race WebTransport against WebSocket).</summary>
    public TimeSpan FallbackHeadStart { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Relay token, sent in SETUP's AUTHORIZATION TOKEN and the URL query.</summary>
    public string? AuthorizationToken { get; init; }

    /// <summary>Session settings (versions, timeouts, clock).</summary>
    public MoqtSessionOptions Session { get; init; } = new();

    /// <summary>Transport settings shared by every connector.</summary>
    public MoqtTransportConnectOptions Transport { get; init; } = new();

    /// <summary>First reconnect delay; doubles per failed attempt up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Each delay is scaled by a random factor in [1 - Jitter, 1 + Jitter] so clients do not reconnect in lockstep.</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>Randomness for the jitter (seed it in tests).</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Clock for head starts and backoff; defaults to the session's.</summary>
    public TimeProvider? Time { get; init; }
}
