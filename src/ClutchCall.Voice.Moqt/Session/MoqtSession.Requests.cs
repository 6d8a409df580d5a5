using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>Requests this side sends, and the answers to the peer's requests.</summary>
internal sealed partial class MoqtSession
{
    /// <summary>
    /// SUBSCRIBE (draft-ietf-moq-transport-14 §9.7): objects of <paramref name="track"/> go to <paramref name="sink"/>
    /// once SUBSCRIBE_OK arrives. Throws <see cref="MoqtRequestException"/> on SUBSCRIBE_ERROR.
    /// </summary>
    public async ValueTask<MoqtSubscription> SubscribeAsync(
        FullTrackName track,
        MoqtSubscriptionFilter filter,
        IMoqtObjectSink sink,
        CancellationToken cancellationToken,
        byte subscriberPriority = 128,
        MoqtParameters? parameters = null)
    {
        var requestId = await AllocateRequestIdAsync(cancellationToken).ConfigureAwait(false);
        var subscription = new MoqtSubscription(this, requestId, track, sink);
        _incomingByRequest[requestId] = subscription;
        try
        {
            var response = await RequestAsync(requestId, new SubscribeMessage
            {
                RequestId = requestId,
                Track = track,
                SubscriberPriority = subscriberPriority,
                GroupOrder = MoqtGroupOrder.Ascending,
                Forward = true,
                Filter = filter,
                Parameters = parameters ?? MoqtParameters.Empty,
            }, cancellationToken).ConfigureAwait(false);
            switch (response)
            {
                case SubscribeOkMessage ok:
                    RegisterAlias(ok.TrackAlias, subscription);
                    subscription.Largest = ok.LargestLocation;
                    return subscription;
                case SubscribeErrorMessage error:
                    throw new MoqtRequestException(MoqtMessageType.SubscribeError, (ulong)error.ErrorCode, error.ReasonPhrase);
                default:
                    throw MoqtProtocolException.Violation($"{response.Type} answers a SUBSCRIBE.");
            }
        }
        catch
        {
            _incomingByRequest.TryRemove(requestId, out _);
            throw;
        }
    }

    /// <summary>UNSUBSCRIBE (draft-ietf-moq-transport-14 §9.11); the sink is told the flow ended.</summary>
    public async ValueTask UnsubscribeAsync(MoqtSubscription subscription)
    {
        if (!_incomingByRequest.TryRemove(subscription.RequestId, out _))
        {
            return;
        }

        _incomingByAlias.TryRemove(subscription.TrackAlias, out _);
        subscription.End(MoqtPublishDoneCode.SubscriptionEnded, "unsubscribed", sessionClosed: false);
        if (Volatile.Read(ref _closing) == 0)
        {
            await SendAsync(new UnsubscribeMessage { RequestId = subscription.RequestId }).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// PUBLISH (draft-ietf-moq-transport-14 §9.13): offers <paramref name="track"/> to the peer and returns the
    /// writer for its objects once PUBLISH_OK arrives. Throws <see cref="MoqtRequestException"/> on PUBLISH_ERROR.
    /// </summary>
    public async ValueTask<MoqtTrackWriter> PublishAsync(FullTrackName track, byte publisherPriority, CancellationToken cancellationToken, Location? largest = null)
    {
        var requestId = await AllocateRequestIdAsync(cancellationToken).ConfigureAwait(false);
        var writer = new MoqtTrackWriter(this, requestId, NextTrackAlias(), track, publisherPriority);
        _outgoingByRequest[requestId] = writer;
        try
        {
            var response = await RequestAsync(requestId, new PublishMessage
            {
                RequestId = requestId,
                Track = track,
                TrackAlias = writer.TrackAlias,
                GroupOrder = MoqtGroupOrder.Ascending,
                LargestLocation = largest,
                Forward = true,
            }, cancellationToken).ConfigureAwait(false);
            switch (response)
            {
                case PublishOkMessage ok:
                    writer.Forward = ok.Forward;
                    return writer;
                case PublishErrorMessage error:
                    throw new MoqtRequestException(MoqtMessageType.PublishError, (ulong)error.ErrorCode, error.ReasonPhrase);
                default:
                    throw MoqtProtocolException.Violation($"{response.Type} answers a PUBLISH.");
            }
        }
        catch
        {
            _outgoingByRequest.TryRemove(requestId, out _);
            writer.Stop();
            throw;
        }
    }

    /// <summary>
    /// Ends a track this side publishes with PUBLISH_DONE (draft-ietf-moq-transport-14 §9.12); open data streams
    /// get their FIN first.
    /// </summary>
    public async ValueTask EndPublicationAsync(MoqtTrackWriter writer, MoqtPublishDoneCode code, string reason)
    {
        if (!_outgoingByRequest.TryRemove(writer.RequestId, out _))
        {
            return;
        }

        var streams = await writer.FinishAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _closing) == 0)
        {
            await SendAsync(new PublishDoneMessage { RequestId = writer.RequestId, StatusCode = code, StreamCount = streams, ReasonPhrase = reason }).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Answers the peer's SUBSCRIBE with SUBSCRIBE_OK (draft-ietf-moq-transport-14 §9.8) and returns the writer
    /// for the subscription's objects.
    /// </summary>
    public async ValueTask<MoqtTrackWriter> AcceptSubscribeAsync(SubscribeMessage request, byte publisherPriority, Location? largest)
    {
        var writer = new MoqtTrackWriter(this, request.RequestId, NextTrackAlias(), request.Track, publisherPriority)
        {
            Forward = request.Forward,
        };
        _outgoingByRequest[request.RequestId] = writer;
        await SendAsync(new SubscribeOkMessage
        {
            RequestId = request.RequestId,
            TrackAlias = writer.TrackAlias,
            Expires = 0,
            GroupOrder = MoqtGroupOrder.Ascending,
            LargestLocation = largest,
        }).ConfigureAwait(false);
        return writer;
    }

    /// <summary>SUBSCRIBE_ERROR (draft-ietf-moq-transport-14 §9.9).</summary>
    public ValueTask RejectSubscribeAsync(ulong requestId, MoqtSubscribeErrorCode code, string reason) =>
        SendAsync(new SubscribeErrorMessage { RequestId = requestId, ErrorCode = code, ReasonPhrase = reason });

    /// <summary>
    /// Answers the peer's PUBLISH with PUBLISH_OK (draft-ietf-moq-transport-14 §9.14): its objects go to
    /// <paramref name="sink"/>. A track alias already in use closes the session with DUPLICATE_TRACK_ALIAS.
    /// </summary>
    public async ValueTask<MoqtSubscription> AcceptPublishAsync(PublishMessage request, IMoqtObjectSink sink)
    {
        var subscription = new MoqtSubscription(this, request.RequestId, request.Track, sink) { Largest = request.LargestLocation };
        _incomingByRequest[request.RequestId] = subscription;
        RegisterAlias(request.TrackAlias, subscription);
        await SendAsync(new PublishOkMessage
        {
            RequestId = request.RequestId,
            Forward = true,
            SubscriberPriority = 128,
            GroupOrder = MoqtGroupOrder.Ascending,
            Filter = MoqtSubscriptionFilter.LargestObject,
        }).ConfigureAwait(false);
        return subscription;
    }

    /// <summary>PUBLISH_ERROR (draft-ietf-moq-transport-14 §9.15).</summary>
    public ValueTask RejectPublishAsync(ulong requestId, MoqtPublishErrorCode code, string reason) =>
        SendAsync(new PublishErrorMessage { RequestId = requestId, ErrorCode = code, ReasonPhrase = reason });

    /// <summary>PUBLISH_NAMESPACE (draft-ietf-moq-transport-14 §9.23); throws <see cref="MoqtRequestException"/> on error.</summary>
    public async ValueTask PublishNamespaceAsync(TrackNamespace ns, CancellationToken cancellationToken)
    {
        var requestId = await AllocateRequestIdAsync(cancellationToken).ConfigureAwait(false);
        var response = await RequestAsync(requestId, new PublishNamespaceMessage { RequestId = requestId, Namespace = ns }, cancellationToken).ConfigureAwait(false);
        if (response is PublishNamespaceErrorMessage error)
        {
            throw new MoqtRequestException(MoqtMessageType.PublishNamespaceError, (ulong)error.ErrorCode, error.ReasonPhrase);
        }
    }

    /// <summary>SUBSCRIBE_NAMESPACE (draft-ietf-moq-transport-14 §9.28); throws <see cref="MoqtRequestException"/> on error.</summary>
    public async ValueTask SubscribeNamespaceAsync(TrackNamespace prefix, CancellationToken cancellationToken)
    {
        var requestId = await AllocateRequestIdAsync(cancellationToken).ConfigureAwait(false);
        var response = await RequestAsync(requestId, new SubscribeNamespaceMessage { RequestId = requestId, NamespacePrefix = prefix }, cancellationToken).ConfigureAwait(false);
        if (response is SubscribeNamespaceErrorMessage error)
        {
            throw new MoqtRequestException(MoqtMessageType.SubscribeNamespaceError, (ulong)error.ErrorCode, error.ReasonPhrase);
        }
    }

    /// <summary>TRACK_STATUS (draft-ietf-moq-transport-14 §9.20): the track's largest location, if any.</summary>
    public async ValueTask<TrackStatusOkMessage> TrackStatusAsync(FullTrackName track, CancellationToken cancellationToken)
    {
        var requestId = await AllocateRequestIdAsync(cancellationToken).ConfigureAwait(false);
        var response = await RequestAsync(requestId, new TrackStatusMessage { RequestId = requestId, Track = track }, cancellationToken).ConfigureAwait(false);
        return response switch
        {
            TrackStatusOkMessage ok => ok,
            TrackStatusErrorMessage error => throw new MoqtRequestException(MoqtMessageType.TrackStatusError, (ulong)error.ErrorCode, error.ReasonPhrase),
            _ => throw MoqtProtocolException.Violation($"{response.Type} answers a TRACK_STATUS."),
        };
    }

    /// <summary>
    /// Standalone FETCH (draft-ietf-moq-transport-14 §9.16) of [<paramref name="start"/>, <paramref name="end"/>]:
    /// objects go to <paramref name="sink"/> as the fetch stream delivers them; the task completes after FETCH_OK.
    /// </summary>
    public async ValueTask<MoqtFetch> FetchAsync(FullTrackName track, Location start, Location end, IMoqtObjectSink sink, CancellationToken cancellationToken)
    {
        var requestId = await AllocateRequestIdAsync(cancellationToken).ConfigureAwait(false);
        var fetch = new MoqtFetch(requestId, sink);
        _fetches[requestId] = fetch;
        try
        {
            var response = await RequestAsync(requestId, new FetchMessage
            {
                RequestId = requestId,
                FetchType = MoqtFetchType.Standalone,
                Track = track,
                StartLocation = start,
                EndLocation = end,
                GroupOrder = MoqtGroupOrder.Ascending,
            }, cancellationToken).ConfigureAwait(false);
            return response switch
            {
                FetchOkMessage ok => fetch.Accepted(ok),
                FetchErrorMessage error => throw new MoqtRequestException(MoqtMessageType.FetchError, (ulong)error.ErrorCode, error.ReasonPhrase),
                _ => throw MoqtProtocolException.Violation($"{response.Type} answers a FETCH."),
            };
        }
        catch
        {
            _fetches.TryRemove(requestId, out _);
            throw;
        }
    }

    private async ValueTask<MoqtControlMessage> RequestAsync(ulong requestId, MoqtControlMessage request, CancellationToken cancellationToken)
    {
        var tcs = new TaskCompletionSource<MoqtControlMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = tcs;
        try
        {
            await SendAsync(request).ConfigureAwait(false);
            return await tcs.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    private async ValueTask<ulong> AllocateRequestIdAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ThrowIfClosed();
            if (_requestIds.TryAllocate(out var id, out var blockedAt, out var raised))
            {
                return id;
            }

            // §9.6: tell the peer we are blocked, then wait for MAX_REQUEST_ID.
            await SendAsync(new RequestsBlockedMessage { MaximumRequestId = blockedAt }).ConfigureAwait(false);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cts.Token);
            await raised.WaitAsync(linked.Token).ConfigureAwait(false);
        }
    }

    private void RegisterAlias(ulong alias, MoqtSubscription subscription)
    {
        // §9.13, §9.8: a track alias already used by another subscription is a DUPLICATE_TRACK_ALIAS.
        if (!_incomingByAlias.TryAdd(alias, subscription))
        {
            throw new MoqtProtocolException(MoqtSessionErrorCode.DuplicateTrackAlias, $"Track alias {alias} is already in use.");
        }

        subscription.TrackAlias = alias;
        SignalAliasesChanged();
    }

    /// <summary>A data stream or datagram names <paramref name="alias"/>: find it, waiting briefly for the control message that introduces it.</summary>
    internal async ValueTask<MoqtSubscription?> ResolveAliasAsync(ulong alias)
    {
        if (_incomingByAlias.TryGetValue(alias, out var found))
        {
            return found;
        }

        var deadline = Options.Time.GetTimestamp() + (long)(Options.UnknownAliasWait.TotalSeconds * Options.Time.TimestampFrequency);
        while (!_cts.IsCancellationRequested)
        {
            var changed = Volatile.Read(ref _aliasesChanged).Task;
            if (_incomingByAlias.TryGetValue(alias, out found))
            {
                return found;
            }

            var remaining = deadline - Options.Time.GetTimestamp();
            if (remaining <= 0)
            {
                return null;
            }

            try
            {
                await changed.WaitAsync(TimeSpan.FromSeconds((double)remaining / Options.Time.TimestampFrequency), Options.Time, _cts.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return _incomingByAlias.TryGetValue(alias, out found) ? found : null;
            }
        }

        return null;
    }
}
