using System.Collections.Concurrent;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;
using ClutchCall.Voice.Relay.Access;
using ClutchCall.Voice.Relay.Fanout;

namespace ClutchCall.Voice.Relay.Server;

/// <summary>
/// The relay's side of one client session: checks each request against the session's grant, attaches
/// subscribers to tracks, takes publishers' objects in, and cleans everything up when the session ends.
/// Refusals use the request's own error code (UNAUTHORIZED for anything outside the grant,
/// draft-ietf-moq-transport-14 §13.1) and leave the rest of the session running.
/// </summary>
internal sealed class RelaySession : MoqtSessionHandler, INamespacePublisher
{
    private readonly MoqtRelayServer _server;
    private readonly IRelayPermissions _permissions;
    private readonly ConcurrentDictionary<ulong, RelaySubscriberPump> _pumps = new();
    private readonly ConcurrentDictionary<RelayIngestSink, byte> _ingests = new();
    private readonly ConcurrentDictionary<TrackNamespace, byte> _namespaces = new();
    private readonly ConcurrentDictionary<TrackNamespace, byte> _namespaceWatches = new();

    public RelaySession(MoqtRelayServer server, MoqtSession session, IRelayPermissions permissions)
    {
        _server = server;
        Session = session;
        _permissions = permissions;
    }

    public MoqtSession Session { get; }

    private RelayTrackRegistry Registry => _server.Tracks;

    /// <summary>Subscriptions this session holds at the relay.</summary>
    public int SubscriptionCount => _pumps.Count;

    public override async ValueTask OnSubscribeAsync(MoqtSession session, SubscribeMessage message)
    {
        if (Refuse(message.Track, subscribe: true) is { } refusal)
        {
            await session.RejectSubscribeAsync(message.RequestId, refusal.Code, refusal.Reason).ConfigureAwait(false);
            return;
        }

        var track = Registry.GetOrAdd(message.Track);
        var queue = Registry.CreateQueue();
        var nextGroup = false;
        switch (message.Filter.Type)
        {
            case MoqtFilterType.AbsoluteStart:
                queue.Start = message.Filter.Start;
                break;
            case MoqtFilterType.AbsoluteRange:
                // draft-ietf-moq-transport-14 §9.7: End Group below the start group is INVALID_RANGE.
                if (message.Filter.EndGroup < message.Filter.Start.Group)
                {
                    await session.RejectSubscribeAsync(message.RequestId, MoqtSubscribeErrorCode.InvalidRange, "end group before start").ConfigureAwait(false);
                    return;
                }

                queue.Start = message.Filter.Start;
                queue.EndGroupInclusive = message.Filter.EndGroup;
                break;
            case MoqtFilterType.NextGroupStart:
                nextGroup = true;
                break;
        }

        var largest = track.TryGetLargest(out var l) ? l : (Location?)null;
        var writer = await session.AcceptSubscribeAsync(message, track.PublisherPriority, largest).ConfigureAwait(false);
        track.Attach(queue, nextGroup);
        var pump = new RelaySubscriberPump(session, track, queue, writer);
        _pumps[message.RequestId] = pump;
        pump.Start();

        // A subscriber before its publisher waits; when a namespace publisher covers the track, ask it now
        // (draft-ietf-moq-transport-14 §9.23: PUBLISH_NAMESPACE routes SUBSCRIBEs to the publisher).
        if (track.Publisher is null && Registry.FindNamespacePublisher(track.Name) is { } upstream)
        {
            upstream.RequestTrack(track);
        }
    }

    public override ValueTask OnUnsubscribeAsync(MoqtSession session, MoqtTrackWriter track)
    {
        if (_pumps.TryRemove(track.RequestId, out var pump))
        {
            pump.Track.Detach(pump.Queue, TrackEndReason.Unsubscribed);
            Registry.RemoveIfIdle(pump.Track);
        }

        return default;
    }

    public override async ValueTask OnPublishAsync(MoqtSession session, PublishMessage message)
    {
        if (Refuse(message.Track, subscribe: false) is { } refusal)
        {
            await session.RejectPublishAsync(message.RequestId, (MoqtPublishErrorCode)(ulong)refusal.Code, refusal.Reason).ConfigureAwait(false);
            return;
        }

        var track = Registry.GetOrAdd(message.Track);
        var sink = new RelayIngestSink(track, Registry.Time, _server.ObjectPool);
        track.ReplacePublisher(sink);
        _ingests[sink] = 0;
        await session.AcceptPublishAsync(message, sink).ConfigureAwait(false);
    }

    public override async ValueTask OnPublishNamespaceAsync(MoqtSession session, PublishNamespaceMessage message)
    {
        if (!_permissions.CanPublishNamespace(message.Namespace) || Expired())
        {
            await session.SendAsync(new PublishNamespaceErrorMessage
            {
                RequestId = message.RequestId,
                ErrorCode = Expired() ? MoqtPublishNamespaceErrorCode.ExpiredAuthToken : MoqtPublishNamespaceErrorCode.Unauthorized,
                ReasonPhrase = "namespace not in grant",
            }).ConfigureAwait(false);
            return;
        }

        Registry.AddNamespacePublisher(message.Namespace, this);
        _namespaces[message.Namespace] = 0;
        await session.SendAsync(new PublishNamespaceOkMessage { RequestId = message.RequestId }).ConfigureAwait(false);

        // Subscribers already waiting inside the namespace get their upstream SUBSCRIBE now.
        foreach (var track in Registry.Snapshot())
        {
            if (track.Publisher is null && track.SubscriberCount > 0 && track.Name.Namespace.StartsWith(message.Namespace))
            {
                RequestTrack(track);
            }
        }

        _server.NotifyNamespace(message.Namespace, this);
    }

    public override ValueTask OnPublishNamespaceDoneAsync(MoqtSession session, PublishNamespaceDoneMessage message)
    {
        if (_namespaces.TryRemove(message.Namespace, out _))
        {
            Registry.RemoveNamespacePublisher(message.Namespace, this);
        }

        return default;
    }

    public override async ValueTask OnSubscribeNamespaceAsync(MoqtSession session, SubscribeNamespaceMessage message)
    {
        if (!_permissions.CanSubscribeNamespace(message.NamespacePrefix) || Expired())
        {
            await session.SendAsync(new SubscribeNamespaceErrorMessage
            {
                RequestId = message.RequestId,
                ErrorCode = Expired() ? MoqtSubscribeNamespaceErrorCode.ExpiredAuthToken : MoqtSubscribeNamespaceErrorCode.Unauthorized,
                ReasonPhrase = "namespace not in grant",
            }).ConfigureAwait(false);
            return;
        }

        _namespaceWatches[message.NamespacePrefix] = 0;
        await session.SendAsync(new SubscribeNamespaceOkMessage { RequestId = message.RequestId }).ConfigureAwait(false);
        foreach (var ns in Registry.NamespacesUnder(message.NamespacePrefix))
        {
            AnnounceNamespace(ns);
        }
    }

    public override ValueTask OnUnsubscribeNamespaceAsync(MoqtSession session, UnsubscribeNamespaceMessage message)
    {
        _namespaceWatches.TryRemove(message.NamespacePrefix, out _);
        return default;
    }

    public override async ValueTask OnTrackStatusAsync(MoqtSession session, TrackStatusMessage message)
    {
        if (Refuse(message.Track, subscribe: true) is { } refusal)
        {
            await session.SendAsync(new TrackStatusErrorMessage { RequestId = message.RequestId, ErrorCode = refusal.Code, ReasonPhrase = refusal.Reason }).ConfigureAwait(false);
            return;
        }

        // draft-ietf-moq-transport-14 §9.21: TRACK_STATUS_OK carries the largest location when content exists.
        if (!Registry.TryGet(message.Track, out var track) || (track.Publisher is null && !track.TryGetLargest(out _)))
        {
            await session.SendAsync(new TrackStatusErrorMessage { RequestId = message.RequestId, ErrorCode = MoqtSubscribeErrorCode.TrackDoesNotExist, ReasonPhrase = "no such track" }).ConfigureAwait(false);
            return;
        }

        await session.SendAsync(new TrackStatusOkMessage
        {
            RequestId = message.RequestId,
            LargestLocation = track.TryGetLargest(out var largest) ? largest : null,
        }).ConfigureAwait(false);
    }

    public override async ValueTask OnFetchAsync(MoqtSession session, FetchMessage message)
    {
        var name = message.Track;
        var start = message.StartLocation;
        var end = message.EndLocation;
        if (message.FetchType != MoqtFetchType.Standalone)
        {
            // Joining fetches (§9.16.2): the track of the joined subscription, from N groups before its largest.
            if (!_pumps.TryGetValue(message.JoiningRequestId, out var joined))
            {
                await RejectFetchAsync(session, message.RequestId, MoqtFetchErrorCode.InvalidJoiningRequestId, "no such subscription").ConfigureAwait(false);
                return;
            }

            name = joined.Track.Name;
            joined.Track.TryGetLargest(out var largest);
            var startGroup = message.FetchType == MoqtFetchType.RelativeJoining
                ? (largest.Group > message.JoiningStart ? largest.Group - message.JoiningStart : 0)
                : message.JoiningStart;
            start = new Location(startGroup, 0);
            end = largest;
        }

        if (name is null || Refuse(name, subscribe: true) is { } refusal)
        {
            await RejectFetchAsync(session, message.RequestId, MoqtFetchErrorCode.Unauthorized, "track not in grant").ConfigureAwait(false);
            return;
        }

        if (!Registry.TryGet(name, out var track))
        {
            await RejectFetchAsync(session, message.RequestId, MoqtFetchErrorCode.TrackDoesNotExist, "no such track").ConfigureAwait(false);
            return;
        }

        // The relay caches the newest group only (audio profile): anything else is NO_OBJECTS.
        var objects = new List<RelayObject>();
        var endInclusive = end.Object == 0 ? new Location(end.Group, ulong.MaxValue) : new Location(end.Group, end.Object - 1);
        track.CopyCached(start, endInclusive, objects);
        try
        {
            if (objects.Count == 0)
            {
                await RejectFetchAsync(session, message.RequestId, MoqtFetchErrorCode.NoObjects, "only the newest group is cached").ConfigureAwait(false);
                return;
            }

            await session.SendAsync(new FetchOkMessage
            {
                RequestId = message.RequestId,
                EndOfTrack = false,
                EndLocation = objects[^1].Location,
            }).ConfigureAwait(false);
            _ = SendFetchStreamAsync(session, message.RequestId, objects);
            objects = [];
        }
        finally
        {
            foreach (var o in objects)
            {
                o.Release();
            }
        }
    }

    public override void OnClosed(MoqtSession session, MoqtSessionCloseInfo info)
    {
        foreach (var pump in _pumps.Values)
        {
            pump.Track.Detach(pump.Queue, TrackEndReason.SessionClosed);
            Registry.RemoveIfIdle(pump.Track);
        }

        _pumps.Clear();
        foreach (var ingest in _ingests.Keys)
        {
            ingest.Track.RemovePublisher(ingest, trackEnded: false);
            Registry.RemoveIfIdle(ingest.Track);
        }

        _ingests.Clear();
        foreach (var ns in _namespaces.Keys)
        {
            Registry.RemoveNamespacePublisher(ns, this);
        }

        _namespaces.Clear();
        _server.OnSessionClosed(this);
    }

    /// <summary>Upstream SUBSCRIBE to this namespace publisher for a track a subscriber is waiting on.</summary>
    public void RequestTrack(RelayTrack track)
    {
        _ = SubscribeUpstreamAsync(track);
    }

    /// <summary>Forwards a newly published namespace to this session when it watches a covering prefix (§9.28).</summary>
    public void OnNamespacePublished(TrackNamespace ns)
    {
        foreach (var prefix in _namespaceWatches.Keys)
        {
            if (ns.StartsWith(prefix))
            {
                AnnounceNamespace(ns);
                return;
            }
        }
    }

    private async Task SubscribeUpstreamAsync(RelayTrack track)
    {
        try
        {
            var sink = new RelayIngestSink(track, Registry.Time, _server.ObjectPool);
            if (!track.TrySetPublisher(sink))
            {
                return;
            }

            _ingests[sink] = 0;
            try
            {
                await Session.SubscribeAsync(track.Name, MoqtSubscriptionFilter.LargestObject, sink, Session.Aborted).ConfigureAwait(false);
            }
            catch (Exception)
            {
                _ingests.TryRemove(sink, out _);
                track.RemovePublisher(sink, trackEnded: false);
            }
        }
        catch (Exception)
        {
            // An upstream that refuses or vanishes leaves the subscribers waiting; nothing to escape here.
        }
    }

    private void AnnounceNamespace(TrackNamespace ns) => _ = AnnounceNamespaceAsync(ns);

    private async Task AnnounceNamespaceAsync(TrackNamespace ns)
    {
        try
        {
            await Session.PublishNamespaceAsync(ns, Session.Aborted).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The watcher refused or left; it is only a notification.
        }
    }

    private static async Task SendFetchStreamAsync(MoqtSession session, ulong requestId, List<RelayObject> objects)
    {
        try
        {
            await session.SendFetchObjectsAsync(requestId, objects.Select(o => new FetchObject(o.Location, o.SubgroupId, o.PublisherPriority, o.Extensions, o.Payload)).ToList()).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The fetcher went away; its session reports that.
        }
        finally
        {
            foreach (var o in objects)
            {
                o.Release();
            }
        }
    }

    private static ValueTask RejectFetchAsync(MoqtSession session, ulong requestId, MoqtFetchErrorCode code, string reason) =>
        session.SendAsync(new FetchErrorMessage { RequestId = requestId, ErrorCode = code, ReasonPhrase = reason });

    private bool Expired() => _server.Time.GetUtcNow() >= _permissions.ExpiresAt;

    private (MoqtSubscribeErrorCode Code, string Reason)? Refuse(FullTrackName track, bool subscribe)
    {
        // draft-ietf-moq-transport-14 §13.1.2/§13.1.4: UNAUTHORIZED (0x1) and EXPIRED_AUTH_TOKEN share values
        // across SUBSCRIBE_ERROR and PUBLISH_ERROR for the codes used here.
        if (Expired())
        {
            return subscribe ? (MoqtSubscribeErrorCode.ExpiredAuthToken, "token expired") : (MoqtSubscribeErrorCode.Unauthorized, "token expired");
        }

        var allowed = subscribe ? _permissions.CanSubscribe(track) : _permissions.CanPublish(track);
        return allowed ? null : (MoqtSubscribeErrorCode.Unauthorized, $"{(subscribe ? "subscribe" : "publish")} {track} is not in the grant");
    }
}
