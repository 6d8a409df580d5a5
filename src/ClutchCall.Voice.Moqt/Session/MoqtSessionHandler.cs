using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>
/// What a session does with the peer's requests. The session calls these one at a time, in control-stream
/// order, from its control loop; a handler answers through the session (AcceptSubscribeAsync, ...) and must not
/// wait on other sessions. Every default refuses the request with NOT_SUPPORTED (draft-ietf-moq-transport-14
/// §13.1), so a plain client only overrides what it serves. Exceptions thrown here close the session with
/// INTERNAL_ERROR.
/// </summary>
internal class MoqtSessionHandler
{
    /// <summary>§9.7 SUBSCRIBE: accept with <see cref="MoqtSession.AcceptSubscribeAsync"/> or refuse.</summary>
    public virtual ValueTask OnSubscribeAsync(MoqtSession session, SubscribeMessage message) =>
        session.RejectSubscribeAsync(message.RequestId, MoqtSubscribeErrorCode.NotSupported, "not a publisher");

    /// <summary>§9.10 SUBSCRIBE_UPDATE for a subscription this side publishes.</summary>
    public virtual ValueTask OnSubscribeUpdateAsync(MoqtSession session, MoqtTrackWriter track, SubscribeUpdateMessage message) => default;

    /// <summary>§9.11 UNSUBSCRIBE: the session already stopped the track writer.</summary>
    public virtual ValueTask OnUnsubscribeAsync(MoqtSession session, MoqtTrackWriter track) => default;

    /// <summary>§9.13 PUBLISH: accept with <see cref="MoqtSession.AcceptPublishAsync"/> or refuse.</summary>
    public virtual ValueTask OnPublishAsync(MoqtSession session, PublishMessage message) =>
        session.RejectPublishAsync(message.RequestId, MoqtPublishErrorCode.NotSupported, "not a subscriber");

    /// <summary>§9.23 PUBLISH_NAMESPACE.</summary>
    public virtual ValueTask OnPublishNamespaceAsync(MoqtSession session, PublishNamespaceMessage message) =>
        session.SendAsync(new PublishNamespaceErrorMessage { RequestId = message.RequestId, ErrorCode = MoqtPublishNamespaceErrorCode.NotSupported, ReasonPhrase = "not supported" });

    /// <summary>§9.26 PUBLISH_NAMESPACE_DONE.</summary>
    public virtual ValueTask OnPublishNamespaceDoneAsync(MoqtSession session, PublishNamespaceDoneMessage message) => default;

    /// <summary>§9.27 PUBLISH_NAMESPACE_CANCEL: the peer stopped routing our namespace.</summary>
    public virtual ValueTask OnPublishNamespaceCancelAsync(MoqtSession session, PublishNamespaceCancelMessage message) => default;

    /// <summary>§9.28 SUBSCRIBE_NAMESPACE.</summary>
    public virtual ValueTask OnSubscribeNamespaceAsync(MoqtSession session, SubscribeNamespaceMessage message) =>
        session.SendAsync(new SubscribeNamespaceErrorMessage { RequestId = message.RequestId, ErrorCode = MoqtSubscribeNamespaceErrorCode.NotSupported, ReasonPhrase = "not supported" });

    /// <summary>§9.31 UNSUBSCRIBE_NAMESPACE.</summary>
    public virtual ValueTask OnUnsubscribeNamespaceAsync(MoqtSession session, UnsubscribeNamespaceMessage message) => default;

    /// <summary>§9.20 TRACK_STATUS.</summary>
    public virtual ValueTask OnTrackStatusAsync(MoqtSession session, TrackStatusMessage message) =>
        session.SendAsync(new TrackStatusErrorMessage { RequestId = message.RequestId, ErrorCode = MoqtSubscribeErrorCode.NotSupported, ReasonPhrase = "not supported" });

    /// <summary>§9.16 FETCH.</summary>
    public virtual ValueTask OnFetchAsync(MoqtSession session, FetchMessage message) =>
        session.SendAsync(new FetchErrorMessage { RequestId = message.RequestId, ErrorCode = MoqtFetchErrorCode.NotSupported, ReasonPhrase = "not supported" });

    /// <summary>§9.19 FETCH_CANCEL.</summary>
    public virtual ValueTask OnFetchCancelAsync(MoqtSession session, FetchCancelMessage message) => default;

    /// <summary>§9.4 GOAWAY: the peer will close soon; move to <paramref name="newSessionUri"/> (empty: same place).</summary>
    public virtual void OnGoAway(MoqtSession session, string newSessionUri)
    {
    }

    /// <summary>The session ended (either side, any reason). Called once.</summary>
    public virtual void OnClosed(MoqtSession session, MoqtSessionCloseInfo info)
    {
    }
}
