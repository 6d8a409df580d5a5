namespace ClutchCall.Voice.Relay.Fanout;

/// <summary>
/// A session that published a namespace (PUBLISH_NAMESPACE, draft-ietf-moq-transport-14 §9.20): the
/// relay asks it for a track when a subscriber wants one and nobody publishes it yet.
/// </summary>
internal interface INamespacePublisher
{
    /// <summary>Starts an upstream SUBSCRIBE for <paramref name="track"/> (fire and forget; failures are logged by the session).</summary>
    void RequestTrack(RelayTrack track);
}
