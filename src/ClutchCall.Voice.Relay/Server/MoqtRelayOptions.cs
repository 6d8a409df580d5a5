using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Relay.Fanout;

namespace ClutchCall.Voice.Relay.Server;

/// <summary>Settings of a relay node.</summary>
internal sealed record MoqtRelayOptions
{
    /// <summary>How each subscriber is served (delivery timeout, queue bound, newest-group cache).</summary>
    public DeliveryProfile Delivery { get; init; } = DeliveryProfile.Audio;

    /// <summary>Session settings for every accepted connection.</summary>
    public MoqtSessionOptions Session { get; init; } = new();

    /// <summary>How long clients get after GOAWAY before the relay closes their sessions.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>URI sent in GOAWAY (empty: reconnect to the same place).</summary>
    public string GoAwayUri { get; init; } = string.Empty;

    /// <summary>Most concurrent sessions; connections past it are closed at once with TOO_MANY_REQUESTS.</summary>
    public int MaxSessions { get; init; } = 10_000;
}
