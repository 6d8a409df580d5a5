using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Relay.Access;

/// <summary>
/// Decides, once per session at SETUP, what a connection may do. The token comes from SETUP's
/// AUTHORIZATION TOKEN parameter (draft-ietf-moq-transport-14 §9.3.2.5) or, for browsers, the URL query.
/// </summary>
internal interface IRelayAuthorizer
{
    /// <summary>
    /// Validates <paramref name="token"/> at <paramref name="now"/>. On failure <paramref name="code"/> is the
    /// session termination code to close with (draft-ietf-moq-transport-14 §3.4) and <paramref name="error"/> says why.
    /// </summary>
    bool TryAuthorize(string? token, DateTimeOffset now, out IRelayPermissions permissions, out MoqtSessionErrorCode code, out string error);
}

/// <summary>What one authorised session may publish and subscribe.</summary>
internal interface IRelayPermissions
{
    /// <summary>When the grant stops being valid; requests after it are refused as expired.</summary>
    DateTimeOffset ExpiresAt { get; }

    /// <summary>May publish the track (PUBLISH, or answer the relay's SUBSCRIBE for it).</summary>
    bool CanPublish(Moqt.FullTrackName track);

    /// <summary>May subscribe to, fetch or ask the status of the track.</summary>
    bool CanSubscribe(Moqt.FullTrackName track);

    /// <summary>May announce the namespace (PUBLISH_NAMESPACE).</summary>
    bool CanPublishNamespace(Moqt.TrackNamespace ns);

    /// <summary>May watch namespaces under the prefix (SUBSCRIBE_NAMESPACE).</summary>
    bool CanSubscribeNamespace(Moqt.TrackNamespace prefix);
}
