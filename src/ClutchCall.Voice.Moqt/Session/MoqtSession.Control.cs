using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>The control loop: reads control messages and routes them (draft-ietf-moq-transport-14 §9).</summary>
internal sealed partial class MoqtSession
{
    private async Task ControlLoopAsync()
    {
        var token = _cts.Token;
        while (true)
        {
            var result = await _controlInput.ReadAsync(token).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (_reader.TryRead(ref buffer, out var message))
            {
                await DispatchAsync(message).ConfigureAwait(false);
            }

            if (result.IsCompleted)
            {
                // §3.3: "If the control stream is closed ... the session MUST be closed with PROTOCOL_VIOLATION".
                throw MoqtProtocolException.Violation(buffer.IsEmpty ? "The peer closed the control stream." : "The control stream ended inside a message.");
            }

            // A half-received message starts the CONTROL_MESSAGE_TIMEOUT clock (§3.4).
            _watchdog.SetControlPartial(!buffer.IsEmpty);
            _controlInput.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async ValueTask DispatchAsync(MoqtControlMessage message)
    {
        switch (message)
        {
            case ClientSetupMessage or ServerSetupMessage:
                // §9.3: SETUP is sent exactly once, first.
                throw MoqtProtocolException.Violation($"{message.Type} after setup.");

            case SubscribeMessage m:
                await OnPeerRequestAsync(m.RequestId).ConfigureAwait(false);
                await _handler.OnSubscribeAsync(this, m).ConfigureAwait(false);
                break;
            case SubscribeUpdateMessage m:
                await OnPeerRequestAsync(m.RequestId).ConfigureAwait(false);
                if (_outgoingByRequest.TryGetValue(m.SubscriptionRequestId, out var updated))
                {
                    updated.ApplyUpdate(m);
                    await _handler.OnSubscribeUpdateAsync(this, updated, m).ConfigureAwait(false);
                }

                break;
            case UnsubscribeMessage m:
                if (_outgoingByRequest.TryRemove(m.RequestId, out var stopped))
                {
                    stopped.Stop();
                    await _handler.OnUnsubscribeAsync(this, stopped).ConfigureAwait(false);
                }

                break;
            case PublishMessage m:
                await OnPeerRequestAsync(m.RequestId).ConfigureAwait(false);
                await _handler.OnPublishAsync(this, m).ConfigureAwait(false);
                break;
            case PublishDoneMessage m:
                if (_incomingByRequest.TryRemove(m.RequestId, out var done))
                {
                    _incomingByAlias.TryRemove(done.TrackAlias, out _);
                    done.End(m.StatusCode, m.ReasonPhrase, sessionClosed: false);
                }

                break;
            case PublishNamespaceMessage m:
                await OnPeerRequestAsync(m.RequestId).ConfigureAwait(false);
                await _handler.OnPublishNamespaceAsync(this, m).ConfigureAwait(false);
                break;
            case PublishNamespaceDoneMessage m:
                await _handler.OnPublishNamespaceDoneAsync(this, m).ConfigureAwait(false);
                break;
            case PublishNamespaceCancelMessage m:
                await _handler.OnPublishNamespaceCancelAsync(this, m).ConfigureAwait(false);
                break;
            case SubscribeNamespaceMessage m:
                await OnPeerRequestAsync(m.RequestId).ConfigureAwait(false);
                await _handler.OnSubscribeNamespaceAsync(this, m).ConfigureAwait(false);
                break;
            case UnsubscribeNamespaceMessage m:
                await _handler.OnUnsubscribeNamespaceAsync(this, m).ConfigureAwait(false);
                break;
            case TrackStatusMessage m:
                await OnPeerRequestAsync(m.RequestId).ConfigureAwait(false);
                await _handler.OnTrackStatusAsync(this, m).ConfigureAwait(false);
                break;
            case FetchMessage m:
                await OnPeerRequestAsync(m.RequestId).ConfigureAwait(false);
                await _handler.OnFetchAsync(this, m).ConfigureAwait(false);
                break;
            case FetchCancelMessage m:
                await _handler.OnFetchCancelAsync(this, m).ConfigureAwait(false);
                break;
            case GoAwayMessage m:
                // §9.4: only a server sends GOAWAY, and only once; anything else is a PROTOCOL_VIOLATION.
                if (IsDraining || Role == MoqtSessionRole.Server)
                {
                    throw MoqtProtocolException.Violation("Unexpected GOAWAY.");
                }

                IsDraining = true;
                _handler.OnGoAway(this, m.NewSessionUri);
                break;
            case MaxRequestIdMessage m:
                _requestIds.OnMaxRequestId(m.RequestId);
                break;
            case RequestsBlockedMessage:
                // §9.6: informational; our window is re-granted as requests arrive.
                break;
            case SubscribeOkMessage m:
                CompletePending(m.RequestId, m);
                break;
            case SubscribeErrorMessage m:
                CompletePending(m.RequestId, m);
                break;
            case PublishOkMessage m:
                CompletePending(m.RequestId, m);
                break;
            case PublishErrorMessage m:
                CompletePending(m.RequestId, m);
                break;
            case PublishNamespaceOkMessage m:
                CompletePending(m.RequestId, m);
                break;
            case PublishNamespaceErrorMessage m:
                CompletePending(m.RequestId, m);
                break;
            case SubscribeNamespaceOkMessage m:
                CompletePending(m.RequestId, m);
                break;
            case SubscribeNamespaceErrorMessage m:
                CompletePending(m.RequestId, m);
                break;
            case TrackStatusOkMessage m:
                CompletePending(m.RequestId, m);
                break;
            case TrackStatusErrorMessage m:
                CompletePending(m.RequestId, m);
                break;
            case FetchOkMessage m:
                CompletePending(m.RequestId, m);
                break;
            case FetchErrorMessage m:
                CompletePending(m.RequestId, m);
                break;
            default:
                throw MoqtProtocolException.Violation($"Unhandled control message {message.Type}.");
        }
    }

    private async ValueTask OnPeerRequestAsync(ulong requestId)
    {
        // §9.1, §9.5: parity, order and the granted limit; grant more before the peer runs dry.
        if (_requestIds.OnPeerRequest(requestId) is { } raised)
        {
            await SendAsync(new MaxRequestIdMessage { RequestId = raised }).ConfigureAwait(false);
        }
    }

    private void CompletePending(ulong requestId, MoqtControlMessage response)
    {
        if (_pending.TryRemove(requestId, out var tcs))
        {
            tcs.TrySetResult(response);
            return;
        }

        // §9: a response to a request this side never sent is a PROTOCOL_VIOLATION; a late one for a
        // request we gave up on is ignored.
        if (!_requestIds.IsIssuedLocal(requestId))
        {
            throw new MoqtProtocolException(MoqtSessionErrorCode.InvalidRequestId, $"{response.Type} for request {requestId}, which was never sent.");
        }
    }
}
