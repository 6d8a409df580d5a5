using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>Settings of one MoQT session, either side.</summary>
internal sealed record MoqtSessionOptions
{
    /// <summary>Versions offered (client) or accepted (server), preferred first (draft-ietf-moq-transport-14 §9.3.1).</summary>
    public IReadOnlyList<MoqtVersion> Versions { get; init; } = [MoqtVersion.Draft14];

    /// <summary>
    /// Request ids granted to the peer at a time: SETUP's MAX_REQUEST_ID starts there and MAX_REQUEST_ID
    /// raises it by this much whenever half is used (draft-ietf-moq-transport-14 §9.3.2.3, §9.5).
    /// </summary>
    public ulong RequestIdWindow { get; init; } = 200;

    /// <summary>PATH setup parameter the client sends (native QUIC only, draft-ietf-moq-transport-14 §9.3.2.2).</summary>
    public string? Path { get; init; }

    /// <summary>Token the client sends as AUTHORIZATION TOKEN (draft-ietf-moq-transport-14 §9.3.2.5).</summary>
    public string? AuthorizationToken { get; init; }

    /// <summary>How long a peer may take to complete SETUP.</summary>
    public TimeSpan SetupTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a control message may stay half-received before the session closes with CONTROL_MESSAGE_TIMEOUT.</summary>
    public TimeSpan ControlMessageTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a data stream may stall mid-object before the session closes with DATA_STREAM_TIMEOUT.</summary>
    public TimeSpan DataStreamTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a stream for a track alias not yet known waits for the control message that names it.</summary>
    public TimeSpan UnknownAliasWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest object payload accepted on a data stream or datagram.</summary>
    public int MaxObjectBytes { get; init; } = 64 * 1024;

    /// <summary>Largest control message accepted (at most 65,535 by draft-ietf-moq-transport-14 §9).</summary>
    public int MaxControlMessageBytes { get; init; } = 16 * 1024;

    /// <summary>Most data streams the peer may have open towards us at once before we close the session.</summary>
    public int MaxConcurrentDataStreams { get; init; } = 512;

    /// <summary>Clock for every timeout.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
